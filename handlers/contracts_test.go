package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// A manager records their engagement's contract terms: bad input is 422
// with what they typed; a form someone else saved meanwhile is merged field
// by field; the notice deadline shows, and a decision at it is recorded by
// whom. An executive reads the contract without the forms.
func TestContractTerms(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		e.db.Model(&models.Engagement{}).Where("id = ?", mine.ID).Update("contract_end", today().AddDays(120))
		e.db.Where("engagement_id = ?", mine.ID).Delete(&models.ContractDecision{})
		e.db.Where("engagement_id = ?", mine.ID).Delete(&models.ContractTerms{})
		mgr := e.client()
		mgr.login(models.RoleManager)
		path := fmt.Sprintf("/engagements/%d/contract", mine.ID)
		page := mgr.get(path)
		form := scrapeForm(t, page, `#contract-form form`)

		bad := cloneValues(form)
		bad.Set("notice_days", "ninety")
		bad.Set("documents", "MSA | ref | not a link")
		r := mgr.post(path, bad)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "ninety") || !strings.Contains(r.Body, "not an http(s) address") {
			t.Fatalf("bad input: %d", r.StatusCode)
		}

		good := cloneValues(form)
		good.Set("notice_days", "90")
		good.Set("auto_renews", "1")
		good.Set("renewal_months", "12")
		good.Set("documents", "Master services agreement | MSA-1 | https://docs.example.com/msa")
		if r := mgr.post(path, good); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.2000s", r.StatusCode, r.Body)
		}
		terms, ok, _ := models.ContractTermsOf(t.Context(), e.db, mine.ID)
		if !ok || terms.NoticeDays != 90 || !terms.AutoRenews || terms.RenewalMonths != 12 {
			t.Fatalf("stored %+v", terms)
		}
		shown := mgr.get(path)
		deadline := today().AddDays(30)
		if !strings.Contains(shown.Body, deadline.Human()+", in 30 days") || !strings.Contains(shown.Body, "renews by itself for 12 months") ||
			!strings.Contains(shown.Body, `href="https://docs.example.com/msa"`) {
			t.Fatalf("the contract page does not show the deadline, renewal and document:\n%.4000s", shown.Body)
		}

		// Two people on one form: the admin changes the assistance, the manager the notice.
		admin := e.client()
		admin.login(models.RoleAdmin)
		theirs := scrapeForm(t, admin.get(path), `#contract-form form`)
		stale := scrapeForm(t, shown, `#contract-form form`)
		theirs.Set("assistance_months", "9")
		if r := admin.post(path, theirs); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin's save: %d", r.StatusCode)
		}
		stale.Set("notice_days", "120")
		if r := mgr.post(path, stale); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale save of another field: %d", r.StatusCode)
		}
		terms, _, _ = models.ContractTermsOf(t.Context(), e.db, mine.ID)
		if terms.NoticeDays != 120 || terms.AssistanceMonths != 9 {
			t.Fatalf("after the merge: %+v", terms)
		}

		// The decision at the deadline (the end less 120 days: passed 0 days ago, today).
		dec := scrapeForm(t, mgr.get(path), `[data-testid="decision-form"]`)
		if r := mgr.post(path+"/decision", dec); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a decision without a choice: %d", r.StatusCode)
		}
		dec.Set("decision", models.DecisionRenegotiate)
		dec.Set("note", "Rates too high")
		if r := mgr.post(path+"/decision", dec); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("decide: %d", r.StatusCode)
		}
		ds, _ := models.DecisionsOf(t.Context(), e.db, mine.ID)
		if len(ds) != 1 || ds[0].Decision != models.DecisionRenegotiate || !ds[0].Deadline.Equal(today().Time) || ds[0].UserID == nil {
			t.Fatalf("decisions: %+v", ds)
		}
		if body := mgr.get(path).Body; !strings.Contains(body, `data-testid="decided"`) || !strings.Contains(body, "Rates too high") {
			t.Error("the page does not show the decision")
		}

		exec := e.client()
		exec.login(models.RoleExecutive)
		if body := exec.get(path).Body; strings.Contains(body, `id="contract-form"`) || strings.Contains(body, `data-testid="decision-form"`) ||
			!strings.Contains(body, "renegotiate") {
			t.Error("an executive sees the forms, or not the decision")
		}
	})
}

// The dashboard lists the notice deadlines of the next 180 days, soonest
// first, a missed one marked, cut to its first rows with a link to the
// whole list, which the contracts page shows.
func TestDashboardNoticeDeadlines(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		// More deadlines than the dashboard shows: every open contract's, 30 days on and after.
		var open []models.Engagement
		e.db.Where("closed_on IS NULL AND contract_end >= ? AND id IN (SELECT engagement_id FROM contract_terms)", today()).Order("id").Find(&open)
		for i, en := range open {
			e.db.Model(&models.Engagement{}).Where("id = ?", en.ID).Update("contract_end", today().AddDays(120+i))
			e.db.Model(&models.ContractTerms{}).Where("engagement_id = ?", en.ID).Update("notice_days", 90)
			e.db.Where("engagement_id = ?", en.ID).Delete(&models.ContractDecision{})
		}
		rows, all, err := models.NoticeDeadlines(t.Context(), e.db, today(), models.NoticeWindowDays, 0)
		if err != nil || all == 0 {
			t.Fatalf("the demo has no notice deadline within 180 days: %v", err)
		}
		missed := false
		for _, r := range rows {
			missed = missed || r.Missed(today())
		}
		if !missed {
			t.Error("the demo has no deadline passed undecided")
		}
		exec := e.client()
		exec.login(models.RoleExecutive)
		doc := exec.get("/").Doc(t)
		shown := doc.Find(`[data-testid="notices-table"] tbody tr`)
		if shown.Length() == 0 || !strings.Contains(shown.First().Text(), rows[0].Code) {
			t.Fatalf("the dashboard's notice deadlines: %d rows, the first %q, want %s first", shown.Length(), shown.First().Text(), rows[0].Code)
		}
		if int64(shown.Length()) >= all {
			t.Fatalf("the dashboard shows all %d deadlines: the test wants more than it shows", all)
		}
		{
			cut := doc.Find(`[data-testid="notices-count"]`).Text()
			if !strings.Contains(cut, fmt.Sprintf("Showing %d of %d", shown.Length(), all)) || doc.Find(`[data-testid="notices-count"] a[href="/contracts"]`).Length() != 1 {
				t.Errorf("the cut list says %q", cut)
			}
		}
		list := exec.get("/contracts").Doc(t)
		if n := list.Find(`[data-testid="notices-table"] tbody tr`).Length(); int64(n) != all {
			t.Errorf("the contracts page lists %d deadlines, want %d", n, all)
		}
		if !strings.Contains(list.Find(`[data-testid="notices-table"]`).Text(), "passed undecided") {
			t.Error("the contracts page does not mark the missed deadline")
		}
	})
}

// cloneValues copies a form's values, so that two posts of one form differ only where set.
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// The notice deadlines export as CSV and XLSX with every row of the window,
// the same rows the page lists.
func TestExportNoticeDeadlines(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		exec := e.client()
		exec.login(models.RoleExecutive)
		_, all, _ := models.NoticeDeadlines(t.Context(), e.db, today(), 730, 0)
		r := exec.get("/contracts/export?days=730&format=csv")
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(r.Body, "\uFEFF")), "\n")
		if r.StatusCode != http.StatusOK || int64(len(lines)-1) != all || !strings.HasPrefix(lines[0], "Code,Engagement,Contract end") {
			t.Fatalf("CSV: %d, %d rows for %d deadlines\n%.500s", r.StatusCode, len(lines)-1, all, r.Body)
		}
		if !strings.Contains(r.Body, "passed undecided") {
			t.Error("the CSV does not mark the missed deadline")
		}
		if x := exec.get("/contracts/export?days=730&format=xlsx"); x.StatusCode != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
			t.Errorf("XLSX: %d", x.StatusCode)
		}
		if bad := exec.get("/contracts/export?format=pdf"); bad.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown format: %d", bad.StatusCode)
		}
	})
}

// A manager records the initial term's end, two renewal options and the
// price-review dates: a wrong line is 422 with what they typed; saved, the
// page lists the options with the days left to take each up, and marks the
// next price review.
func TestContractOptions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		mgr := e.client()
		mgr.login(models.RoleManager)
		path := fmt.Sprintf("/engagements/%d/contract", mine.ID)
		form := scrapeForm(t, mgr.get(path), `#contract-form form`)
		form.Set("auto_renews", "0")
		form.Set("renewal_months", "0")
		form.Set("initial_term_end", mine.StartDate.AddDays(-1).String())
		form.Set("renewal_options", "12 months | "+today().AddDays(40).String()+"\ntwo years | 2030-01-01")
		form.Set("price_reviews", today().AddDays(-30).String()+", "+today().AddDays(90).String())
		r := mgr.post(path, form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "line 2: &#34;two years&#34; is not a length") ||
			!strings.Contains(r.Body, "The initial term ends after the contract starts") {
			t.Fatalf("bad input: %d\n%.3000s", r.StatusCode, r.Body)
		}
		form.Set("initial_term_end", today().AddDays(100).String())
		form.Set("renewal_options", "12 months | "+today().AddDays(40).String()+"\n24 | "+today().AddDays(400).String())
		if r := mgr.post(path, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.2000s", r.StatusCode, r.Body)
		}
		terms, _, _ := models.ContractTermsOf(t.Context(), e.db, mine.ID)
		if !terms.InitialTermEnd.Equal(today().AddDays(100).Time) || terms.NextPriceReview(today()) != today().AddDays(90) {
			t.Fatalf("stored %+v", terms)
		}
		body := mgr.get(path).Body
		for _, want := range []string{"ends " + today().AddDays(100).Human(), today().AddDays(40).Human() + ` <span class="muted">in 40 days`,
			"24 months", "it ends, unless a renewal option is taken up", today().AddDays(90).Human() + `</strong> <span class="muted">(next, in 90 days)`} {
			if !strings.Contains(body, want) {
				t.Errorf("the contract page lacks %q", want)
			}
		}
	})
}
