package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portfolio/models"
	"portfolio/models/remind"
)

// syncNotices does what the server's background refresh does: everyone's
// notices stored, the bell's cached counts cleared.
func syncNotices(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
	s, err := models.LoadSettings(ctx, a.db)
	if err == nil {
		err = remind.Sync(ctx, a.db, s, 0, a.clock.Today(), a.clock.Now())
	}
	if err != nil {
		t.Fatal(err)
	}
	a.server.NoticesChanged()
}

// waitGone waits (up to 15 s) until nothing on the page matches css.
func waitGone(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if gone := value(t, ctx, "look for "+css, chromedp.Evaluate[bool](`document.querySelector(`+"`"+css+"`"+`) === null`)); gone {
			return
		}
	}
	t.Fatalf("%s is still on the page", css)
}

// The bell counts a manager's notices; following it opens the list, new ones
// marked, and the page marks them read (the bell's count goes, without a
// reload). Without JavaScript the page's button does it.
func TestBrowserNotifications(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	syncNotices(t, a)
	signIn(t, ctx, base, models.RoleManager)
	count := text(t, ctx, `[data-testid="bell-count"]`)
	if count == "" || count == "0" {
		t.Fatalf("the bell counts %q", count)
	}
	do(t, ctx, "follow the bell", chromedp.Click(chromedp.CSS(`[data-testid="bell"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice"]`)))
	if news := value(t, ctx, "new notices", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="notice"] .badge-new').length`)); news == 0 {
		t.Error("no notice is marked new")
	}
	waitGone(t, ctx, `[data-testid="bell-count"]`)
	waitGone(t, ctx, `#mark-read`)
	checkAccessibility(t, ctx, "/notifications")

	// Without JavaScript: the notices unread again, the button marks them read.
	a.db.Model(&remind.Notice{}).Where("read_at IS NOT NULL").Update("read_at", nil)
	a.server.NoticesChanged()
	plain := browserWith(t, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	signIn(t, plain, base, models.RoleManager)
	do(t, plain, "open the notifications", chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible(chromedp.CSS(`#mark-read button`)))
	do(t, plain, "mark all read", chromedp.Click(chromedp.CSS(`#mark-read button`)), chromedp.WaitVisible(chromedp.CSS(`.flash-success`)))
	if msg := text(t, plain, `.flash-success`); !strings.Contains(msg, "marked read") {
		t.Errorf("the flash says %q", msg)
	}
	if n := value(t, plain, "bell", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="bell-count"]').length`)); n != 0 {
		t.Error("the bell still counts after marking all read")
	}
}
