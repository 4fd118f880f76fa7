package handlers_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"portfolio/models"
)

// createCase is one form that creates a record: where it is rendered and posted,
// input that makes it valid, one value it refuses, and how a success answers.
type createCase struct {
	name, page, form, action string
	table                    string           // where the record is stored
	fill                     url.Values       // set over the rendered form: valid input
	bad                      [2]string        // a field and a value the form refuses
	again                    func(url.Values) // makes a second record different from the first
	redirect                 string           // how the success's address begins
	htmx                     bool             // the form also posts with htmx: a success answers HX-Redirect
	hxOK                     int              // instead of HX-Redirect, a success answers this status with the updated section
}

// Every create form runs the one cycle (web.SaveNew): input with an error
// answers 422 with every value typed kept (as a partial for htmx), and valid
// input answers 303 to where the record is shown (HX-Redirect for htmx).
func TestCreateFormsKeepInputAndRedirect(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		bot, _ := managedBOT(t, e)
		risk := pickRisks(t, e).mine
		var vendor models.Vendor
		must(t, e.db.Where("archived = ?", false).Order("id").First(&vendor).Error)
		mgr := demoUser(t, e, models.RoleManager)
		var first models.CostRecord
		e.db.Where("engagement_id = ?", mine.ID).Order("month").First(&first)
		costMonth := month(-1)
		if first.ID != 0 {
			costMonth = models.Date{Time: first.Month.AddDate(0, -1, 0)}
		}
		day := today().String()
		set := func(k, v string) func(url.Values) { return func(f url.Values) { f.Set(k, v) } }
		vendorFill := vendorPost("")
		vendorFill["references_checked"] = []string{"0", "1"} // a ticked box after its hidden "0", as a browser sends it
		cases := []createCase{{
			name: "risk", table: "risks", page: fmt.Sprintf("/risks/new?engagement=%d", mine.ID), form: "#risk-form", action: "/risks",
			fill: riskPost("", mine.Code), bad: [2]string{"raised_on", "someday"}, again: set("title", "Second attrition risk"),
			redirect: "/risks/", htmx: true,
		}, {
			name: "engagement", table: "engagements", page: "/engagements/new", form: "#engagement-form form", action: "/engagements",
			fill: engagementPost("", vendor.ID, mgr.ID), bad: [2]string{"contract_end", "2025-01-01"}, again: set("code", "ITO-TEST-02"),
			redirect: "/engagements/", htmx: true,
		}, {
			name: "vendor", table: "vendors", page: "/vendors/new", form: "#vendor-form form", action: "/vendors",
			fill: vendorFill, bad: [2]string{"name", strings.Repeat("x", 121)}, again: set("name", "Acme Delivery Two"),
			redirect: "/vendors/", htmx: true,
		}, {
			name: "lesson", table: "lessons", page: "/lessons/new", form: "#lesson-form form", action: "/lessons",
			fill: url.Values{"title": {"Name deputies early"}, "lesson": {"Every key role needs a deputy before cut-over."},
				"outcome": {models.LessonOutcomes[0]}, "phase": {models.LessonPhases[0]}, "category": {models.RiskCategories[0]},
				"engagement": {mine.Code}, "tags": {"people, cut-over"}, "learned_on": {day}},
			bad: [2]string{"learned_on", "someday"}, again: set("title", "Name deputies earlier"), redirect: "/lessons/", htmx: true,
		}, {
			name: "milestone", table: "milestones", page: fmt.Sprintf("/engagements/%d/milestones/new", mine.ID), form: "#milestone-form form",
			action: fmt.Sprintf("/engagements/%d/milestones", mine.ID),
			fill:   url.Values{"name": {"Knowledge transfer signed off"}, "planned": {today().AddDays(30).String()}, "forecast": {today().AddDays(40).String()}},
			bad:    [2]string{"planned", "31/12/2026"}, again: set("name", "Second wave signed off"),
			redirect: fmt.Sprintf("/engagements/%d/milestones", mine.ID), htmx: true,
		}, {
			name: "service level", table: "service_levels", page: fmt.Sprintf("/engagements/%d/slas/new", mine.ID), form: "#sla-form form",
			action: fmt.Sprintf("/engagements/%d/slas", mine.ID), fill: slaPost(""), bad: [2]string{"target", "high"},
			again: set("name", "Incident response"), redirect: fmt.Sprintf("/engagements/%d/slas", mine.ID), htmx: true,
		}, {
			name: "user", table: "users", page: "/users/new", form: `form[action="/users"]`, action: "/users",
			fill: url.Values{"name": {"Dana Reyes"}, "email": {"dana.reyes@example.com"}, "role": {models.RoleManager},
				"password": {"long enough pass phrase 7"}, "confirm": {"long enough pass phrase 7"}},
			bad: [2]string{"email", "dana at example"}, again: set("email", "dana.reyes2@example.com"), redirect: "/users/",
		}, {
			name: "gate decision", table: "transfer_gates", page: fmt.Sprintf("/engagements/%d/gates/new", bot.ID), form: "#gate-form form",
			action: fmt.Sprintf("/engagements/%d/gates", bot.ID),
			fill:   url.Values{"decision": {"conditional"}, "decided_on": {day}, "decided_by": {"Transfer board"}, "conditions": {"UAT signed off"}},
			bad:    [2]string{"decided_on", "soon"}, again: set("decided_by", "Steering group"),
			redirect: fmt.Sprintf("/engagements/%d/readiness", bot.ID), htmx: true,
		}, {
			name: "cost month", table: "cost_records", page: fmt.Sprintf("/engagements/%d/costs/new", mine.ID), form: "#cost-form form",
			action: fmt.Sprintf("/engagements/%d/costs", mine.ID), fill: costPost("", ym(costMonth)), bad: [2]string{"baseline", "-5"},
			again: set("month", ym(models.Date{Time: costMonth.AddDate(0, -1, 0)})), redirect: fmt.Sprintf("/engagements/%d/costs", mine.ID), htmx: true,
		}, {
			name: "mitigation action", table: "mitigation_actions", page: fmt.Sprintf("/risks/%d", risk.ID), form: `[data-testid="action-form-0"]`,
			action: fmt.Sprintf("/risks/%d/actions", risk.ID),
			fill:   url.Values{"action": {"Name a deputy for every key role"}, "owner_id": {fmt.Sprint(mgr.ID)}, "due": {today().AddDays(8).String()}},
			bad:    [2]string{"due", "15/12/2026"}, again: set("action", "Shadow the deputies"),
			redirect: fmt.Sprintf("/risks/%d#risk-actions", risk.ID), htmx: true, hxOK: http.StatusOK,
		}}
		c := e.client()
		c.login(models.RoleAdmin)
		for _, tc := range cases {
			valid := scrapeForm(t, c.get(tc.page), tc.form)
			for k, v := range tc.fill {
				if k != "_csrf" {
					valid[k] = v
				}
			}
			bad := maps.Clone(valid)
			bad.Set(tc.bad[0], tc.bad[1])
			r := c.post(tc.action, bad)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s with %s %q: %d, want 422", tc.name, tc.bad[0], tc.bad[1], r.StatusCode)
				continue
			}
			kept := scrapeForm(t, r, tc.form)
			for k, want := range bad {
				if k == "_csrf" || k == "_once" || k == "password" || k == "confirm" { // passwords are never sent back; a form shown again has a new token
					continue
				}
				if got := kept[k]; !slices.Equal(got, want) {
					t.Errorf("%s: %s came back as %q, typed %q", tc.name, k, got, want)
				}
			}
			if tc.htmx {
				if r := hxPost(c, tc.action, bad); r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(r.Body, "<html") {
					t.Errorf("%s with htmx: %d, want 422 and the form's partial", tc.name, r.StatusCode)
				}
			}
			var before, after int64
			e.db.Table(tc.table).Count(&before)
			r = c.post(tc.action, valid)
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), tc.redirect) {
				t.Errorf("%s: %d to %q, want 303 to %s…\n%.600s", tc.name, r.StatusCode, r.Header.Get("Location"), tc.redirect, r.Body)
				continue
			}
			// The same form posted again (a retry after a lost answer, a second
			// click) is stored once and answered with where the first one led.
			again := c.post(tc.action, valid)
			e.db.Table(tc.table).Count(&after)
			if after != before+1 || again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != r.Header.Get("Location") {
				t.Errorf("%s posted twice: %d rows stored, the second answered %d to %q (the first to %q)",
					tc.name, after-before, again.StatusCode, again.Header.Get("Location"), r.Header.Get("Location"))
			}
			if !tc.htmx {
				continue
			}
			valid.Set("_once", scrapeForm(t, c.get(tc.page), tc.form).Get("_once")) // a new form, a new token
			tc.again(valid)
			r = hxPost(c, tc.action, valid)
			switch {
			case tc.hxOK != 0:
				if r.StatusCode != tc.hxOK || strings.Contains(r.Body, "<html") {
					t.Errorf("%s with htmx: %d, want %d and the updated section", tc.name, r.StatusCode, tc.hxOK)
				}
			case r.StatusCode != http.StatusNoContent || !strings.HasPrefix(r.Header.Get("HX-Redirect"), tc.redirect):
				t.Errorf("%s with htmx: %d, HX-Redirect %q, want 204 to %s…", tc.name, r.StatusCode, r.Header.Get("HX-Redirect"), tc.redirect)
			}
		}
	})
}
