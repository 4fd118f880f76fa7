package remind_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones of TestSchedule, whatever the machine has

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/remind"
	"portfolio/models/remind/mailtest"
)

var testKeys = remind.SigningKeys([][]byte{[]byte("a hash key of thirty-two bytes!!"), nil})

// sender sends through the SMTP server at srv, holding the lease as holder,
// its clock at *now.
func sender(db *gorm.DB, srv *mailtest.Server, holder string, now *time.Time) *remind.Sender {
	return &remind.Sender{DB: db, Mailer: remind.SMTP{Host: srv.Host, Port: srv.Port, From: "portfolio@example.test", TLS: remind.TLSNone, Timeout: 5 * time.Second},
		BaseURL: "https://portfolio.example.test", Keys: testKeys, Holder: holder, Now: func() time.Time { return *now }}
}

// overdueReview gives the first open risk to a manager with an overdue review,
// and returns the manager and the risk.
func overdueReview(t *testing.T, db *gorm.DB, today models.Date) (models.User, models.Risk) {
	var mgr models.User
	db.Where("role = ? AND NOT disabled", models.RoleManager).Order("id").First(&mgr)
	var r models.Risk
	db.Where("status = ?", models.StatusOpen).Order("id").First(&r)
	if mgr.ID == 0 || r.ID == 0 {
		t.Fatal("the demo has no manager or no open risk")
	}
	if err := db.Model(&models.Risk{}).Where("id = ?", r.ID).Updates(map[string]any{"owner_id": mgr.ID, "next_review": today.AddDays(-3)}).Error; err != nil {
		t.Fatal(err)
	}
	return mgr, r
}

// On the day, each person with something due gets one email that lists
// each of their items with a link to the page that resolves it; a person
// with nothing, or who chose no email, gets none; a second run the same day
// sends nothing.
func TestDigestsSentOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		srv := mailtest.Start(t)
		mgr, risk := overdueReview(t, db, today)
		var users []models.User
		db.Where("NOT disabled").Order("id").Find(&users)
		off, weekly := users[0], users[1]
		if off.ID == mgr.ID || weekly.ID == mgr.ID {
			off, weekly = users[len(users)-1], users[len(users)-2]
		}
		now := dbtest.Now()
		for _, p := range []remind.Prefs{{UserID: off.ID, Digest: remind.DigestOff}, {UserID: weekly.ID, Digest: remind.DigestWeekly}} {
			if err := remind.SavePrefs(ctx, db, p, &p.UserID, now); err != nil {
				t.Fatal(err)
			}
		}
		due, err := remind.Due(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint][]remind.Item{}
		for _, it := range due {
			want[it.UserID] = append(want[it.UserID], it)
		}
		rep, err := sender(db, srv, "a", &now).Run(ctx, &today)
		if err != nil || !rep.Held || !rep.Composed || rep.Failed != 0 {
			t.Fatalf("run: %+v, %v", rep, err)
		}
		for _, u := range users {
			got := srv.To(u.Email)
			n := 0
			if len(want[u.ID]) > 0 && u.ID != off.ID && (u.ID != weekly.ID || today.Weekday() == time.Monday) {
				n = 1
			}
			if len(got) != n {
				t.Errorf("%s (%d items) got %d emails, want %d", u.Email, len(want[u.ID]), len(got), n)
				continue
			}
			if n == 0 {
				continue
			}
			body := got[0].Text()
			for _, it := range want[u.ID] {
				if !strings.Contains(body, "https://portfolio.example.test"+it.Link) {
					t.Errorf("%s's email lacks the link of %q (%s)", u.Email, it.Title, it.Link)
					break
				}
			}
			unsub := got[0].Header.Get("List-Unsubscribe")
			if !strings.HasPrefix(unsub, "<https://portfolio.example.test/unsubscribe/") || got[0].Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Errorf("%s's unsubscribe headers: %q", u.Email, unsub)
			}
			token := strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://portfolio.example.test/unsubscribe/"), ">")
			if id, ok := remind.CheckUnsubscribe(testKeys, token); !ok || id != u.ID {
				t.Errorf("%s's unsubscribe link names user %d (%v)", u.Email, id, ok)
			}
		}
		mine := srv.To(mgr.Email)
		if len(mine) != 1 || !strings.Contains(mine[0].Text(), fmt.Sprintf("https://portfolio.example.test/risks/%d", risk.ID)) ||
			!strings.Contains(mine[0].Header.Get("Subject"), "overdue") {
			t.Fatalf("the manager of the overdue review got %d emails", len(mine))
		}
		sent := len(srv.Messages())
		later := now.Add(3 * time.Hour)
		rep, err = sender(db, srv, "a", &later).Run(ctx, &today)
		if err != nil || rep.Composed || rep.Sent != 0 || len(srv.Messages()) != sent {
			t.Fatalf("a second run the same day: %+v, %v, %d emails (was %d)", rep, err, len(srv.Messages()), sent)
		}
	})
}

// Two instances on one database, both running at once, send each digest once.
func TestDigestsTwoInstances(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		srv := mailtest.Start(t)
		overdueReview(t, db, today)
		other := dbtest.Reopen(t, db)
		now := dbtest.Now()
		var wg sync.WaitGroup
		reps := make([]remind.Report, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := db
				if i%2 == 1 {
					h = other
				}
				reps[i], errs[i] = sender(h, srv, fmt.Sprintf("instance-%d", i), &now).Run(ctx, &today)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("instance %d: %v", i, err)
			}
		}
		// Whichever held the lease, one more run sends whatever is left.
		if _, err := sender(db, srv, "instance-0", &now).Run(ctx, &today); err != nil {
			t.Fatal(err)
		}
		var digests int64
		db.Model(&remind.Digest{}).Where("day = ?", today).Count(&digests)
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[m.To[0]]++
		}
		if digests == 0 || int64(len(srv.Messages())) != digests {
			t.Fatalf("%d digests, %d emails: %v", digests, len(srv.Messages()), reps)
		}
		for to, n := range seen {
			if n != 1 {
				t.Errorf("%s got %d emails", to, n)
			}
		}
	})
}

// A relay that is down, or refuses for a while, fails the send without
// failing the run; the digest is tried again after its back-off and sent
// then. A digest whose send was cut off midway is not sent again on its own.
func TestDigestRetries(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		srv := mailtest.Start(t)
		mgr, _ := overdueReview(t, db, today)
		// Only the manager gets email here.
		var others []uint
		db.Model(&models.User{}).Where("id <> ?", mgr.ID).Pluck("id", &others)
		now := dbtest.Now()
		for _, id := range others {
			if err := remind.SavePrefs(ctx, db, remind.Prefs{UserID: id, Digest: remind.DigestOff}, &id, now); err != nil {
				t.Fatal(err)
			}
		}
		srv.Down()
		rep, err := sender(db, srv, "a", &now).Run(ctx, &today)
		if err != nil || rep.Failed != 1 || rep.Sent != 0 {
			t.Fatalf("a run with the relay down: %+v, %v", rep, err)
		}
		var d remind.Digest
		db.Where("user_id = ? AND day = ?", mgr.ID, today).First(&d)
		if d.Status != remind.StatusPending || d.Attempts != 1 || d.LastError == "" || !d.NextTryAt.After(now) {
			t.Fatalf("after a failed send: %+v", d)
		}
		up := srv
		up.Up()
		up.FailNext(1)
		soon := now.Add(30 * time.Second)
		if rep, _ := sender(db, up, "a", &soon).Run(ctx, &today); rep.Sent != 0 || len(up.Messages()) != 0 {
			t.Fatalf("sent before its back-off: %+v", rep)
		}
		later := now.Add(2 * time.Minute)
		if rep, err := sender(db, up, "a", &later).Run(ctx, &today); err != nil || rep.Failed != 1 {
			t.Fatalf("a relay refusing: %+v, %v", rep, err)
		}
		latest := later.Add(10 * time.Minute)
		if rep, err := sender(db, up, "a", &latest).Run(ctx, &today); err != nil || rep.Sent != 1 || len(up.To(mgr.Email)) != 1 {
			t.Fatalf("the third try: %+v, %v, %d emails", rep, err, len(up.To(mgr.Email)))
		}
		db.First(&d, d.ID)
		if d.Status != remind.StatusSent || d.Attempts != 3 || d.SentAt == nil {
			t.Fatalf("sent on the third try: %+v", d)
		}

		// Cut off mid-send: claimed and never finished.
		db.Model(&remind.Digest{}).Where("id = ?", d.ID).Updates(map[string]any{"status": remind.StatusSending, "claimed_at": latest})
		after := latest.Add(time.Hour)
		if rep, err := sender(db, up, "a", &after).Run(ctx, &today); err != nil || rep.Sent != 0 {
			t.Fatalf("an interrupted digest: %+v, %v", rep, err)
		}
		db.First(&d, d.ID)
		if d.Status != remind.StatusFailed || !strings.Contains(d.LastError, "interrupted") || len(up.To(mgr.Email)) != 1 {
			t.Fatalf("an interrupted digest: %+v", d)
		}
		if err := remind.RetryDigest(ctx, db, d.ID, mgr.ID, after); err != nil {
			t.Fatal(err)
		}
		if rep, err := sender(db, up, "a", &after).Run(ctx, &today); err != nil || rep.Sent != 1 || len(up.To(mgr.Email)) != 2 {
			t.Fatalf("sent again by hand: %+v, %v", rep, err)
		}
	})
}

// An unsubscribe link names its user and only when signed with the key;
// following it turns both digests off.
func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		tok := remind.UnsubscribeToken(testKeys, 42)
		if id, ok := remind.CheckUnsubscribe(testKeys, tok); !ok || id != 42 {
			t.Fatalf("a signed token: %d, %v", id, ok)
		}
		other := remind.SigningKeys([][]byte{[]byte("another key of thirty-two bytes!"), nil})
		for _, forged := range []string{remind.UnsubscribeToken(other, 42), tok[:len(tok)-2] + "AA", "", "x", strings.Repeat("A", 32)} {
			if id, ok := remind.CheckUnsubscribe(testKeys, forged); ok {
				t.Errorf("forged token %q accepted for user %d", forged, id)
			}
		}
		// A rotated key still reads the links sent before.
		rotated := append(other, testKeys...)
		if id, ok := remind.CheckUnsubscribe(rotated, tok); !ok || id != 42 {
			t.Error("a link signed before a key rotation is refused")
		}
		var u models.User
		db.Where("NOT disabled").Order("id").First(&u)
		if err := remind.SavePrefs(ctx, db, remind.Prefs{UserID: u.ID, Digest: remind.DigestWeekly, Monthly: true}, &u.ID, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		if err := remind.Unsubscribe(ctx, db, u.ID, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		p, _ := remind.PrefsOf(ctx, db, u.ID)
		if p.Digest != remind.DigestOff || p.Monthly {
			t.Fatalf("after unsubscribing: %+v", p)
		}
		var changes int64
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND user_id IS NULL", "reminder_prefs", u.ID).Count(&changes)
		if changes != 2 {
			t.Errorf("%d history rows of the unsubscribe, want 2", changes)
		}
	})
}

// The monthly portfolio digest goes on the first of a month to those who
// chose it, with what changed in the month that ended, in the same email as
// their reminders.
func TestMonthlyDigest(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		srv := mailtest.Start(t)
		var exec models.User
		db.Where("role = ? AND NOT disabled", models.RoleExecutive).Order("id").First(&exec)
		now := dbtest.Now()
		if err := remind.SavePrefs(ctx, db, remind.Prefs{UserID: exec.ID, Digest: remind.DigestOff, Monthly: true}, &exec.ID, now); err != nil {
			t.Fatal(err)
		}
		// An account single sign-on made without a verified email has none:
		// no digest is composed for it.
		noEmail := models.User{Name: "No email", Role: models.RoleExecutive, SSOIssuer: "https://idp.example.com", SSOSubject: "s"}
		if err := db.Create(&noEmail).Error; err != nil {
			t.Fatal(err)
		}
		if err := remind.SavePrefs(ctx, db, remind.Prefs{UserID: noEmail.ID, Digest: remind.DigestOff, Monthly: true}, &noEmail.ID, now); err != nil {
			t.Fatal(err)
		}
		first := models.Date{Time: today.MonthStart().AddDate(0, 1, 0)}
		var raised int64
		db.Model(&models.Risk{}).Where("raised_on >= ? AND raised_on < ?", today.MonthStart(), first).Count(&raised)
		for _, day := range []models.Date{first.AddDays(-1), first} {
			at := day.Add(9 * time.Hour)
			x := sender(db, srv, "a", &at)
			x.Figures = func(context.Context, models.Settings, models.Date) ([]remind.Figure, error) {
				return []remind.Figure{{Label: "Active engagements", Value: "12", Link: "/engagements?status=active"}}, nil
			}
			if _, err := x.Run(ctx, &day); err != nil {
				t.Fatal(err)
			}
		}
		got := srv.To(exec.Email)
		if len(got) != 1 {
			t.Fatalf("%d portfolio digests over the last day of a month and the first of the next, want 1", len(got))
		}
		var none int64
		db.Model(&remind.Digest{}).Where("user_id = ?", noEmail.ID).Count(&none)
		if none != 0 {
			t.Errorf("%d digests composed for an account without email", none)
		}
		body := got[0].Text()
		month := today.Format("January 2006")
		for _, want := range []string{"Active engagements: 12", "In " + month + ": ", fmt.Sprintf("%d risks raised", raised),
			"https://portfolio.example.test/engagements?status=active"} {
			if raised == 1 && strings.HasSuffix(want, "risks raised") {
				want = "1 risk raised"
			}
			if !strings.Contains(body, want) {
				t.Errorf("the portfolio digest lacks %q:\n%s", want, body)
			}
		}
	})
}

// A relay that cannot be reached ends the round at the first digest (each
// after would wait out the same timeout): the others wait, untried, for the
// next round. An address the relay refuses for good (550) is not tried
// again. An earlier day's digest still waiting when the next day's is
// composed is not sent: that day's says what is still due.
func TestDigestRounds(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		srv := mailtest.Start(t)
		overdueReview(t, db, today)
		now := dbtest.Now()
		srv.Down()
		rep, err := sender(db, srv, "a", &now).Run(ctx, &today)
		if err != nil || rep.Digests < 2 || rep.Failed != 1 {
			t.Fatalf("a round with the relay unreachable: %+v, %v", rep, err)
		}
		var untried int64
		db.Model(&remind.Digest{}).Where("day = ? AND status = ? AND attempts = 0", today, remind.StatusPending).Count(&untried)
		if untried != int64(rep.Digests-1) {
			t.Errorf("%d digests untried after the round stopped, want %d", untried, rep.Digests-1)
		}

		srv.Up()
		var first remind.Digest
		db.Where("day = ? AND attempts = 1", today).First(&first)
		var refused models.User
		db.Where("id <> ?", first.UserID).Where("id IN (SELECT user_id FROM reminder_digests WHERE day = ?)", today).Order("id").First(&refused)
		srv.Refuse(refused.Email)
		later := now.Add(2 * time.Minute)
		if _, err := sender(db, srv, "a", &later).Run(ctx, &today); err != nil {
			t.Fatal(err)
		}
		var d remind.Digest
		db.Where("user_id = ? AND day = ?", refused.ID, today).First(&d)
		if d.Status != remind.StatusFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "550") {
			t.Fatalf("a digest refused for good: %+v", d)
		}
		if len(srv.To(refused.Email)) != 0 || len(srv.Messages()) != rep.Digests-1 {
			t.Errorf("%d emails after the relay came back (%d digests, one refused)", len(srv.Messages()), rep.Digests)
		}

		// The refused one is still failed when the next day's is composed: it is superseded.
		next := today.AddDays(1)
		tomorrow := now.Add(24 * time.Hour)
		if _, err := sender(db, srv, "a", &tomorrow).Run(ctx, &next); err != nil {
			t.Fatal(err)
		}
		db.First(&d, d.ID)
		if d.Status != remind.StatusNotNeeded || !strings.Contains(d.LastError, "superseded") {
			t.Errorf("an earlier day's failed digest after the next day's was composed: %+v", d)
		}
	})
}

// The day's digests are due once the server's own clock passes --remind-at,
// and they are of the server's own date, whatever UTC's is: in New York
// 07:00 is 12:00 UTC, in Sydney it is 20:00 UTC the day before.
func TestSchedule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		zone     string
		utc      string // the instant, in UTC
		day      string // the server's date then
		composed bool
	}{
		{"America/New_York", "2027-03-01T11:59:00Z", "2027-03-01", false},
		{"America/New_York", "2027-03-01T12:00:00Z", "2027-03-01", true},
		{"America/New_York", "2027-03-02T01:00:00Z", "2027-03-01", true}, // 20:00 the evening before: still the 1st's
		{"Australia/Sydney", "2027-02-28T19:59:00Z", "2027-03-01", false},
		{"Australia/Sydney", "2027-02-28T20:00:00Z", "2027-03-01", true}, // 07:00 on the 1st in Sydney
		{"UTC", "2028-02-29T06:59:59Z", "2028-02-29", false},
		{"UTC", "2028-02-29T07:00:00Z", "2028-02-29", true},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := time.Parse(time.RFC3339, c.utc)
		day, due, err := remind.Schedule(now, "07:00", loc)
		if err != nil || day.String() != c.day || due != c.composed {
			t.Errorf("%s at %s: day %s, due %v (%v); want %s, %v", c.zone, c.utc, day, due, err, c.day, c.composed)
		}
	}
	if _, _, err := remind.Schedule(time.Now(), "7am", time.UTC); err == nil {
		t.Error("a time of day of 7am is taken")
	}
}

// mailerFunc is a Mailer of a function: for the server stopping mid-round.
type mailerFunc func(context.Context, remind.Mail) error

func (f mailerFunc) Send(ctx context.Context, m remind.Mail) error { return f(ctx, m) }

// A server stopping (its context ended) while a digest is being sent puts
// the digest back as it was, the try not counted, and the next round sends it.
func TestDigestShutdownMidSend(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		srv := mailtest.Start(t)
		overdueReview(t, db, today)
		now := dbtest.Now()
		stopping, stop := context.WithCancel(ctx)
		x := sender(db, srv, "a", &now)
		x.Mailer = mailerFunc(func(ctx context.Context, _ remind.Mail) error { stop(); return ctx.Err() })
		if _, err := x.Run(stopping, &today); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		var stuck int64
		db.Model(&remind.Digest{}).Where("day = ? AND status <> ?", today, remind.StatusPending).Count(&stuck)
		var tried int64
		db.Model(&remind.Digest{}).Where("day = ? AND attempts > 0", today).Count(&tried)
		if stuck != 0 || tried != 0 {
			t.Fatalf("after a shutdown mid-send: %d digests not pending, %d with a try counted", stuck, tried)
		}
		rep, err := sender(db, srv, "a", &now).Run(ctx, &today)
		if err != nil || rep.Sent == 0 || rep.Failed != 0 {
			t.Fatalf("the next round: %+v, %v", rep, err)
		}
	})
}
