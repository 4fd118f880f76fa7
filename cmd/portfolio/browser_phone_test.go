package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// phoneWidth is a small phone's viewport in CSS pixels (an iPhone SE / mini).
const phoneWidth = 375

// overflowJS measures sideways overflow: how wide the document is against the
// width it is shown in, and the first elements that reach past it (for the
// failure message).
const overflowJS = `(() => {
	const se = document.scrollingElement, w = se.clientWidth;
	const wide = [];
	for (const el of document.querySelectorAll("body *")) {
		const r = el.getBoundingClientRect();
		if (r.width > 0 && r.right > w + 1 && wide.length < 5) {
			let clipped = false;
			for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
				const o = getComputedStyle(p).overflowX;
				if (o === "auto" || o === "scroll" || o === "hidden") { clipped = true; break; }
			}
			if (!clipped) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + String(el.className).trim().split(/\s+/).join(".") + " to " + Math.round(r.right) + "px");
		}
	}
	return {scroll: se.scrollWidth, client: w, wide: wide};
})()`

type overflow struct {
	Scroll int      `json:"scroll"`
	Client int      `json:"client"`
	Wide   []string `json:"wide"`
}

// checkNoOverflow fails when the current page scrolls sideways at a phone's width.
func checkNoOverflow(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	o := value(t, ctx, "measure "+page, chromedp.Evaluate[overflow](overflowJS))
	if o.Scroll > phoneWidth || o.Scroll > o.Client {
		t.Errorf("%s overflows at %d px: the document is %d px wide in %d px (%v)", page, phoneWidth, o.Scroll, o.Client, o.Wide)
	}
}

// On a 375 px phone the register and the engagements list read as cards and
// nothing scrolls sideways: the register, the engagements list, /account, a
// risk's quick-action page without JavaScript and the quarter's pack on screen.
func TestBrowserPhonePagesDoNotOverflow(t *testing.T) {
	base := startApp(t)
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript=%v", js), func(t *testing.T) {
			var ctx context.Context
			if js {
				ctx = browserWith(t, chromedp.WindowSize(phoneWidth, 800))
			} else {
				ctx = browserWith(t, chromedp.WindowSize(phoneWidth, 800), chromedp.Flag("blink-settings", "scriptEnabled=false"))
			}
			do(t, ctx, "phone viewport", chromedp.EmulateViewport(phoneWidth, 800))
			signIn(t, ctx, base, "admin")

			do(t, ctx, "register", chromedp.Navigate(base+"/risks"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-row"]`)))
			checkNoOverflow(t, ctx, "/risks")
			card := value(t, ctx, "read a register card", chromedp.Evaluate[map[string]any](`(() => {
				const row = document.querySelector('[data-testid="risk-row"]');
				const shown = sel => { const el = row.querySelector(sel); return !!el && getComputedStyle(el).display !== "none" && el.getBoundingClientRect().width > 0; };
				return {display: getComputedStyle(row).display, width: row.getBoundingClientRect().width,
					header: document.querySelector('[data-testid="risk-table"] thead').getBoundingClientRect().height,
					ref: shown(".c-ref"), title: shown(".c-title"), residual: shown(".c-res"), owner: shown(".c-owner"), review: shown(".c-review"),
					category: shown(".c-cat"), inherent: shown(".c-inh"),
					ownerLabel: getComputedStyle(row.querySelector(".c-owner"), "::before").content};
			})()`))
			if card["display"] != "flex" || card["header"].(float64) > 1 {
				t.Errorf("the register's rows are not cards at %d px: %v", phoneWidth, card)
			}
			for _, k := range []string{"ref", "title", "residual", "owner", "review"} {
				if card[k] != true {
					t.Errorf("a register card does not show its %s: %v", k, card)
				}
			}
			if card["category"] == true || card["inherent"] == true {
				t.Errorf("a register card shows what a phone does not need (category, inherent): %v", card)
			}
			if card["ownerLabel"] != `"Owner "` {
				t.Errorf("the owner is not labelled on the card: %v", card["ownerLabel"])
			}
			id := value(t, ctx, "a risk", chromedp.Evaluate[string](`document.querySelector('[data-testid="risk-row"]').id.replace("risk-", "")`))

			do(t, ctx, "engagements", chromedp.Navigate(base+"/engagements"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagement-row"]`)))
			checkNoOverflow(t, ctx, "/engagements")
			eng := value(t, ctx, "read an engagement card", chromedp.Evaluate[map[string]any](`(() => {
				const row = document.querySelector('[data-testid="engagement-row"]');
				const shown = sel => { const el = row.querySelector(sel); return !!el && getComputedStyle(el).display !== "none"; };
				return {display: getComputedStyle(row).display, name: shown(".c-name"), health: shown(".c-health"), phase: shown(".c-phase"), value: shown(".c-value"), tower: shown(".c-tower")};
			})()`))
			if eng["display"] != "flex" || eng["name"] != true || eng["health"] != true || eng["phase"] != true || eng["value"] != true || eng["tower"] == true {
				t.Errorf("the engagements list's rows are not cards of engagement, health, phase and value: %v", eng)
			}

			do(t, ctx, "account", chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="account"]`)))
			checkNoOverflow(t, ctx, "/account")

			quick := base + "/risks/" + id + "/quick?back=%2Frisks"
			do(t, ctx, "quick page", chromedp.Navigate(quick), chromedp.WaitVisible(chromedp.CSS(`[data-testid="quick-panel"]`)))
			checkNoOverflow(t, ctx, "/risks/"+id+"/quick")

			pack := "/reviews/" + models.DefaultFiscal.LastComplete(testToday()).String()
			do(t, ctx, "pack", chromedp.Navigate(base+pack), chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack-cover"]`)))
			checkNoOverflow(t, ctx, pack)
		})
	}
}
