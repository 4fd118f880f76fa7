package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/remind"
)

// A manager whose risk review is overdue sees it on the notifications page,
// linked to the risk, and counted by the bell once the server has refreshed
// the notices; opening the page marks it read (htmx's post, or the button),
// and the bell's count goes; a review done takes it off.
func TestNotifications(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var u models.User
		e.db.Where("email = ?", "manager@portfolio.example").First(&u)
		var risk models.Risk
		e.db.Where("status = ?", models.StatusOpen).Order("id").First(&risk)
		e.db.Model(&models.Risk{}).Where("id = ?", risk.ID).Updates(map[string]any{"owner_id": u.ID, "next_review": today().AddDays(-2)})
		mgr := e.client()
		mgr.login(models.RoleManager)

		// The server's refresh stores the notices the bell counts on every page
		// (cmd/portfolio's noticesLoop, here by hand).
		s, _ := models.LoadSettings(t.Context(), e.db)
		if err := remind.Sync(t.Context(), e.db, s, 0, today(), dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		unread, _ := remind.Unread(t.Context(), e.db, u.ID)
		dash, _ := goquery.NewDocumentFromReader(strings.NewReader(mgr.get("/").Body))
		if unread == 0 || dash.Find(`[data-testid="bell-count"]`).Text() != fmt.Sprint(unread) {
			t.Fatalf("the dashboard's bell: %q, %d unread", dash.Find(`[data-testid="bell-count"]`).Text(), unread)
		}

		page := mgr.get("/notifications")
		if page.StatusCode != http.StatusOK {
			t.Fatalf("the notifications page: %d", page.StatusCode)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page.Body))
		link := doc.Find(fmt.Sprintf(`[data-testid="notice"] a[href="/risks/%d"]`, risk.ID))
		if link.Length() != 1 || !strings.Contains(link.Parent().Text(), "overdue since") || link.Parent().Find(".badge-new").Length() != 1 {
			t.Fatalf("the page does not list the overdue review of %s as new:\n%.3000s", risk.Ref, page.Body)
		}
		if n := doc.Find(`[data-testid="bell-count"]`).Text(); n == "" || n == "0" {
			t.Errorf("the bell on the page counts %q", n)
		}

		// Opening the page marks what it showed read: htmx posts its form on load.
		form := doc.Find(`form#mark-read`)
		keys, _ := form.Find(`input[name="keys"]`).Attr("value")
		if form.AttrOr("hx-trigger", "") != "load" || !strings.Contains(keys, fmt.Sprintf("risk-review:%d", risk.ID)) {
			t.Fatalf("the page's mark-read form: trigger %q keys %q", form.AttrOr("hx-trigger", ""), keys)
		}
		r := mgr.send(http.MethodPost, "/notifications/read", url.Values{"_csrf": {mgr.token()}, "keys": {keys}}, map[string]string{"HX-Request": "true"})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `hx-swap-oob="true"`) || strings.Contains(r.Body, "bell-count") {
			t.Fatalf("marking read with htmx: %d\n%s", r.StatusCode, r.Body)
		}
		if n, _ := remind.Unread(t.Context(), e.db, u.ID); n != 0 {
			t.Errorf("%d unread after the page marked them read", n)
		}
		again, _ := goquery.NewDocumentFromReader(strings.NewReader(mgr.get("/notifications").Body))
		if again.Find(".badge-new").Length() != 0 || again.Find(`form#mark-read`).Length() != 0 {
			t.Error("notices read are still new")
		}

		// Turning the review to next month takes it off, and a plain post marks all read.
		e.db.Model(&models.Risk{}).Where("id = ?", risk.ID).Update("next_review", today().AddDays(40))
		if body := mgr.get("/notifications").Body; strings.Contains(body, fmt.Sprintf(`href="/risks/%d"`, risk.ID)) {
			t.Error("a review no longer due is still listed")
		}
		if r := mgr.post("/notifications/read", url.Values{"_csrf": {mgr.token()}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("mark all read without JavaScript: %d", r.StatusCode)
		}
		var live int64
		e.db.Model(&remind.Notice{}).Where("user_id = ? AND item_key = ? AND resolved_at IS NULL", u.ID, fmt.Sprintf("risk-review:%d", risk.ID)).Count(&live)
		if live != 0 {
			t.Error("the notice of a review no longer due is still live")
		}
	})
}

// The account page keeps each person's choice of email; a choice that is not
// one of the three is refused with 422 and the page as typed.
func TestAccountEmail(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		exec := e.client()
		exec.login(models.RoleExecutive)
		page := exec.get("/account")
		if !strings.Contains(page.Body, `name="digest" value="daily" checked`) {
			t.Fatalf("the account page does not show the default choice (daily):\n%.3000s", page.Body)
		}
		r := exec.post("/account/email", url.Values{"_csrf": {exec.token()}, "digest": {"hourly"}, "monthly": {"1"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose daily, weekly or off.") ||
			!strings.Contains(r.Body, `name="monthly" value="1" checked`) {
			t.Fatalf("an unknown choice: %d", r.StatusCode)
		}
		r = exec.post("/account/email", url.Values{"_csrf": {exec.token()}, "digest": {"weekly"}, "monthly": {"1"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving: %d", r.StatusCode)
		}
		var u models.User
		e.db.Where("email = ?", "executive@portfolio.example").First(&u)
		p, _ := remind.PrefsOf(t.Context(), e.db, u.ID)
		if p.Digest != remind.DigestWeekly || !p.Monthly {
			t.Fatalf("stored %+v", p)
		}
		if !strings.Contains(exec.get("/account").Body, `name="digest" value="weekly" checked`) {
			t.Error("the account page does not show the choice kept")
		}

		// Two tabs: one turns the monthly digest off, the other (shown before) picks daily; both are kept.
		tab1 := scrapeForm(t, exec.get("/account"), `form[action="/account/email"]`)
		tab2 := cloneValues(tab1)
		tab1.Del("monthly")
		if r := exec.post("/account/email", tab1); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("tab 1: %d", r.StatusCode)
		}
		tab2.Set("digest", "daily")
		if r := exec.post("/account/email", tab2); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("tab 2: %d", r.StatusCode)
		}
		if p, _ := remind.PrefsOf(t.Context(), e.db, u.ID); p.Digest != remind.DigestDaily || p.Monthly {
			t.Fatalf("after two tabs: %+v, want daily and no monthly digest", p)
		}
		// Both change the digest, differently: the second is told, its choice kept on the page.
		tab3 := scrapeForm(t, exec.get("/account"), `form[action="/account/email"]`)
		tab4 := cloneValues(tab3)
		tab3.Set("digest", "off")
		exec.post("/account/email", tab3)
		tab4.Set("digest", "weekly")
		r = exec.post("/account/email", tab4)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, `name="digest" value="weekly" checked`) {
			t.Fatalf("a clash: %d", r.StatusCode)
		}
		if p, _ := remind.PrefsOf(t.Context(), e.db, u.ID); p.Digest != remind.DigestOff {
			t.Errorf("the clash overwrote the other tab's choice: %+v", p)
		}
	})
}

// An unsubscribe link opens a page that asks (a mail scanner opening it
// changes nothing); its button, or a mail provider's one-click post with no
// session and no CSRF token, turns the user's email off, with history rows
// naming nobody. A link not signed by the app is 404.
func TestUnsubscribeLink(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var u models.User
		e.db.Where("email = ?", "manager@portfolio.example").First(&u)
		if err := remind.SavePrefs(t.Context(), e.db, remind.Prefs{UserID: u.ID, Digest: remind.DigestDaily, Monthly: true}, &u.ID, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		link := "/unsubscribe/" + remind.UnsubscribeToken(remind.SigningKeys(testKeys), u.ID)
		anon := e.client()
		ask := anon.get(link)
		if ask.StatusCode != http.StatusOK || !strings.Contains(ask.Body, u.Email) || !strings.Contains(ask.Body, `action="`+link+`"`) {
			t.Fatalf("the link's page: %d\n%.2000s", ask.StatusCode, ask.Body)
		}
		if p, _ := remind.PrefsOf(t.Context(), e.db, u.ID); p.Digest != remind.DigestDaily {
			t.Fatal("opening the link unsubscribed")
		}
		// One click, as a mail provider posts it: no cookie, no token, from elsewhere.
		r := anon.send(http.MethodPost, link, url.Values{"List-Unsubscribe": {"One-Click"}}, map[string]string{"Sec-Fetch-Site": "cross-site"})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `data-testid="unsubscribed"`) {
			t.Fatalf("one-click unsubscribe: %d", r.StatusCode)
		}
		p, _ := remind.PrefsOf(t.Context(), e.db, u.ID)
		if p.Digest != remind.DigestOff || p.Monthly {
			t.Fatalf("after unsubscribing: %+v", p)
		}
		var rows int64
		e.db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND user_id IS NULL", "reminder_prefs", u.ID).Count(&rows)
		if rows != 2 {
			t.Errorf("%d history rows by nobody, want 2", rows)
		}
		forged := "/unsubscribe/" + remind.UnsubscribeToken(remind.SigningKeys([][]byte{[]byte("not the app's key, thirty-two b!"), nil}), u.ID)
		for _, bad := range []string{forged, "/unsubscribe/nonsense"} {
			if r := anon.get(bad); r.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", bad, r.StatusCode)
			}
			if r := anon.send(http.MethodPost, bad, url.Values{"List-Unsubscribe": {"One-Click"}}, nil); r.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", bad, r.StatusCode)
			}
		}
	})
}

// The reminders page tells administrators that no email goes out without
// an SMTP server, lists the digests with their errors, failed first, and
// sends a failed one again.
func TestRemindersPage(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var mgr models.User
		e.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
		now := dbtest.Now()
		// The sent one first: the page lists the failed first whatever their order.
		e.db.Create(&remind.Digest{UserID: mgr.ID, Day: today().AddDays(-1), Content: "{}", Status: remind.StatusSent, Attempts: 1, SentAt: &now, NextTryAt: now, CreatedAt: now})
		failed := remind.Digest{UserID: mgr.ID, Day: today().AddDays(-2), Content: "{}", Status: remind.StatusFailed, Attempts: remind.MaxAttempts,
			LastError: "451 4.3.0 try again later", NextTryAt: now, CreatedAt: now}
		e.db.Create(&failed)
		admin := e.client()
		admin.login(models.RoleAdmin)
		page := admin.get("/reminders")
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page.Body))
		rows := doc.Find(`[data-testid="digest"]`)
		if page.StatusCode != http.StatusOK || doc.Find(`[data-testid="mailing-off"]`).Length() != 1 || rows.Length() != 2 ||
			!strings.Contains(rows.First().Text(), "451 4.3.0 try again later") {
			t.Fatalf("the reminders page: %d, %d rows\n%.3000s", page.StatusCode, rows.Length(), page.Body)
		}
		r := admin.post(fmt.Sprintf("/reminders/%d/retry", failed.ID), url.Values{"_csrf": {admin.token()}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("send again: %d", r.StatusCode)
		}
		e.db.First(&failed, failed.ID)
		if failed.Status != remind.StatusPending || failed.Attempts != 0 {
			t.Fatalf("after send again: %+v", failed)
		}
		if r := admin.post(fmt.Sprintf("/reminders/%d/retry", failed.ID), url.Values{"_csrf": {admin.token()}}); r.StatusCode != http.StatusSeeOther ||
			!strings.Contains(admin.get("/reminders").Body, "goes at once already") {
			t.Errorf("sending again one that waits already: %d", r.StatusCode)
		}
	})
}
