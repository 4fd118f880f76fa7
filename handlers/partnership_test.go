package handlers_test

import (
	"fmt"

	"github.com/PuerkitoBio/goquery"
	"net/http"
	"strings"
	"testing"

	"portfolio/models"
)

// A manager records their engagement's partnership survey of the quarter: a
// score missing is 422 with what they typed; the trend shows it; a score of
// 1 suggests a risk, which they accept into the register (opened for them
// to assess) or dismiss (here it fell from the demo's score last quarter). The dashboard names the partnerships cooling.
func TestPartnershipSurvey(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		mgr := e.client()
		mgr.login(models.RoleManager)
		path := fmt.Sprintf("/engagements/%d/partnership", mine.ID)
		form := scrapeForm(t, mgr.get(path), `#survey-form form`)
		form.Set("communication_note", "Calls kept weekly.")
		for _, d := range models.SurveyDimensions {
			form.Set(d.Key, "4")
		}
		form.Set("innovation", "")
		r := mgr.post(path, form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Score Innovation from 1 to 5.") || !strings.Contains(r.Body, "Calls kept weekly.") {
			t.Fatalf("a score missing: %d", r.StatusCode)
		}
		form.Set("innovation", "1")
		if r := mgr.post(path, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.2000s", r.StatusCode, r.Body)
		}
		s, _ := models.LoadSettings(t.Context(), e.db)
		q := s.Fiscal().QuarterOf(today()).String()
		sv, ok, _ := models.SurveyOf(t.Context(), e.db, mine.ID, q)
		if !ok || sv.Innovation != 1 || sv.Communication != 4 || sv.CommunicationNote != "Calls kept weekly." {
			t.Fatalf("stored %+v", sv)
		}
		// Two tabs on the saved survey: the admin changes a comment, the manager a score; both are kept.
		admin := e.client()
		admin.login(models.RoleAdmin)
		theirs := scrapeForm(t, admin.get(path), `#survey-form form`)
		stale := scrapeForm(t, mgr.get(path), `#survey-form form`)
		theirs.Set("service_quality_note", "Incidents closed within a day.")
		if r := admin.post(path+"?quarter="+q, theirs); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's save: %d", r.StatusCode)
		}
		stale.Set("responsiveness", "5")
		if r := mgr.post(path+"?quarter="+q, stale); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale save of another field: %d", r.StatusCode)
		}
		sv, _, _ = models.SurveyOf(t.Context(), e.db, mine.ID, q)
		if sv.Responsiveness != 5 || sv.ServiceQualityNote != "Incidents closed within a day." || sv.Innovation != 1 {
			t.Fatalf("after the merge: %+v", sv)
		}
		page := mgr.get(path).Doc(t)
		if !strings.Contains(page.Find(`[data-testid="survey-trend"]`).Text(), q) {
			t.Error("the trend lacks the quarter just recorded")
		}
		sg := page.Find(`[data-testid="suggestion"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Text(), "Innovation fell from") && strings.Contains(s.Text(), "to 1 since")
		})
		if sg.Length() != 1 {
			t.Fatalf("no suggested risk for innovation's fall to 1:\n%s", page.Find(`[data-testid="suggestions"]`).Text())
		}
		action, _ := sg.Find("form").Attr("action")
		r = mgr.post(action, map[string][]string{"_csrf": {mgr.token()}, "decision": {"accept"}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/risks/") {
			t.Fatalf("accept: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		var risk models.Risk
		e.db.Where("engagement_id = ? AND category = ? AND title LIKE ?", mine.ID, "Cultural & organisational fit", "Partnership: innovation%").First(&risk)
		if risk.ID == 0 || fmt.Sprintf("/risks/%d", risk.ID) != r.Header.Get("Location") {
			t.Fatalf("the accepted risk: %+v", risk)
		}
		if r := mgr.post(action, map[string][]string{"_csrf": {mgr.token()}, "decision": {"accept"}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("accepting twice: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.Risk{}).Where("engagement_id = ? AND title LIKE ?", mine.ID, "Partnership: innovation%").Count(&n)
		if n != 1 {
			t.Errorf("%d risks after accepting twice", n)
		}

		exec := e.client()
		exec.login(models.RoleExecutive)
		dash := exec.get("/").Doc(t)
		cooling := dash.Find(`[data-testid="cooling-table"]`).Text()
		if !strings.Contains(cooling, "BOT-PL-02") || !strings.Contains(cooling, mine.Code) {
			t.Errorf("the dashboard's cooling partnerships lack BOT-PL-02 or %s:\n%s", mine.Code, cooling)
		}
		if body := exec.get(path).Body; strings.Contains(body, `id="survey-form"`) {
			t.Error("an executive sees the survey form")
		}
	})
}

// The cooling partnerships export as CSV and XLSX, the same rows the page lists.
func TestExportPartnerships(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		exec := e.client()
		exec.login(models.RoleExecutive)
		_, all, _ := models.CoolingPartnerships(t.Context(), e.db, 0)
		r := exec.get("/partnerships/export?format=csv")
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(r.Body, "\uFEFF")), "\n")
		if r.StatusCode != http.StatusOK || all == 0 || int64(len(lines)-1) != all || !strings.Contains(r.Body, "BOT-PL-02") {
			t.Fatalf("CSV: %d, %d rows for %d partnerships\n%.500s", r.StatusCode, len(lines)-1, all, r.Body)
		}
		page := exec.get("/partnerships").Doc(t)
		if n := page.Find(`[data-testid="cooling-table"] tbody tr`).Length(); int64(n) != all {
			t.Errorf("the page lists %d, the export %d", n, all)
		}
		if x := exec.get("/partnerships/export?format=xlsx"); x.StatusCode != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
			t.Errorf("XLSX: %d", x.StatusCode)
		}
	})
}
