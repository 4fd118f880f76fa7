package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portfolio/models"
)

// An admin changes the scoring settings: bad values are a 422 with the input
// kept; saved values apply to every page from then on, are recorded in the
// history, and leave stored scores and their history untouched.
func TestRiskSettings(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mgr := e.client()
		mgr.login(models.RoleManager)
		if r := mgr.get("/settings"); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager GET /settings: %d", r.StatusCode)
		}
		admin := e.client()
		admin.login(models.RoleAdmin)
		page := admin.get("/settings")
		if page.StatusCode != http.StatusOK {
			t.Fatalf("settings: %d", page.StatusCode)
		}
		form := scrapeForm(t, page, "#settings-form")
		if form.Get("low_max") != "4" || form.Get("cadence_Critical") != "30" || form.Get("likelihood_3_label") != "Possible" {
			t.Fatalf("settings form not filled: %v", form)
		}
		var scoresBefore int64
		e.db.Model(&models.Risk{}).Select("COALESCE(SUM(residual_score * id), 0)").Scan(&scoresBefore)
		var riskChanges int64
		e.db.Model(&models.Change{}).Where("entity = ?", "risk").Count(&riskChanges)

		bad := scrapeForm(t, page, "#settings-form")
		bad.Set("medium_max", "3") // below Low
		bad.Set("impact_2_label", "")
		bad.Set("cadence_High", "zero")
		r := admin.post("/settings", bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid settings: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, k := range []string{"bands", "impact_2", "cadence_High"} {
			if doc.Find(`[data-testid="error-`+k+`"]`).Length() == 0 && !(k == "bands" && doc.Find(`[data-testid="error-cadence_High"]`).Length() > 0) {
				t.Errorf("no error for %s", k)
			}
		}
		if v := doc.Find(`input[name="cadence_High"]`).AttrOr("value", ""); v != "zero" {
			t.Errorf("input not kept: %q", v)
		}

		form.Set("high_max", "14") // 15 and 16 become Critical
		form.Set("appetite", "6")
		form.Set("cadence_Critical", "14")
		form.Set("likelihood_5_label", "Near certain")
		if r := admin.post("/settings", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.500s", r.StatusCode, r.Body)
		}
		if !strings.Contains(admin.get("/settings").Body, "Settings saved") {
			t.Error("no success message")
		}
		s, err := models.LoadSettings(context.Background(), e.db)
		if err != nil {
			t.Fatal(err)
		}
		if s.Risk.HighMax != 14 || s.Risk.Appetite != 6 || s.Risk.Cadence[models.BandCritical] != 14 || s.Risk.Likelihood[4].Label != "Near certain" {
			t.Errorf("stored settings: %+v", s.Risk)
		}
		var ch models.Change
		e.db.Where("entity = ? AND field = ?", "setting", "risk").Order("id DESC").First(&ch)
		if !strings.Contains(ch.New, `"high_max":14`) || ch.UserID == nil {
			t.Errorf("settings history: %+v", ch)
		}
		var scoresAfter, riskChangesAfter int64
		e.db.Model(&models.Risk{}).Select("COALESCE(SUM(residual_score * id), 0)").Scan(&scoresAfter)
		e.db.Model(&models.Change{}).Where("entity = ?", "risk").Count(&riskChangesAfter)
		if scoresAfter != scoresBefore || riskChangesAfter != riskChanges {
			t.Error("changing settings rewrote stored scores or risk history")
		}
		// A residual 16 now reads Critical on the register.
		var r16 models.Risk
		if e.db.Where("residual_score = 16 AND status <> ?", models.StatusClosed).Limit(1).Find(&r16); r16.ID != 0 {
			row := admin.get(fmt.Sprintf("/risks?status=all&q=%s", r16.Ref)).Doc(t).Find(fmt.Sprintf("#risk-%d", r16.ID))
			if !strings.Contains(row.Find("td").Eq(5).Text(), "16 Critical") {
				t.Errorf("residual 16 after the change: %q", row.Find("td").Eq(5).Text())
			}
		}
	})
}
