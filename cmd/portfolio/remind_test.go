package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/remind/mailtest"
	"portfolio/models/sqlstore"
)

// With SMTP set, the server sends each day's reminders: while the relay is
// down the app serves on and the reminders page shows the digests waiting;
// once it is back, they go. The manager whose risk review is overdue gets
// one email linking to the risk, sees the review in the bell and in their
// calendar, and nothing is sent twice, by the server or by portfolio remind.
func TestServeSendsReminders(t *testing.T) {
	t.Parallel()
	// The server's clock runs from --today at the machine's time of day:
	// a run across midnight would compose two days. It takes a few seconds.
	if now := time.Now(); now.Add(time.Minute).Day() != now.Day() {
		time.Sleep(time.Until(now.Add(time.Minute).Truncate(time.Minute)) + time.Second)
	}
	ctx := context.Background()
	dir := t.TempDir()
	today := testToday()
	var out bytes.Buffer
	if err := run(ctx, []string{"seed", "--data", dir, "--today", today.String()}, func(string) string { return "" }, strings.NewReader(""), &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	// The demo manager's first open risk, with its review three days overdue.
	db, err := sqlstore.Open(ctx, sqlstore.SQLitePath(dir), models.ClockFrom(today.Add(9*time.Hour)).Now)
	if err != nil {
		t.Fatal(err)
	}
	var mgr models.User
	db.Where("email = ?", "manager@portfolio.example").First(&mgr)
	var risk models.Risk
	db.Where("status = ?", models.StatusOpen).Order("id").First(&risk)
	db.Model(&models.Risk{}).Where("id = ?", risk.ID).Updates(map[string]any{"owner_id": mgr.ID, "next_review": today.AddDays(-3)})
	sqlstore.Close(db)

	relay := mailtest.Start(t)
	relay.Down()
	args := []string{"--data", dir, "--today", today.String(), "--log-level", "error", "--smtp-host", relay.Host,
		"--smtp-port", strconv.Itoa(relay.Port), "--smtp-tls", "none", "--smtp-from", "Portfolio <portfolio@example.test>",
		"--remind-at", "00:00", "--base-url", "http://portfolio.test"}
	serveCtx, stop := context.WithCancel(ctx)
	printed := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(serveCtx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, strings.NewReader(""), printed)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := runningAt.FindStringSubmatch(printed.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" || !strings.Contains(printed.String(), "Email reminders go out each day at 00:00") {
		t.Fatalf("the server did not start, or did not say when reminders go:\n%s", printed.String())
	}

	// The relay is down: the first digest tried waits for another try (the
	// round stops there, the others wait untried), and the app serves on.
	admin := newWebClient(t, base)
	admin.signInAs(models.RoleAdmin)
	var waiting *goquery.Document
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, body := admin.get("/reminders")
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		rows := doc.Find(`[data-testid="digest"]`)
		if rows.FilterFunction(func(_ int, r *goquery.Selection) bool { return strings.Contains(r.Text(), "to try again at") }).Length() > 0 {
			waiting = doc
			break
		}
	}
	if waiting == nil {
		t.Fatal("the reminders page shows no digest waiting after the relay refused")
	}
	manager := newWebClient(t, base)
	manager.signInAs(models.RoleManager)
	// The bell counts once the server's background refresh of the notices has run.
	var st int
	var bell []string
	for deadline := time.Now().Add(30 * time.Second); bell == nil && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var dash string
		if st, dash = manager.get("/"); st != http.StatusOK {
			break
		}
		bell = regexp.MustCompile(`data-testid="bell-count">(\d+)<`).FindStringSubmatch(dash)
	}
	if st != http.StatusOK || bell == nil {
		t.Fatalf("the manager's dashboard while the relay is down: %d, bell %v", st, bell)
	}
	if _, page := manager.get("/notifications"); !strings.Contains(page, fmt.Sprintf(`href="/risks/%d"`, risk.ID)) {
		t.Error("the notifications page lacks the overdue review")
	}

	// The relay is back: an administrator sends the waiting ones now, and
	// portfolio remind (or the server's next round) sends them.
	relay.Up()
	waiting.Find(`form[action^="/reminders/"]`).Each(func(_ int, f *goquery.Selection) {
		if st, _ := admin.post("/reminders", f.AttrOr("action", ""), url.Values{}); st != http.StatusSeeOther {
			t.Errorf("send now: %d", st)
		}
	})
	remindNow := func() string {
		var out bytes.Buffer
		for range 50 { // the server's own round may hold the lease a moment
			out.Reset()
			if err := run(ctx, append([]string{"remind"}, args...), func(string) string { return "" }, strings.NewReader(""), &out); err != nil {
				t.Fatalf("portfolio remind: %v", err)
			}
			if !strings.Contains(out.String(), "Another instance") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		return out.String()
	}
	remindNow()
	mine := relay.To("manager@portfolio.example")
	if len(mine) != 1 {
		t.Fatalf("the manager got %d emails, want 1", len(mine))
	}
	text := mine[0].Text()
	if !strings.Contains(text, fmt.Sprintf("http://portfolio.test/risks/%d", risk.ID)) || !strings.Contains(text, risk.Ref) {
		t.Fatalf("the manager's email lacks the link to %s:\n%s", risk.Ref, text)
	}
	if !strings.Contains(mine[0].HTML(), fmt.Sprintf(`href="http://portfolio.test/risks/%d"`, risk.ID)) {
		t.Error("the HTML part lacks the link to the risk")
	}

	// The calendar has the review too.
	if st, _ := manager.post("/account", "/account/calendar", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("make a calendar address: %d", st)
	}
	_, account := manager.get("/account")
	feed := regexp.MustCompile(`http://portfolio\.test(/calendar/[A-Za-z0-9_-]+\.ics)`).FindStringSubmatch(account)
	if feed == nil {
		t.Fatal("the account page shows no calendar address on the base URL")
	}
	if _, cal := newWebClient(t, base).get(feed[1]); !strings.Contains(cal, risk.Ref) {
		t.Errorf("the calendar lacks the review of %s", risk.Ref)
	}

	// Nothing is sent twice.
	sent := len(relay.Messages())
	if got := remindNow(); !strings.Contains(got, "composed already; sent 0") || len(relay.Messages()) != sent {
		t.Errorf("a second portfolio remind: %q, %d emails (was %d)", got, len(relay.Messages()), sent)
	}
	seen := map[string]int{}
	for _, m := range relay.Messages() {
		seen[m.To[0]]++
		if seen[m.To[0]] > 1 {
			t.Errorf("%s got a second email", m.To[0])
		}
	}
	var dry bytes.Buffer
	if err := run(ctx, append([]string{"remind", "--dry-run"}, args...), func(string) string { return "" }, strings.NewReader(""), &dry); err != nil ||
		!strings.Contains(dry.String(), "were composed at") || !strings.Contains(dry.String(), "<manager@portfolio.example>: sent") {
		t.Errorf("the dry run: %v\n%s", err, dry.String())
	}
}
