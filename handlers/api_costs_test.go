package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// TestAPICostWrites: a month of costs recorded through the API follows the
// form's rules (a month not begun is refused, a month recorded is 409 naming
// its record) and models' audited write; an edit merges a stale If-Match.
func TestAPICostWrites(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
			eng := *riskEngagement(t, db, managedRisk(t, db, mgr.ID))
			body := map[string]any{"engagement_id": eng, "month": ym(month(1)), "baseline": 1000000, "vendor_fees": 600000, "planned_savings": 250000}
			if r := api.call(http.MethodPost, "/api/v1/cost-records", body, nil, true); r.StatusCode != http.StatusUnprocessableEntity || r.Problem(t).Errors[0].Field != "month" {
				t.Errorf("a month not begun: %d %s", r.StatusCode, r.Body)
			}
			body["month"] = ym(month(0))
			r := api.call(http.MethodPost, "/api/v1/cost-records", body, nil, true)
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("POST: %d %s", r.StatusCode, r.Body)
			}
			var rec struct {
				ID       uint  `json:"id"`
				Baseline int64 `json:"baseline"`
			}
			r.JSON(t, &rec)
			if rec.Baseline != 1000000 || r.Header.Get("Location") != fmt.Sprintf("/api/v1/cost-records/%d", rec.ID) {
				t.Errorf("created %+v at %q", rec, r.Header.Get("Location"))
			}
			if again := api.call(http.MethodPost, "/api/v1/cost-records", body, nil, true); again.StatusCode != http.StatusConflict {
				t.Errorf("the same month again: %d", again.StatusCode)
			}
			path := fmt.Sprintf("/api/v1/cost-records/%d", rec.ID)
			etag := r.Header.Get("ETag")
			if r := api.call(http.MethodPatch, path, map[string]any{"credits": 5000}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusOK {
				t.Fatalf("PATCH: %d %s", r.StatusCode, r.Body)
			}
			if r := api.call(http.MethodPatch, path, map[string]any{"retained": 70000}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusOK {
				t.Errorf("stale PATCH of another figure: %d %s", r.StatusCode, r.Body)
			}
			if r := api.call(http.MethodPatch, path, map[string]any{"credits": 6000}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("stale PATCH of the same figure: %d %s", r.StatusCode, r.Body)
			}
			var stored models.CostRecord
			db.First(&stored, rec.ID)
			if stored.Credits != 5000 || stored.Retained != 70000 || stored.Baseline != 1000000 {
				t.Errorf("stored %+v", stored)
			}
			var n int64
			db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND user_id = ?", "cost", rec.ID, mgr.ID).Count(&n)
			if n < 3 {
				t.Errorf("%d history rows by the token's owner, want the creation and both edits", n)
			}
		})
	}
}
