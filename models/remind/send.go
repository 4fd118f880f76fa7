package remind

// The sender: one instance at a time composes and sends (a lease in the
// database elects it), whether it is a server on its schedule or someone
// running portfolio remind.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models"
)

// Sender composes the day's digests and sends them.
type Sender struct {
	DB      *gorm.DB
	Mailer  Mailer
	BaseURL string   // the app's address as users reach it ("https://portfolio.example.com"): links in emails
	Keys    [][]byte // the keys unsubscribe links are signed with, newest first (SigningKeys)
	Holder  string   // this process's name in the lease
	Now     func() time.Time
	Log     *slog.Logger
	// Figures are the dashboard's headline figures on a day, for the
	// monthly portfolio digest (the dashboard's cards, drawn by the views).
	Figures func(ctx context.Context, s models.Settings, today models.Date) ([]Figure, error)
}

func (s *Sender) now() time.Time {
	if s.Now == nil {
		return models.SystemClock().Now()
	}
	return s.Now()
}

// Report says what a run did.
type Report struct {
	Held     bool // false: another instance holds the lease, and this one did nothing
	Composed bool // the day's digests were composed in this run
	Digests  int  // digests composed
	Sent     int
	Failed   int
}

// leaseName is the lease of the reminders' sender.
const leaseName = "reminders"

// leaseFor is how long a lease lasts unless renewed: each digest sent renews it.
const leaseFor = 2 * time.Minute

// Run composes the digests of day, if day is given and they are not
// composed yet, then sends every digest due, if this instance holds the
// lease (Report.Held). The day is the caller's: the server's local date
// once its --remind-at has passed (Schedule).
func (s *Sender) Run(ctx context.Context, day *models.Date) (Report, error) {
	var r Report
	now := s.now()
	held, err := takeLease(ctx, s.DB, s.Holder, now)
	if err != nil || !held {
		return r, err
	}
	r.Held = true
	defer func() {
		// Released even when ctx has ended, so that another instance need not wait for it to lapse.
		_ = s.DB.WithContext(context.WithoutCancel(ctx)).Model(&lease{}).Where("name = ? AND holder = ?", leaseName, s.Holder).
			Update("expires_at", time.Unix(0, 0).UTC()).Error
	}()
	if day != nil {
		_, done, err := Composed(ctx, s.DB, *day)
		if err != nil {
			return r, err
		}
		if !done {
			settings, err := models.LoadSettings(ctx, s.DB)
			if err != nil {
				return r, err
			}
			if r.Digests, err = s.compose(ctx, settings, *day, now); err != nil {
				return r, err
			}
			r.Composed = true
		}
	}
	r.Sent, r.Failed, err = s.deliver(ctx, now)
	return r, err
}

// Schedule says which day's digests are due at now: the date in loc (the
// server's time zone), once its clock has passed at (a time of day, "07:00").
// People read their email by their own day, not by UTC's.
func Schedule(now time.Time, at string, loc *time.Location) (models.Date, bool, error) {
	t, err := time.Parse("15:04", at)
	if err != nil {
		return models.Date{}, false, fmt.Errorf("a time of day such as 07:00, not %q", at)
	}
	local := now.In(loc)
	when := time.Date(local.Year(), local.Month(), local.Day(), t.Hour(), t.Minute(), 0, 0, loc)
	return LocalDay(now, loc), !local.Before(when), nil
}

// LocalDay is now's date in loc: the day of the digests composed at now.
func LocalDay(now time.Time, loc *time.Location) models.Date {
	local := now.In(loc)
	return models.D(local.Year(), local.Month(), local.Day())
}

// Plan is what composing today's digests would write (portfolio remind --dry-run).
func (s *Sender) Plan(ctx context.Context, settings models.Settings, today models.Date) ([]Planned, error) {
	return plan(ctx, s.DB, settings, today, s.headlines)
}

// compose is compose with the sender's headline figures.
func (s *Sender) compose(ctx context.Context, settings models.Settings, today models.Date, now time.Time) (int, error) {
	return compose(ctx, s.DB, settings, today, now, s.headlines)
}

// lease elects one holder among instances until it expires.
type lease struct {
	Name      string `gorm:"primaryKey"`
	Holder    string
	ExpiresAt time.Time
}

func (lease) TableName() string { return "leases" }

// takeLease takes the reminders' lease for holder, or renews it, unless
// another holds it and it has not expired.
func takeLease(ctx context.Context, db *gorm.DB, holder string, now time.Time) (bool, error) {
	db = db.WithContext(ctx)
	until := now.Add(leaseFor).UTC()
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&lease{Name: leaseName, Holder: holder, ExpiresAt: until})
	if res.Error != nil || res.RowsAffected == 1 {
		return res.Error == nil, res.Error
	}
	res = db.Model(&lease{}).Where("name = ? AND (holder = ? OR expires_at < ?)", leaseName, holder, now.UTC()).
		Updates(map[string]any{"holder": holder, "expires_at": until})
	return res.RowsAffected == 1, res.Error
}

// SigningKeys derives the keys unsubscribe links are signed with from the
// session keys (hash and block keys in pairs, newest first): one a pair, so
// that a rotation keeps the links already sent working while the old pair
// is kept.
func SigningKeys(sessionKeys [][]byte) [][]byte {
	var out [][]byte
	for i := 0; i < len(sessionKeys); i += 2 {
		mac := hmac.New(sha256.New, sessionKeys[i])
		mac.Write([]byte("portfolio: unsubscribe links"))
		out = append(out, mac.Sum(nil))
	}
	return out
}

// unsubscribeMAC signs a user's id.
func unsubscribeMAC(key []byte, id []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(id)
	return mac.Sum(nil)[:16]
}

// UnsubscribeToken is the signed part of a user's unsubscribe link.
func UnsubscribeToken(keys [][]byte, userID uint) string {
	id := binary.BigEndian.AppendUint64(nil, uint64(userID))
	return base64.RawURLEncoding.EncodeToString(append(id, unsubscribeMAC(keys[0], id)...))
}

// CheckUnsubscribe reads the user an unsubscribe token is for, if it was
// signed with one of keys.
func CheckUnsubscribe(keys [][]byte, token string) (uint, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 24 {
		return 0, false
	}
	for _, k := range keys {
		if hmac.Equal(raw[8:], unsubscribeMAC(k, raw[:8])) {
			id := binary.BigEndian.Uint64(raw[:8])
			return uint(id), id > 0 && id <= 1<<32-1
		}
	}
	return 0, false
}

// Unsubscriber reads the user an unsubscribe token is for (ok false for a
// token not signed with keys, or whose account is gone).
func Unsubscriber(ctx context.Context, db *gorm.DB, keys [][]byte, token string) (models.User, bool, error) {
	var u models.User
	id, ok := CheckUnsubscribe(keys, token)
	if !ok {
		return u, false, nil
	}
	err := db.WithContext(ctx).Limit(1).Find(&u, id).Error
	return u, u.ID != 0, err
}

// Unsubscribe turns a user's email off (both digests): a followed
// unsubscribe link, with a history row by nobody.
func Unsubscribe(ctx context.Context, db *gorm.DB, userID uint, at time.Time) error {
	return SavePrefs(ctx, db, Prefs{UserID: userID, Digest: DigestOff, Monthly: false}, nil, at)
}
