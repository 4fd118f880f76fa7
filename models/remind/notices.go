package remind

// In-app notices: the reminders as the bell in the header counts them and
// the notifications page lists them. A notice lives while its item is due
// (one live row a user and item, held by a partial unique index) and is
// resolved when the item goes away (the review done, the month recorded);
// reading marks it read, and an item that turns overdue is unread again.

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// Notice is one user's notice of one item.
type Notice struct {
	ID         uint `gorm:"primaryKey"`
	UserID     uint
	ItemKey    string
	Kind       string
	Title      string
	What       string
	Link       string
	DueOn      models.Date
	Overdue    bool
	CreatedAt  time.Time
	ReadAt     *time.Time
	ResolvedAt *time.Time
}

// TableName is the notices' table (migration 23).
func (Notice) TableName() string { return "notices" }

// Unread reports whether the user has not read the notice yet.
func (n Notice) Unread() bool { return n.ReadAt == nil }

// DueFor lists one user's reminders on day today: what Due gives them.
func DueFor(ctx context.Context, db *gorm.DB, s models.Settings, userID uint, today models.Date) ([]Item, error) {
	r := &reader{ctx: ctx, db: db.WithContext(ctx), s: s, today: today, only: userID}
	items, err := r.read(r.all()...)
	if err != nil {
		return nil, err
	}
	mine := items[:0]
	for _, it := range items {
		if it.UserID == userID {
			mine = append(mine, it)
		}
	}
	return mine, nil
}

// Sync brings the notices in line with the reminders due today: of every
// user (userID 0) or of one. New items become unread notices, live ones
// take the item's current words, and those whose item is gone are resolved.
func Sync(ctx context.Context, db *gorm.DB, s models.Settings, userID uint, today models.Date, now time.Time) error {
	var items []Item
	var err error
	if userID == 0 {
		items, err = Due(ctx, db, s, today)
	} else {
		items, err = DueFor(ctx, db, s, userID, today)
	}
	if err != nil {
		return err
	}
	db = db.WithContext(ctx)
	var live []Notice
	q := db.Where("resolved_at IS NULL")
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	if err := q.Find(&live).Error; err != nil {
		return err
	}
	type key struct {
		user uint
		item string
	}
	had := make(map[key]Notice, len(live))
	for _, n := range live {
		had[key{n.UserID, n.ItemKey}] = n
	}
	now = now.UTC()
	var fresh []Notice
	seen := make(map[key]bool, len(items))
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		for _, it := range items {
			k := key{it.UserID, it.Key()}
			if seen[k] {
				continue
			}
			seen[k] = true
			n, ok := had[k]
			if !ok {
				fresh = append(fresh, Notice{UserID: it.UserID, ItemKey: k.item, Kind: it.Kind, Title: it.Title, What: it.What,
					Link: it.Link, DueOn: it.On, Overdue: it.Overdue, CreatedAt: now})
				continue
			}
			if n.Title == it.Title && n.What == it.What && n.Link == it.Link && n.Overdue == it.Overdue && n.DueOn.Equal(it.On.Time) {
				continue
			}
			cols := map[string]any{"title": it.Title, "what": it.What, "link": it.Link, "overdue": it.Overdue, "due_on": it.On}
			if it.Overdue && !n.Overdue {
				cols["read_at"] = nil // turning overdue is news
			}
			if err := tx.Model(&Notice{}).Where("id = ?", n.ID).Updates(cols).Error; err != nil {
				return err
			}
		}
		if len(fresh) > 0 {
			// Another instance may have added the same notice meanwhile: the
			// partial unique index keeps one.
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(fresh, 200).Error; err != nil {
				return err
			}
		}
		var gone []uint
		for k, n := range had {
			if !seen[k] {
				gone = append(gone, n.ID)
			}
		}
		for start := 0; start < len(gone); start += 500 {
			part := gone[start:min(start+500, len(gone))]
			if err := tx.Model(&Notice{}).Where("id IN ?", part).Update("resolved_at", now).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// Unread counts a user's live notices not read yet: the bell's number.
func Unread(ctx context.Context, db *gorm.DB, userID uint) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Notice{}).Where("user_id = ? AND resolved_at IS NULL AND read_at IS NULL", userID).Count(&n).Error
	return n, err
}

// Live lists a user's notices as of now without writing anything (the
// notifications page is a GET): their items due today, in Due's order,
// each with its notice's read state; an item the server has not noticed
// yet is unread.
func Live(ctx context.Context, db *gorm.DB, s models.Settings, userID uint, today models.Date) ([]Notice, error) {
	items, err := DueFor(ctx, db, s, userID, today)
	if err != nil {
		return nil, err
	}
	var stored []Notice
	if err := db.WithContext(ctx).Where("user_id = ? AND resolved_at IS NULL", userID).Find(&stored).Error; err != nil {
		return nil, err
	}
	byKey := make(map[string]Notice, len(stored))
	for _, n := range stored {
		byKey[n.ItemKey] = n
	}
	out := make([]Notice, 0, len(items))
	for _, it := range items {
		n := Notice{UserID: userID, ItemKey: it.Key(), Kind: it.Kind, Title: it.Title, What: it.What, Link: it.Link, DueOn: it.On, Overdue: it.Overdue}
		if had, ok := byKey[n.ItemKey]; ok {
			n.ID, n.CreatedAt, n.ReadAt = had.ID, had.CreatedAt, had.ReadAt
			if it.Overdue && !had.Overdue {
				n.ReadAt = nil // turning overdue is news (Sync marks it so)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// MarkRead marks a user's live notices read, those of the item keys given
// or, with none, all of them, and reports how many were unread. Sync the
// user first, so that every item shown has its notice.
func MarkRead(ctx context.Context, db *gorm.DB, userID uint, keys []string, now time.Time) (int64, error) {
	q := db.WithContext(ctx).Model(&Notice{}).Where("user_id = ? AND resolved_at IS NULL AND read_at IS NULL", userID)
	if len(keys) > 0 {
		q = q.Where("item_key IN ?", keys)
	}
	res := q.Update("read_at", now.UTC())
	return res.RowsAffected, res.Error
}
