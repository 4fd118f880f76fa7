package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A manager filters the register to the overdue reviews, records a review from
// a row's quick actions (fetched when they are opened), sees that row change in
// place without a page load (a marker set on window survives), and then finds
// the review in the risk's history.
func TestBrowserRiskRegisterQuickAction(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "manager")
	do(t, ctx, "open the register",
		chromedp.Navigate(base+"/risks"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-table"]`)))
	checkAccessibility(t, ctx, "/risks")
	before := text(t, ctx, `[data-testid="risk-count"]`)

	// The filter is an htmx partial: the page stays, the URL follows.
	value(t, ctx, "set the marker", chromedp.Evaluate[bool](`window.__keep = "same page"; true`))
	do(t, ctx, "filter to overdue reviews", chromedp.Click(chromedp.CSS(`input[name="overdue"]`)))
	// Settled too: htmx makes the new rows' quick actions fetch their forms
	// only once it has processed them (until then a row's disclosure holds
	// the link to its quick actions' page, as without JavaScript).
	value(t, ctx, "wait for the filtered table", chromedp.Poll[bool](`location.search.includes("overdue=1") && document.querySelectorAll('[data-testid="risk-row"]').length > 0 &&
			[...document.querySelectorAll('[data-testid="risk-row"]')].every(r => r.querySelector('[data-testid="overdue"]')) &&
			!document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping')`))
	if after := text(t, ctx, `[data-testid="risk-count"]`); after == before {
		t.Fatalf("the count did not change with the filter: %q", after)
	}
	// The first overdue row the manager may change.
	id := value(t, ctx, "find an editable row", chromedp.Evaluate[string](
		`(document.querySelector('[data-testid="risk-row"] [data-testid="quick-actions"]') || {closest: () => ({id: ""})}).closest("tr").id`))
	if id == "" {
		t.Fatal("no overdue risk the demo manager may update")
	}
	row := "#" + id
	ref := text(t, ctx, row+" td a")
	do(t, ctx, "open the row's quick actions",
		chromedp.Click(chromedp.CSS(row+` [data-testid="quick-actions"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(row+` form.quick-review button`)))
	// The forms were fetched: htmx posts them once it has processed them
	// (until then a form posts as without JavaScript).
	value(t, ctx, "wait for the forms to settle", chromedp.Poll[bool](`!document.querySelector("`+row+` .htmx-added, `+row+` .htmx-settling")`))
	do(t, ctx, "record a review from the row",
		chromedp.Click(chromedp.CSS(row+` form.quick-review button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash [data-testid="flash"]`)))
	value(t, ctx, "wait for the row", chromedp.Poll[bool](`!document.querySelector("`+row+` [data-testid='overdue']")`))
	if msg := text(t, ctx, `#flash [data-testid="flash"]`); !strings.Contains(msg, "Review of "+ref+" recorded") {
		t.Errorf("success message %q", msg)
	}
	if kept := value(t, ctx, "read the marker", chromedp.Evaluate[string](`window.__keep || ""`)); kept != "same page" {
		t.Fatal("the page reloaded: the row was not swapped in place")
	}
	if review := text(t, ctx, row+` [data-testid="risk-review"]`); strings.Contains(review, "Overdue") || review == "" {
		t.Errorf("the row still shows %q", review)
	}

	// The risk's page shows the review in its history.
	do(t, ctx, "open the risk",
		chromedp.Click(chromedp.CSS(row+" td a")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-history"]`)))
	first := text(t, ctx, `[data-testid="risk-history"] tbody tr`)
	if !strings.Contains(first, "review") || !strings.Contains(first, "Next review") || !strings.Contains(first, "Priya Raman") {
		t.Errorf("the newest history row is %q", first)
	}
	checkAccessibility(t, ctx, "risk page")
}

// The risk form's score preview follows the levels as they are chosen (htmx),
// and a form with errors keeps what was typed.
func TestBrowserRiskFormPreview(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "manager")
	do(t, ctx, "open the form",
		chromedp.Navigate(base+"/risks/new"),
		chromedp.WaitVisible(chromedp.CSS(`#risk-form`)))
	checkAccessibility(t, ctx, "/risks/new")
	do(t, ctx, "choose levels",
		chromedp.SetValue(chromedp.CSS(`select[name="inherent_likelihood"]`), "4"),
		chromedp.SetValue(chromedp.CSS(`select[name="inherent_impact"]`), "4"),
		chromedp.SetValue(chromedp.CSS(`select[name="residual_likelihood"]`), "5"),
		chromedp.SetValue(chromedp.CSS(`select[name="residual_impact"]`), "5"))
	value(t, ctx, "fire change", chromedp.Evaluate[bool](`document.querySelector('select[name="residual_impact"]').dispatchEvent(new Event("change", {bubbles: true}))`))
	value(t, ctx, "wait for the preview", chromedp.Poll[bool](`document.querySelector('[data-testid="score-preview"]').textContent.includes("25 Critical")`))
	preview := value(t, ctx, "read the preview", chromedp.Evaluate[string](`document.querySelector('[data-testid="score-preview"]').textContent`))
	for _, want := range []string{"16 High", "25 Critical", "Out of appetite"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q: %s", want, preview)
		}
	}
	if !strings.Contains(preview, "residual score is above the inherent") {
		t.Error("no warning for a residual above the inherent score")
	}
	// Submitting without a title: 422, the levels kept, the error beside the field.
	do(t, ctx, "submit without a title",
		chromedp.Click(chromedp.CSS(`[data-testid="save-risk"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-title"]`)))
	if v := value(t, ctx, "read a kept level", chromedp.Value(chromedp.CSS(`select[name="residual_impact"]`))); v != "5" {
		t.Errorf("the residual impact was not kept: %q", v)
	}
}

// Two tabs on the same risk: tab A changes its title and saves; tab B, opened
// before, changes only the residual likelihood and saves. Both changes are
// kept (B's save is merged, and says with whose change), and the risk's
// history shows both.
func TestBrowserTwoTabsKeepBothChanges(t *testing.T) {
	tabA := browser(t)
	base := startApp(t)
	signIn(t, tabA, base, "manager")
	do(t, tabA, "open the register", chromedp.Navigate(base+"/risks"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-table"]`)))
	row := value(t, tabA, "find a risk the manager may change", chromedp.Evaluate[string](
		`(document.querySelector('[data-testid="risk-row"] [data-testid="quick-actions"]') || {closest: () => ({id: ""})}).closest("tr").id`))
	id := strings.TrimPrefix(row, "risk-")
	if id == "" {
		t.Fatal("no risk the demo manager may change")
	}
	tabB, closeB := chromedp.NewContext(tabA) // a second tab of the same browser, signed in alike
	defer closeB()
	edit := base + "/risks/" + id + "/edit"
	for _, tab := range []context.Context{tabA, tabB} {
		do(t, tab, "open the edit form", chromedp.Navigate(edit), chromedp.WaitVisible(chromedp.CSS(`#risk-form`)))
	}
	do(t, tabA, "retitle in tab A",
		chromedp.SetValue(chromedp.CSS(`#risk-form input[name="title"]`), "Retitled in tab A"),
		chromedp.Click(chromedp.CSS(`[data-testid="save-risk"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-history"]`)))
	likelihood := value(t, tabB, "read the likelihood", chromedp.Value(chromedp.CSS(`#risk-form select[name="residual_likelihood"]`)))
	next := "1"
	if likelihood == "1" {
		next = "2"
	}
	do(t, tabB, "change the likelihood in tab B",
		chromedp.SetValue(chromedp.CSS(`#risk-form select[name="residual_likelihood"]`), next),
		chromedp.Click(chromedp.CSS(`[data-testid="save-risk"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-history"]`)))
	if msg := text(t, tabB, `#flash`); !strings.Contains(msg, "merged with a change by Priya Raman") {
		t.Errorf("tab B's message: %q", msg)
	}
	if h := text(t, tabB, `h1`); !strings.Contains(h, "Retitled in tab A") {
		t.Errorf("tab B's save reverted the title: %q", h)
	}
	history := text(t, tabB, `[data-testid="risk-history"] tbody`)
	if !strings.Contains(history, "Retitled in tab A") || !strings.Contains(history, "Residual likelihood") {
		t.Errorf("the history lacks one of the two changes:\n%s", history)
	}
	checkAccessibility(t, tabB, "the risk after a merged save")
}
