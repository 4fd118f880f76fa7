package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// Two app instances on one database each cache what they read; a write
// through A is seen by the very next request to B, on every cached page,
// with B's requests coming all at once. B's caches are filled first (every
// page read twice), then A writes: a risk's title (the dashboard's top risks
// and the register), a user's name (B's cached signed-in user), a new vendor
// (the register's filter options), a quarter's commentary (the review pack)
// and a manager's new engagement (that manager's rights in the register).
func TestCachesAcrossInstances(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dbB := dbtest.Demo(t, kind)
			dbA := dbtest.Reopen(t, dbB)
			a, b := newEnv(t, dbA), newEnv(t, dbB)
			exec, mgr := b.client(), b.client()
			exec.login(models.RoleExecutive)
			mgr.login(models.RoleManager)
			_ = a // A's writes go through its database handle, as another instance's would

			var top models.Risk
			if err := dbA.Where("status <> ?", models.StatusClosed).
				Order("residual_score DESC, inherent_score DESC, next_review, id").First(&top).Error; err != nil {
				t.Fatal(err)
			}
			var review models.GovernanceReview
			if err := dbA.Where("quarter = ?", reviewQuarter()).Order("id").First(&review).Error; err != nil {
				t.Fatalf("the demo has no review of %s: %v", reviewQuarter(), err)
			}
			manager := demoUser(t, a, models.RoleManager)
			var other models.Engagement
			if err := dbA.Where("manager_id <> ? AND id NOT IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?)", manager.ID, manager.ID).
				Where("EXISTS (SELECT 1 FROM risks WHERE risks.engagement_id = engagements.id AND risks.status <> 'closed')").
				Order("id").First(&other).Error; err != nil {
				t.Fatal(err)
			}
			executive := demoUser(t, a, models.RoleExecutive)
			scoped := fmt.Sprintf("/engagements/%d/risks", other.ID)
			const quick = `data-testid="quick-actions"` // on the rows the user may change
			pk := "/reviews/" + reviewQuarter()

			type view struct {
				c    *client
				path string
			}
			views := []view{{exec, "/"}, {exec, "/risks"}, {exec, pk}, {mgr, scoped}, {mgr, "/risks"}}
			for range 2 {
				for _, v := range views {
					if r := v.c.get(v.path); r.StatusCode != http.StatusOK {
						t.Fatalf("%s: %d", v.path, r.StatusCode)
					}
				}
			}
			if strings.Contains(mgr.get(scoped).Body, quick) {
				t.Fatalf("the manager may already change %s's risks", other.Code)
			}

			const title, name, vendor, commentary = "Zebra crossing risk", "Zed Executive", "Zebra Outsourcing Ltd", "Zebra commentary for the board"
			for _, w := range []struct {
				sql  string
				args []any
			}{
				{"UPDATE risks SET title = ? WHERE id = ?", []any{title, top.ID}},
				{"UPDATE users SET name = ? WHERE id = ?", []any{name, executive.ID}},
				{"INSERT INTO vendors (name, country, delivery_locations, tier, expertise, track_record, financial_stability, cultural_fit, security_posture) VALUES (?, 'GB', 'London', 2, 3, 3, 3, 3, 3)", []any{vendor}},
				{"UPDATE governance_reviews SET commentary = ? WHERE id = ?", []any{commentary, review.ID}},
				{"INSERT INTO engagement_managers (engagement_id, user_id) VALUES (?, ?)", []any{other.ID, manager.ID}},
			} {
				if err := dbA.Exec(w.sql, w.args...).Error; err != nil {
					t.Fatalf("%s: %v", w.sql, err)
				}
			}

			bodies := make([]string, len(views))
			var wg sync.WaitGroup
			for i, v := range views {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := v.c.get(v.path)
					bodies[i] = fmt.Sprint(r.StatusCode) + "\n" + r.Body
				}()
			}
			wg.Wait()
			for i, want := range [][]string{{title, name}, {title, name, vendor}, {commentary, name}, {quick}, {}} {
				for _, s := range want {
					if !strings.Contains(bodies[i], s) {
						t.Errorf("B's %s after A's writes lacks %q", views[i].path, s)
					}
				}
				if !strings.HasPrefix(bodies[i], "200\n") {
					t.Errorf("B's %s: %s", views[i].path, bodies[i][:3])
				}
			}
		})
	}
}
