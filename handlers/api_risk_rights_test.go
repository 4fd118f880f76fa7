package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// moveOnRead makes an administrator move risk id to engagement to, as if at
// the same moment, right after the nth read of the risks table once armed
// (outside transactions: the handlers' own reads). It returns the arming
// switch and how many moves it made.
func moveOnRead(t *testing.T, db *gorm.DB, id, to uint, nth int) (arm func(), moves *int) {
	t.Helper()
	armed, reads, n := false, 0, 0
	name := fmt.Sprintf("test:move-risk-%d", nth)
	if err := db.Callback().Query().After("gorm:query").Register(name, func(tx *gorm.DB) {
		if !armed || tx.Statement.Table != "risks" {
			return
		}
		if reads++; reads == nth {
			armed = false
			n++
			if err := tx.Session(&gorm.Session{NewDB: true}).Exec("UPDATE risks SET engagement_id = ?, version = version + 1 WHERE id = ?", to, id).Error; err != nil {
				t.Errorf("moving the risk: %v", err)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() { armed, reads = true, 0 }, &n
}

// formOf is the values a browser would post from the form sel of doc.
func formOf(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	doc.Find(sel).Find("input[name], textarea[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		switch goquery.NodeName(s) {
		case "textarea":
			v.Set(name, s.Text())
		case "select":
			val, _ := s.Find("option[selected]").Attr("value")
			v.Set(name, val)
		default:
			if typ, _ := s.Attr("type"); (typ == "checkbox" || typ == "radio") && !s.Is("[checked]") {
				return
			}
			val, _ := s.Attr("value")
			v.Set(name, val)
		}
	})
	return v
}

// TestAPIRiskMovedMeanwhileIsRefused: the rights are checked against the risk
// as it is at each save, not only as first read: an administrator moving a
// manager's risk to an engagement the manager does not manage between the
// manager's read and save (on the first load, or on the reload after a
// version clash) makes the manager's API write and form save a 403, nothing
// of theirs stored.
func TestAPIRiskMovedMeanwhileIsRefused(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			for _, nth := range []int{1, 2} {
				db := dbtest.Demo(t, kind)
				ae := newAPIEnv(t, db)
				f := newFixture(t, db)
				mgr := f.manager
				id := managedRisk(t, db, mgr.ID)
				home := *riskEngagement(t, db, id)
				arm, moves := moveOnRead(t, db, id, f.foreign, nth)

				// The API.
				api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
				path := fmt.Sprintf("/api/v1/risks/%d", id)
				etag := api.get(path).Header.Get("ETag")
				arm()
				res := api.call(http.MethodPatch, path, map[string]any{"title": "Written after the move"}, map[string]string{"If-Match": etag}, true)
				if *moves != 1 {
					t.Fatalf("read %d: the risk was moved %d times", nth, *moves)
				}
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("read %d: the API's PATCH of a risk moved meanwhile to a foreign engagement: %d\n%s", nth, res.StatusCode, res.Body)
				}
				var r models.Risk
				db.First(&r, id)
				if r.Title == "Written after the move" {
					t.Errorf("read %d: the API wrote a risk of an engagement the manager does not manage", nth)
				}

				// The form, on the same risk moved back.
				db.Exec("UPDATE risks SET engagement_id = ? WHERE id = ?", home, id)
				c := ae.client()
				c.login(models.RoleManager)
				edit := fmt.Sprintf("/risks/%d/edit", id)
				page := c.get(edit)
				if page.StatusCode != http.StatusOK {
					t.Fatalf("edit page: %d", page.StatusCode)
				}
				form := formOf(page.Doc(t), "#risk-form")
				form.Set("title", "Saved after the move")
				arm()
				post := c.post(fmt.Sprintf("/risks/%d", id), form)
				if *moves != 2 {
					t.Fatalf("read %d: the risk was moved %d times", nth, *moves)
				}
				if post.StatusCode != http.StatusForbidden {
					t.Errorf("read %d: the form's save of a risk moved meanwhile to a foreign engagement: %d", nth, post.StatusCode)
				}
				db.First(&r, id)
				if r.Title == "Saved after the move" {
					t.Errorf("read %d: the form wrote a risk of an engagement the manager does not manage", nth)
				}
			}
		})
	}
}

// TestAPIRiskMoveRights: a manager may not move their risk to an engagement
// they do not manage (403) nor make it portfolio-wide (422 on engagement:
// only administrators keep portfolio-wide risks); nothing is stored.
func TestAPIRiskMoveRights(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAPIEnv(t, db)
	f := newFixture(t, db)
	api := ae.api(tokenFor(t, db, f.manager, models.ScopeWrite, 0))
	id := managedRisk(t, db, f.manager.ID)
	home := *riskEngagement(t, db, id)
	path := fmt.Sprintf("/api/v1/risks/%d", id)
	for _, tc := range []struct {
		to   string
		want int
	}{{f.foreignCode(), http.StatusForbidden}, {"", http.StatusUnprocessableEntity}} {
		etag := api.get(path).Header.Get("ETag")
		r := api.call(http.MethodPatch, path, map[string]any{"engagement": tc.to}, map[string]string{"If-Match": etag}, true)
		if r.StatusCode != tc.want {
			t.Errorf("a move to %q: %d, want %d\n%s", tc.to, r.StatusCode, tc.want, r.Body)
		} else if p := r.Problem(t); tc.want == http.StatusUnprocessableEntity && (len(p.Errors) != 1 || p.Errors[0].Field != "engagement") {
			t.Errorf("a move to portfolio-wide: %+v, want a 422 naming engagement", p)
		}
		if got := riskEngagement(t, db, id); *got != home {
			t.Errorf("a refused move to %q stored engagement %d", tc.to, *got)
		}
	}
}
