package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// TestAPIDeliveryWrites: milestones and readiness items written through the
// API go through the forms' checks and models' audited writes, for the
// engagements the token's owner manages; a stale If-Match merges with a
// change of another field and clashes (412) on the same one.
func TestAPIDeliveryWrites(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
			var bot uint
			db.Raw(`SELECT MIN(e.id) FROM engagements e WHERE e.model = 'BOT' AND (e.manager_id = ? OR e.id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?))
				AND e.id IN (SELECT engagement_id FROM readiness_items)`, mgr.ID, mgr.ID).Scan(&bot)
			if bot == 0 {
				t.Fatal("the demo manager manages no BOT engagement with a checklist")
			}
			audited := func(entity string, id uint, field string) {
				t.Helper()
				var n int64
				db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND field = ? AND user_id = ?", entity, id, field, mgr.ID).Count(&n)
				if n == 0 {
					t.Errorf("no history of %s %d's %s by the token's owner", entity, id, field)
				}
			}

			// A milestone: created, changed, merged, clashing.
			res := api.call(http.MethodPost, "/api/v1/milestones", map[string]any{"engagement_id": bot, "name": "API cut-over rehearsal",
				"planned": today().AddDays(40).String(), "is_key": true}, nil, true)
			if res.StatusCode != http.StatusCreated || !strings.HasPrefix(res.Header.Get("Location"), "/api/v1/milestones/") {
				t.Fatalf("POST milestone: %d %s", res.StatusCode, res.Body)
			}
			var m struct {
				ID    uint   `json:"id"`
				IsKey bool   `json:"is_key"`
				Name  string `json:"name"`
			}
			res.JSON(t, &m)
			audited(models.EntityMilestone, m.ID, "name")
			path := fmt.Sprintf("/api/v1/milestones/%d", m.ID)
			etag := res.Header.Get("ETag")
			if r := api.call(http.MethodPatch, path, map[string]any{"forecast": today().AddDays(45).String()}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusOK {
				t.Fatalf("PATCH milestone: %d %s", r.StatusCode, r.Body)
			}
			audited(models.EntityMilestone, m.ID, "forecast")
			if r := api.call(http.MethodPatch, path, map[string]any{"name": "API cut-over dress rehearsal"}, map[string]string{"If-Match": etag}, true); r.StatusCode != http.StatusOK {
				t.Errorf("stale PATCH of another field: %d %s", r.StatusCode, r.Body)
			}
			r := api.call(http.MethodPatch, path, map[string]any{"forecast": today().AddDays(50).String()}, map[string]string{"If-Match": etag}, true)
			if r.StatusCode != http.StatusPreconditionFailed || r.Problem(t).Errors[0].Field != "forecast" {
				t.Errorf("stale PATCH of the same field: %d %s", r.StatusCode, r.Body)
			}
			var stored models.Milestone
			db.First(&stored, m.ID)
			if stored.Name != "API cut-over dress rehearsal" || stored.Forecast != today().AddDays(45) || !stored.IsKey {
				t.Errorf("stored %+v", stored)
			}
			if r := api.call(http.MethodPatch, path, map[string]any{"actual": today().AddDays(5).String()}, map[string]string{"If-Match": api.get(path).Header.Get("ETag")}, true); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("a milestone done in the future: %d", r.StatusCode)
			}

			// A readiness item.
			var item models.ReadinessItem
			db.Where("engagement_id = ?", bot).Order("id").First(&item)
			ipath := fmt.Sprintf("/api/v1/readiness-items/%d", item.ID)
			ietag := api.get(ipath).Header.Get("ETag")
			if r := api.call(http.MethodPatch, ipath, map[string]any{"status": "finished"}, map[string]string{"If-Match": ietag}, true); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("an unknown status: %d", r.StatusCode)
			}
			r = api.call(http.MethodPatch, ipath, map[string]any{"status": "done", "owner": "API owner"}, map[string]string{"If-Match": ietag}, true)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("PATCH readiness: %d %s", r.StatusCode, r.Body)
			}
			db.First(&item, item.ID)
			if item.Status != models.ReadinessDone || item.Owner != "API owner" {
				t.Errorf("stored %+v", item)
			}
			audited(models.EntityReadinessItem, item.ID, "owner")
		})
	}
}
