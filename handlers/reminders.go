package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/remind"
	"portfolio/views/pages"
	"portfolio/web"
)

// SetMailing tells the handlers how the server sends email (the reminders
// page says it; the account page says whether email is on) and where links
// point (calendar feeds).
func (a *App) SetMailing(m pages.Mailing) { a.mailing = m }

// baseURL is where links to the app point: the configured address, or the
// one this request came to.
func (a *App) baseURL(c echo.Context) string {
	if a.mailing.BaseURL != "" {
		return a.mailing.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// unreadFor is how long the bell's count of a user is cached. The notices
// it counts are refreshed every five minutes (cmd/portfolio noticesLoop), so
// a count cached this long is as true as the notices are, and saves a page
// its one statement beyond the data version. This instance's own changes to
// a user's notices clear their count at once; another instance's show
// within this time.
const unreadFor = 30 * time.Second

// unreadCounts are the bell's counts, each kept for a while. Hand-written
// (30 lines): golang-lru's expirable LRU starts a goroutine that never ends,
// one for every App the tests build, and a count is one int per user.
type unreadCounts struct {
	mu   sync.Mutex
	ttl  time.Duration
	now  func() time.Time // the app's clock
	seen map[uint]unreadCount
}

type unreadCount struct {
	n  int64
	at time.Time
}

func newUnreadCounts(ttl time.Duration, now func() time.Time) *unreadCounts {
	return &unreadCounts{ttl: ttl, now: now, seen: map[uint]unreadCount{}}
}

// Get is the user's count if it was kept less than ttl ago.
func (u *unreadCounts) Get(id uint) (int64, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	c, ok := u.seen[id]
	return c.n, ok && u.now().Sub(c.at) < u.ttl
}

// Add keeps a count; past 10,000 users it starts again, which costs a count each.
func (u *unreadCounts) Add(id uint, n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.seen) >= 10_000 {
		clear(u.seen)
	}
	u.seen[id] = unreadCount{n, u.now()}
}

// Remove forgets a user's count.
func (u *unreadCounts) Remove(id uint) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.seen, id)
}

// Purge forgets every count.
func (u *unreadCounts) Purge() {
	u.mu.Lock()
	defer u.mu.Unlock()
	clear(u.seen)
}

// countUnread is the header bell's count, cached.
func (a *App) countUnread(ctx context.Context, userID uint) (int64, error) {
	if n, ok := a.unread.Get(userID); ok {
		return n, nil
	}
	n, err := remind.Unread(ctx, a.db, userID)
	if err == nil {
		a.unread.Add(userID, n)
	}
	return n, err
}

// NoticesChanged clears the cached counts of the bell after the server's
// refresh of everyone's notices.
func (a *App) NoticesChanged() { a.unread.Purge() }

// notifications lists the user's notices as of now (the server refreshes
// everyone's stored notices, which the bell counts, every few minutes; this
// page reads the items live, and writes nothing). Route: notifications.index.
func (a *App) notifications(c echo.Context) error {
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	list, err := remind.Live(ctx, a.db, s, u.ID, a.today())
	if err != nil {
		return err
	}
	p := pages.NotificationsProps{Notices: list}
	for _, n := range list {
		if n.Unread() {
			p.Unread++
		}
	}
	p.Chrome = web.Chrome(c, "Notifications", "notifications")
	p.Chrome.Unread = int64(p.Unread)
	return web.Render(c, http.StatusOK, pages.Notifications(p), nil)
}

// notificationsRead brings the user's notices up to date and marks them
// read: those named in keys (the ones the page showed), or all. htmx gets
// the header's bell back; a plain post goes back to the page.
// Route: notifications.read.
func (a *App) notificationsRead(c echo.Context) error {
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	var keys []string
	for _, k := range strings.Split(c.FormValue("keys"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) > 1000 {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Too many notifications at once: mark them all read instead.")
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	if err := remind.Sync(ctx, a.db, s, u.ID, a.today(), a.Now()); err != nil {
		return err
	}
	n, err := remind.MarkRead(ctx, a.db, u.ID, keys, a.Now())
	a.unread.Remove(u.ID)
	if err != nil {
		return err
	}
	if web.IsHTMX(c) {
		ch := web.Chrome(c, "Notifications", "notifications")
		return web.Render(c, http.StatusOK, pages.MarkedRead(ch), nil)
	}
	if n > 0 {
		web.AddFlash(c, "success", pluralise(int(n), "notification")+" marked read.")
	}
	return web.Redirect(c, "/notifications")
}

// pluralise is "1 notification" or "3 notifications".
func pluralise(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// accountEmail keeps the user's choice of email. Route: account.email.
// A choice that is not one of the three → 422 with the page as it was. Only
// what the user changed from what the form showed is saved, so a second tab
// (or an unsubscribe link followed meanwhile) keeps its change; where both
// changed the same choice differently → 409 with the user's as typed.
func (a *App) accountEmail(c echo.Context) error {
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	mine := remind.Prefs{UserID: u.ID, Digest: c.FormValue("digest"), Monthly: c.FormValue("monthly") == "1"}
	switch mine.Digest {
	case remind.DigestDaily, remind.DigestWeekly, remind.DigestOff:
	default:
		return a.renderAccountWith(c, http.StatusUnprocessableEntity, map[string]string{"digest": "Choose daily, weekly or off."}, &mine)
	}
	cur, err := remind.PrefsOf(ctx, a.db, u.ID)
	if err != nil {
		return err
	}
	next := cur
	shownDigest, shownMonthly := c.FormValue("shown_digest"), c.FormValue("shown_monthly")
	conflict := false
	if shownDigest == "" || mine.Digest != shownDigest { // changed here (a form without what it showed: all of it)
		conflict = shownDigest != "" && cur.Digest != shownDigest && cur.Digest != mine.Digest
		next.Digest = mine.Digest
	}
	if shownMonthly == "" || mine.Monthly != (shownMonthly == "1") {
		conflict = conflict || (shownMonthly != "" && cur.Monthly != (shownMonthly == "1") && cur.Monthly != mine.Monthly)
		next.Monthly = mine.Monthly
	}
	if conflict {
		return a.renderAccountWith(c, http.StatusConflict, map[string]string{"_form": "Your email choices were changed elsewhere (another tab, or an unsubscribe link) since this page was opened: " +
			"the page now shows yours as typed; save again to keep them."}, &mine)
	}
	if err := remind.SavePrefs(ctx, a.db, next, &u.ID, a.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your email choices are saved.")
	return web.Redirect(c, "/account#email")
}

// unsubscriber reads the user an unsubscribe link is for; a link not
// signed by this app, or for an account that is gone, is not found.
func (a *App) unsubscriber(c echo.Context) (models.User, error) {
	u, ok, err := remind.Unsubscriber(c.Request().Context(), a.db, remind.SigningKeys(a.SessionKeys()), c.Param("token"))
	if err == nil && !ok {
		err = web.ErrNotFound
	}
	return u, err
}

// unsubscribeAsk asks before turning email off: a link opened by a mail
// scanner changes nothing. Route: unsubscribe.ask (Public: the signature is the key).
func (a *App) unsubscribeAsk(c echo.Context) error {
	u, err := a.unsubscriber(c)
	if err != nil {
		return err
	}
	p := pages.UnsubscribeProps{Email: u.Email, Action: c.Request().URL.Path, Chrome: web.Chrome(c, "Email from Portfolio", "")}
	return web.Render(c, http.StatusOK, pages.Unsubscribe(p), nil)
}

// unsubscribe turns the link's user's email off: the page's button, or a
// mail provider's one-click post (RFC 8058). Route: unsubscribe.do (Public,
// no CSRF token: see web.UnsubscribePrefix).
func (a *App) unsubscribe(c echo.Context) error {
	u, err := a.unsubscriber(c)
	if err != nil {
		return err
	}
	if err := remind.Unsubscribe(c.Request().Context(), a.db, u.ID, a.Now()); err != nil {
		return err
	}
	a.Log().Info("reminders: unsubscribed by link", "user_id", u.ID, "one_click", c.FormValue("List-Unsubscribe") == "One-Click")
	p := pages.UnsubscribeProps{Email: u.Email, Done: true, Chrome: web.Chrome(c, "Email from Portfolio", "")}
	return web.Render(c, http.StatusOK, pages.Unsubscribe(p), nil)
}

// digestDays is how far back the reminders page lists digests.
const digestDays = 14

// reminders is the administrators' page of email reminders: how they are
// sent, and the digests of the last two weeks. Route: reminders.index.
func (a *App) reminders(c echo.Context) error {
	ctx := c.Request().Context()
	today := remind.LocalDay(a.Now(), time.Local) // the digests' day is the server's date (remind.Schedule)
	p := pages.RemindersProps{Mail: a.mailing, Today: today, Since: today.AddDays(-digestDays)}
	var err error
	if p.ComposedAt, p.Composed, err = remind.Composed(ctx, a.db, today); err != nil {
		return err
	}
	if p.Digests, p.Total, err = remind.RecentDigests(ctx, a.db, p.Since, 200); err != nil {
		return err
	}
	p.Chrome = web.Chrome(c, "Email reminders", "reminders")
	return web.Render(c, http.StatusOK, pages.Reminders(p), nil)
}

// reminderRetry sends a failed or waiting digest at once: the server's
// sender takes it within a minute. Route: reminders.retry.
func (a *App) reminderRetry(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	switch err := remind.RetryDigest(c.Request().Context(), a.db, id, u.ID, a.Now()); {
	case errors.Is(err, remind.ErrNotFailed):
		web.AddFlash(c, "info", "That digest has not failed: it was sent, or goes at once already.")
	case err != nil:
		return err
	case a.mailing.On:
		web.AddFlash(c, "success", "The digest goes within a minute.")
	default:
		web.AddFlash(c, "success", "The digest goes once this server has an SMTP server to send through.")
	}
	return web.Redirect(c, "/reminders")
}

// DigestFigures are the dashboard's headline figures for the monthly
// portfolio digest: the cards the dashboard shows, in words.
func DigestFigures(db *models.DB) func(context.Context, models.Settings, models.Date) ([]remind.Figure, error) {
	return func(ctx context.Context, s models.Settings, today models.Date) ([]remind.Figure, error) {
		d, err := models.LoadDashboard(ctx, db, s, today)
		if err != nil {
			return nil, err
		}
		var out []remind.Figure
		for _, card := range pages.DashboardCards(pages.DashboardProps{D: d, Cur: s.Finance.ReportingCurrency, Risk: s.Risk}) {
			note := card.Note
			for i, l := range card.NoteLinks {
				if i > 0 {
					note += ", "
				}
				note += l.Text
			}
			if card.Variance != "" {
				note += " · " + card.Variance + " against plan"
			}
			out = append(out, remind.Figure{Label: card.Label, Value: card.Value, Note: note, Link: card.Href, Provisional: len(card.Provisional) > 0})
		}
		return out, nil
	}
}
