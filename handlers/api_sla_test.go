package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// TestAPISLAResultWrites: a month's result recorded through the API is
// judged against the service level's target as the results form judges it,
// recorded once (409 after), corrected with the stale-write merge, and audited.
func TestAPISLAResultWrites(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
			var sla models.ServiceLevel
			db.Where(`NOT archived AND direction = ? AND engagement_id IN (SELECT id FROM engagements WHERE manager_id = ?)`, models.HigherIsBetter, mgr.ID).Order("id").First(&sla)
			if sla.ID == 0 {
				t.Fatal("the demo manager has no live higher-is-better service level")
			}
			body := map[string]any{"sla_id": sla.ID, "month": ym(month(0)), "actual": milli(sla.Target - 1000)}
			r := api.call(http.MethodPost, "/api/v1/sla-results", body, nil, true)
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("POST: %d %s", r.StatusCode, r.Body)
			}
			var res struct {
				ID  uint `json:"id"`
				Met bool `json:"met"`
			}
			r.JSON(t, &res)
			if res.Met {
				t.Errorf("a result below a higher-is-better target was judged met")
			}
			if again := api.call(http.MethodPost, "/api/v1/sla-results", body, nil, true); again.StatusCode != http.StatusConflict {
				t.Errorf("the same month again: %d", again.StatusCode)
			}
			path := fmt.Sprintf("/api/v1/sla-results/%d", res.ID)
			etag := r.Header.Get("ETag")
			if r := api.call(http.MethodPatch, path, map[string]any{"actual": milli(sla.Target)}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusOK {
				t.Fatalf("PATCH: %d %s", r.StatusCode, r.Body)
			} else if r.JSON(t, &res); !res.Met {
				t.Errorf("a result at the target was not judged met")
			}
			if r := api.call(http.MethodPatch, path, map[string]any{"note": "Corrected from the tool"}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusOK {
				t.Errorf("stale PATCH of the note: %d %s", r.StatusCode, r.Body)
			}
			if r := api.call(http.MethodPatch, path, map[string]any{"actual": "1"}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("stale PATCH of the result: %d %s", r.StatusCode, r.Body)
			}
			if r := api.call(http.MethodPatch, path, map[string]any{"actual": "lots"}, map[string]string{"If-Match": api.get(path).Header.Get("ETag")}, true); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("a result that is no number: %d", r.StatusCode)
			}
			var n int64
			db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND user_id = ?", models.EntitySLAMeasurement, res.ID, mgr.ID).Count(&n)
			if n < 3 {
				t.Errorf("%d history rows by the token's owner, want the result and both corrections", n)
			}
		})
	}
}

// milli writes thousandths as a decimal.
func milli(n int64) string { return fmt.Sprintf("%d.%03d", n/1000, n%1000) }

// TestAPISLAResultArchivedMeanwhile: a service level archived between the
// create's check and its save is a 422 on sla_id, as the update answers, not
// a 500.
func TestAPISLAResultArchivedMeanwhile(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
			var sla models.ServiceLevel
			db.Where(`NOT archived AND engagement_id IN (SELECT id FROM engagements WHERE manager_id = ?)`, mgr.ID).Order("id").First(&sla)
			if sla.ID == 0 {
				t.Fatal("the demo manager has no live service level")
			}
			armed := true
			if err := db.Callback().Query().After("gorm:query").Register("test:archive-sla", func(tx *gorm.DB) {
				if armed && tx.Statement.Table == "service_levels" {
					armed = false
					if err := tx.Session(&gorm.Session{NewDB: true}).Exec("UPDATE service_levels SET archived = ? WHERE id = ?", true, sla.ID).Error; err != nil {
						t.Errorf("archiving: %v", err)
					}
				}
			}); err != nil {
				t.Fatal(err)
			}
			r := api.call(http.MethodPost, "/api/v1/sla-results", map[string]any{"sla_id": sla.ID, "month": ym(month(0)), "actual": milli(sla.Target)}, nil, true)
			if armed {
				t.Fatal("the service level was not archived during the request")
			}
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("a service level archived meanwhile: %d %s", r.StatusCode, r.Body)
			}
			if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "sla_id" {
				t.Errorf("422 naming %+v, want sla_id", p.Errors)
			}
			var n int64
			db.Model(&models.SLAMeasurement{}).Where("service_level_id = ? AND month = ?", sla.ID, month(0)).Count(&n)
			if n != 0 {
				t.Errorf("%d results stored", n)
			}
		})
	}
}
