package remind

// Email digests. Each day (at the server's --remind-at, or when someone runs
// portfolio remind) the day's digests are composed: one row a user a day,
// held by a unique index, whose content is fixed when composed. That row is
// the sent log: composing twice, from two instances or after a restart,
// adds nothing, and a digest is claimed before it is sent, so it is sent
// once. A failed send is tried again with back-off; an interrupted one
// (the process died mid-send) is never sent again on its own, since it may
// have gone out: the reminders page shows it and an administrator decides.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// A user's choice of email digest.
const (
	DigestDaily  = "daily"
	DigestWeekly = "weekly" // on Mondays
	DigestOff    = "off"
)

// Prefs is a user's choice of email: the reminders digest, and the monthly
// portfolio digest (the dashboard's headline figures, on the first of each
// month), off unless chosen.
type Prefs struct {
	UserID    uint `gorm:"primaryKey"`
	Digest    string
	Monthly   bool
	UpdatedAt time.Time
}

// TableName is the preferences' table (migration 23).
func (Prefs) TableName() string { return "reminder_prefs" }

// PrefsOf is a user's choice, or the defaults when they have made none.
func PrefsOf(ctx context.Context, db *gorm.DB, userID uint) (Prefs, error) {
	p := Prefs{UserID: userID, Digest: DigestDaily}
	var rows []Prefs
	if err := db.WithContext(ctx).Where("user_id = ?", userID).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return p, err
	}
	return rows[0], nil
}

// SavePrefs keeps a user's choice, with a history row for each field changed
// (entity "reminder_prefs"). by is who made it: the user, or nobody when an
// unsubscribe link was followed.
func SavePrefs(ctx context.Context, db *gorm.DB, p Prefs, by *uint, at time.Time) error {
	switch p.Digest {
	case DigestDaily, DigestWeekly, DigestOff:
	default:
		return fmt.Errorf("digest %q: choose daily, weekly or off", p.Digest)
	}
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		before, err := PrefsOf(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		var changes []models.Change
		if before.Digest != p.Digest {
			changes = append(changes, models.Change{Entity: "reminder_prefs", EntityID: p.UserID, Action: "update", Field: "Digest",
				Old: before.Digest, New: p.Digest, UserID: by, At: at.UTC()})
		}
		if before.Monthly != p.Monthly {
			changes = append(changes, models.Change{Entity: "reminder_prefs", EntityID: p.UserID, Action: "update", Field: "Monthly",
				Old: fmt.Sprint(before.Monthly), New: fmt.Sprint(p.Monthly), UserID: by, At: at.UTC()})
		}
		if len(changes) == 0 {
			return nil
		}
		p.UpdatedAt = at.UTC()
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"digest", "monthly", "updated_at"})}).Create(&p).Error; err != nil {
			return err
		}
		return models.RecordChanges(tx, changes)
	})
}

// The states of a digest.
const (
	StatusPending     = "pending"    // to be sent at NextTryAt
	StatusSending     = "sending"    // claimed by a sender
	StatusSent        = "sent"       //
	StatusFailed      = "failed"     // given up after MaxAttempts, or interrupted mid-send
	StatusNotNeeded   = "not needed" // the account was disabled or the digest turned off before it went
	MaxAttempts       = 6            // the back-off below spans about nine hours
	interruptedAfter  = 10 * time.Minute
	interruptedReason = "interrupted while sending: it may have been delivered; send it again if not"
)

// backOff is the wait before the next try after the nth failed one.
var backOff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// Digest is one user's email of one day: the sent log.
type Digest struct {
	ID        uint `gorm:"primaryKey"`
	UserID    uint
	Day       models.Date
	Content   string // the Content, as JSON: fixed when composed, so a retry sends the same
	Status    string
	Attempts  int
	NextTryAt time.Time
	ClaimedAt *time.Time
	SentAt    *time.Time
	LastError string
	CreatedAt time.Time
}

// TableName is the digests' table (migration 23).
func (Digest) TableName() string { return "reminder_digests" }

// Content is what a digest says: the reminders of the day, and on the first
// of a month for those who chose it, the portfolio's headline figures.
type Content struct {
	Items     []Item     `json:"items,omitempty"`
	Portfolio *Headlines `json:"portfolio,omitempty"`
}

// recipient is an active user with an email (single sign-on may make an
// account without one), with their choice.
type recipient struct {
	ID          uint
	Email, Name string
	Digest      string
	Monthly     bool
}

// Planned is one person's digest of a day, as composing writes it.
type Planned struct {
	UserID      uint
	Email, Name string
	Content     Content
}

// plan works out the digests of day today: each active user's items by
// their choice (daily; weekly on Mondays; off), and on the first of a month
// the portfolio's headlines for those who chose them.
func plan(ctx context.Context, db *gorm.DB, s models.Settings, today models.Date,
	load func(context.Context, models.Settings, models.Date) (*Headlines, error)) ([]Planned, error) {
	db = db.WithContext(ctx)
	var people []recipient
	if err := db.Table("users u").Select("u.id, u.email, u.name, COALESCE(p.digest, ?) AS digest, COALESCE(p.monthly, ?) AS monthly", DigestDaily, false).
		Joins("LEFT JOIN reminder_prefs p ON p.user_id = u.id").Where("NOT u.disabled AND u.email <> ''").Order("u.id").Scan(&people).Error; err != nil {
		return nil, err
	}
	items, err := Due(ctx, db, s, today)
	if err != nil {
		return nil, err
	}
	byUser := map[uint][]Item{}
	for _, it := range items {
		byUser[it.UserID] = append(byUser[it.UserID], it)
	}
	var headlines *Headlines
	var out []Planned
	for _, p := range people {
		var c Content
		if p.Digest == DigestDaily || (p.Digest == DigestWeekly && today.Weekday() == time.Monday) {
			c.Items = byUser[p.ID]
		}
		if p.Monthly && today.Day() == 1 {
			if headlines == nil {
				if headlines, err = load(ctx, s, today); err != nil {
					return nil, err
				}
			}
			c.Portfolio = headlines
		}
		if len(c.Items) > 0 || c.Portfolio != nil {
			out = append(out, Planned{UserID: p.ID, Email: p.Email, Name: p.Name, Content: c})
		}
	}
	return out, nil
}

// compose writes the digests of day today that are not written yet, and
// notes the day as composed; it returns how many it added.
func compose(ctx context.Context, db *gorm.DB, s models.Settings, today models.Date, now time.Time,
	load func(context.Context, models.Settings, models.Date) (*Headlines, error)) (int, error) {
	planned, err := plan(ctx, db, s, today, load)
	if err != nil {
		return 0, err
	}
	db = db.WithContext(ctx)
	added := 0
	for _, p := range planned {
		body, err := json.Marshal(p.Content)
		if err != nil {
			return added, err
		}
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Digest{UserID: p.UserID, Day: today, Content: string(body),
			Status: StatusPending, NextTryAt: now.UTC(), CreatedAt: now.UTC()})
		if res.Error != nil {
			return added, res.Error
		}
		added += int(res.RowsAffected)
		// An earlier day's digest still waiting (its server was down) would
		// be a second email today with the same items: this one says what
		// is still due.
		if err := db.Model(&Digest{}).Where("user_id = ? AND day < ? AND status IN ?", p.UserID, today, []string{StatusPending, StatusFailed}).
			Updates(map[string]any{"status": StatusNotNeeded, "last_error": "superseded by the email of " + today.Human()}).Error; err != nil {
			return added, err
		}
	}
	err = db.Clauses(clause.OnConflict{DoNothing: true}).Create(&run{Day: today, ComposedAt: now.UTC(), Digests: added}).Error
	return added, err
}

// run notes a day whose digests were composed.
type run struct {
	Day        models.Date `gorm:"primaryKey"`
	ComposedAt time.Time
	Digests    int
}

func (run) TableName() string { return "reminder_runs" }

// Composed reports whether day's digests were composed, and when.
func Composed(ctx context.Context, db *gorm.DB, day models.Date) (time.Time, bool, error) {
	var rows []run
	err := db.WithContext(ctx).Where("day = ?", day).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return time.Time{}, false, err
	}
	return rows[0].ComposedAt, true, nil
}

// Mail is one email to send.
type Mail struct {
	To, Name      string
	Subject       string
	Text, HTML    string
	Unsubscribe   string // the one-click unsubscribe address (List-Unsubscribe)
	MessageID     string // one a digest, the same on every try
	Date          time.Time
	ReminderCount int
}

// Mailer sends an email: SMTP in the app, and in its tests a real SMTP
// server listening on 127.0.0.1.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// deliver sends the digests due by now, each claimed first so that no
// other sender takes it too. It returns how many were sent and how many
// failed this time. A mail server that cannot be reached ends the round:
// each digest after would wait out the same timeout. Once a digest is
// claimed, its outcome is written even if ctx ends meanwhile (a deploy), so
// that it is not left claimed.
func (s *Sender) deliver(ctx context.Context, now time.Time) (sent, failed int, err error) {
	db := s.DB.WithContext(ctx)
	keep := s.DB.WithContext(context.WithoutCancel(ctx))
	now = now.UTC()
	// A digest still claimed long after its claim was cut off mid-send.
	if err := db.Model(&Digest{}).Where("status = ? AND claimed_at < ?", StatusSending, now.Add(-interruptedAfter)).
		Updates(map[string]any{"status": StatusFailed, "last_error": interruptedReason}).Error; err != nil {
		return 0, 0, err
	}
	var due []Digest
	if err := db.Where("status = ? AND next_try_at <= ?", StatusPending, now).Order("id").Limit(500).Find(&due).Error; err != nil {
		return 0, 0, err
	}
	for _, d := range due {
		if ctx.Err() != nil {
			return sent, failed, ctx.Err()
		}
		// Each digest renews the lease; one lost (this process stalled past
		// it) leaves the rest to the instance that took it.
		if held, err := takeLease(ctx, s.DB, s.Holder, s.now()); err != nil || !held {
			return sent, failed, err
		}
		claim := db.Model(&Digest{}).Where("id = ? AND status = ?", d.ID, StatusPending).
			Updates(map[string]any{"status": StatusSending, "claimed_at": s.now().UTC(), "attempts": gorm.Expr("attempts + 1")})
		if claim.Error != nil {
			return sent, failed, claim.Error
		}
		if claim.RowsAffected == 0 {
			continue // another sender has it
		}
		d.Attempts++
		m, skip, err := s.mailOf(ctx, d)
		if err != nil { // this digest cannot be written (its content, its user): it fails alone
			skip, failed = "", failed+1
			if err := keep.Model(&Digest{}).Where("id = ?", d.ID).Updates(map[string]any{"status": StatusFailed, "last_error": err.Error()}).Error; err != nil {
				return sent, failed, err
			}
			continue
		}
		if skip != "" {
			if err := keep.Model(&Digest{}).Where("id = ?", d.ID).Updates(map[string]any{"status": StatusNotNeeded, "last_error": skip}).Error; err != nil {
				return sent, failed, err
			}
			continue
		}
		sendErr := s.Mailer.Send(ctx, m)
		if sendErr == nil {
			sent++
			if err := keep.Model(&Digest{}).Where("id = ?", d.ID).Updates(map[string]any{"status": StatusSent, "sent_at": s.now().UTC(), "last_error": ""}).Error; err != nil {
				return sent, failed, err
			}
			continue
		}
		cols := map[string]any{"status": StatusFailed, "last_error": sendErr.Error()}
		var permanent *PermanentError
		switch {
		case ctx.Err() != nil:
			// Stopped before it went (a shutdown): as it was, this try not counted.
			cols = map[string]any{"status": StatusPending, "attempts": d.Attempts - 1}
		case errors.As(sendErr, &permanent):
			// The server said no for good (an address it refuses): trying again cannot help.
		case d.Attempts < MaxAttempts:
			cols["status"], cols["next_try_at"] = StatusPending, s.now().UTC().Add(backOff[min(d.Attempts, len(backOff))-1])
		}
		failed++
		if s.Log != nil {
			s.Log.Warn("reminders: sending a digest failed", "digest", d.ID, "attempt", d.Attempts, "err", sendErr)
		}
		if err := keep.Model(&Digest{}).Where("id = ?", d.ID).Updates(cols).Error; err != nil {
			return sent, failed, err
		}
		if errors.Is(sendErr, ErrUnreachable) || ctx.Err() != nil {
			return sent, failed, nil // the rest wait for the next round
		}
	}
	return sent, failed, nil
}

// mailOf writes digest d's email to its user as they are now (their address
// may have changed since it was composed), or says why it is not needed.
func (s *Sender) mailOf(ctx context.Context, d Digest) (Mail, string, error) {
	var u models.User
	if err := s.DB.WithContext(ctx).First(&u, d.UserID).Error; err != nil {
		return Mail{}, "", err
	}
	p, err := PrefsOf(ctx, s.DB, d.UserID)
	if err != nil {
		return Mail{}, "", err
	}
	var c Content
	if err := json.Unmarshal([]byte(d.Content), &c); err != nil {
		return Mail{}, "", err
	}
	if p.Digest == DigestOff {
		c.Items = nil
	}
	if !p.Monthly {
		c.Portfolio = nil
	}
	switch {
	case u.Disabled:
		return Mail{}, "the account is disabled", nil
	case len(c.Items) == 0 && c.Portfolio == nil:
		return Mail{}, "turned off before it was sent", nil
	}
	m, err := s.write(u, d, c)
	return m, "", err
}

// RetryDigest puts a failed digest back to be sent at once, or sends one
// waiting for its next try now (an administrator's decision on the
// reminders page, say once the relay is mended).
func RetryDigest(ctx context.Context, db *gorm.DB, id uint, by uint, now time.Time) error {
	res := db.WithContext(ctx).Model(&Digest{}).Where("id = ? AND (status = ? OR (status = ? AND attempts > 0))", id, StatusFailed, StatusPending).
		Updates(map[string]any{"status": StatusPending, "next_try_at": now.UTC(), "attempts": 0})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFailed
	}
	return models.RecordChanges(db.WithContext(ctx), []models.Change{{Entity: "reminder_digest", EntityID: id, Action: "retry", UserID: &by, At: now.UTC()}})
}

// ErrNotFailed is a retry of a digest that has not failed (sent meanwhile,
// or already waiting to go at once).
var ErrNotFailed = errors.New("the digest has not failed")

// DigestRow is a digest as the reminders page lists it.
type DigestRow struct {
	Digest
	Email, Name string
}

// DayDigests lists the digests of one day, by user.
func DayDigests(ctx context.Context, db *gorm.DB, day models.Date) ([]DigestRow, error) {
	var rows []DigestRow
	err := db.WithContext(ctx).Table("reminder_digests d").Joins("JOIN users u ON u.id = d.user_id").Where("d.day = ?", day).
		Select("d.*, u.email, u.name").Order("d.user_id").Scan(&rows).Error
	return rows, err
}

// RecentDigests lists the digests of the last days, the failed and
// pending first, then the newest.
func RecentDigests(ctx context.Context, db *gorm.DB, since models.Date, limit int) ([]DigestRow, int64, error) {
	q := db.WithContext(ctx).Table("reminder_digests d").Joins("JOIN users u ON u.id = d.user_id").Where("d.day >= ?", since)
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, err
	}
	var rows []DigestRow
	// The statuses are this package's constants, not input.
	order := fmt.Sprintf("CASE d.status WHEN '%s' THEN 0 WHEN '%s' THEN 1 WHEN '%s' THEN 2 ELSE 3 END, d.day DESC, d.id DESC",
		StatusFailed, StatusSending, StatusPending)
	err := q.Select("d.*, u.email, u.name").Order(order).Limit(limit).Scan(&rows).Error
	return rows, n, err
}
