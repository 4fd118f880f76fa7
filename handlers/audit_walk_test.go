package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/remind"
)

// The audit walk: every state-changing route the server registers is used once
// the way a user uses it — the page that renders its form is opened, the form is
// read as a browser submits it (CSRF token, version, hidden fields), one field
// is changed and the form is posted — and the one audited write must have
// happened: a success answer and at least one new row in changes naming the
// signed-in user, stamped within the request, for the record the form is
// about; and every record the request created has its creation in the history.
// A form with hx-post is posted as htmx posts it (a 200 or 204 answer), any
// other as a plain browser post (303). A POST route someone adds later must be
// walked here (auditSteps) or excused (auditExempt); the test fails and says so
// otherwise. GET routes are not walked: TestEveryRouteIsGuarded proves they
// store nothing.

// GET /login/oidc/callback (single sign-on) is the one GET that writes: with a
// code the provider issued for this browser's pending state it makes or
// updates the account, through the users' audited write (the history rows are
// checked by TestSSOSignInEndToEnd and TestSSORoleMappingReadAtEverySignIn).
// The walk's app has no provider, so it answers 404 there.

// auditExempt are the state-changing routes whose success writes no history by
// design, each with the reason. The password routes are walked, not excused:
// besides ending other sessions they record "password changed" in the history.
var auditExempt = map[string]string{
	"POST /login":                       "sign-in starts a session (and a wrong password only counts towards the throttle); no record changes",
	"POST /logout":                      "sign-out ends the session; no record changes",
	"POST /risks/import":                "the risk import's dry run checks the file and writes nothing (its apply is walked)",
	"POST /costs/import":                "the cost import's dry run checks the file and writes nothing (its apply is walked)",
	"POST /notifications/read":          "marking one's own notifications read is a read receipt, not a record; no record changes",
	"POST /unsubscribe/:token":          "followed from an email, signed in or not: its history rows name nobody (TestUnsubscribeLink checks them)",
	"POST /api/v1/risks":                "a JSON API write has no form to walk: TestAPIRiskWrites checks its history rows name the token's owner",
	"PATCH /api/v1/risks/:id":           "a JSON API write has no form to walk: TestAPIRiskWrites checks its history rows name the token's owner",
	"POST /api/v1/cost-records":         "a JSON API write has no form to walk: TestAPICostWrites checks its history rows name the token's owner",
	"PATCH /api/v1/cost-records/:id":    "a JSON API write has no form to walk: TestAPICostWrites checks its history rows name the token's owner",
	"POST /api/v1/sla-results":          "a JSON API write has no form to walk: TestAPISLAResultWrites checks its history rows name the token's owner",
	"PATCH /api/v1/sla-results/:id":     "a JSON API write has no form to walk: TestAPISLAResultWrites checks its history rows name the token's owner",
	"POST /api/v1/milestones":           "a JSON API write has no form to walk: TestAPIDeliveryWrites checks its history rows name the token's owner",
	"PATCH /api/v1/milestones/:id":      "a JSON API write has no form to walk: TestAPIDeliveryWrites checks its history rows name the token's owner",
	"PATCH /api/v1/readiness-items/:id": "a JSON API write has no form to walk: TestAPIDeliveryWrites checks its history rows name the token's owner",
}

// auditedTables are the tables of records whose history is kept, with the
// entity their change rows name: a row a step creates in one of them must have
// its creation in the history, whatever else the step wrote.
var auditedTables = map[string]string{
	"users": "user", "vendors": "vendor", "engagements": "engagement", "risks": models.RiskEntity,
	"mitigation_actions": models.MitigationEntity, "cost_records": "cost", "fx_rates": "fx_rate",
	"service_levels": models.EntitySLA, "sla_measurements": models.EntitySLAMeasurement, "milestones": models.EntityMilestone,
	"readiness_items": models.EntityReadinessItem, "transfer_gates": models.EntityTransferGate, "lessons": models.EntityLesson,
	"governance_reviews": "governance_review", "review_actions": "review_action", "published_packs": "pack",
	"obligations": models.ObligationEntity, "obligation_occurrences": models.OccurrenceEntity,
	"governance_meetings": models.MeetingEntity, "meeting_actions": models.MeetingActionEntity,
	"exit_readiness_items": models.EntityExitItem, "api_tokens": models.EntityAPIToken,
}

// auditStep is one state-changing route walked as a user does it.
type auditStep struct {
	route  string // "POST /users/:id", as handlers.Routes registers it: the form's action must route there
	as     string // the role of the demo account that does it
	entity string // what its change rows name
	aim    func(w *auditWalk) auditAim
}

// auditAim says where a step finds its form and what the user types into it.
type auditAim struct {
	page    string               // the page that renders the form
	open    func(c *client) resp // renders it when that is not a GET of page (an import's dry run)
	form    string               // CSS selector of the form on the page
	set     map[string]string    // fields typed over what the form shows
	files   map[string]string    // file inputs: field → content
	id      uint                 // the record its change rows name (0 and !creates: a setting, which has no id)
	creates bool                 // a new record: its change rows name an id no earlier change named
}

// postsTo selects the form that posts to a path.
func postsTo(format string, args ...any) string {
	return fmt.Sprintf(`form[method="post"][action=%q]`, fmt.Sprintf(format, args...))
}

// typed turns a test's form values (as the other tests post them) into fields to type, without the token.
func typed(v url.Values) map[string]string {
	out := map[string]string{}
	for k, x := range v {
		if k != "_csrf" && len(x) > 0 {
			out[k] = x[0]
		}
	}
	return out
}

// The roles steps are done as.
const (
	asAdmin     = models.RoleAdmin
	asManager   = models.RoleManager
	asExecutive = models.RoleExecutive
)

// auditSteps walk every state-changing route but those in auditExempt. Later
// steps may use what earlier ones left (the vendor created is the one archived,
// the engagement closed the one reopened), so they run in this order.
var auditSteps = []auditStep{
	// Sign-in, account and users.
	{"POST /users", asAdmin, "user", func(w *auditWalk) auditAim {
		return auditAim{page: "/users/new", form: postsTo("/users"), creates: true, set: map[string]string{"name": "Audit Walker",
			"email": "audit.walker@portfolio.example", "role": asExecutive, "password": "orbit lantern 42", "confirm": "orbit lantern 42"}}
	}},
	{"POST /users/:id", asAdmin, "user", func(w *auditWalk) auditAim {
		id := w.spareUser()
		return auditAim{page: fmt.Sprintf("/users/%d", id), form: postsTo("/users/%d", id), id: id, set: map[string]string{"name": "Audit Walk Renamed"}}
	}},
	{"POST /users/:id/password", asAdmin, "user", func(w *auditWalk) auditAim {
		id := w.spareUser()
		return auditAim{page: fmt.Sprintf("/users/%d", id), form: postsTo("/users/%d/password", id), id: id,
			set: map[string]string{"password": "granite meadow 77", "confirm": "granite meadow 77"}}
	}},
	{"POST /users/:id/disable", asAdmin, "user", func(w *auditWalk) auditAim {
		id := w.spareUser()
		return auditAim{page: fmt.Sprintf("/users/%d", id), form: postsTo("/users/%d/disable", id), id: id}
	}},
	{"POST /users/:id/enable", asAdmin, "user", func(w *auditWalk) auditAim {
		id := w.pick("a disabled account", "SELECT MIN(id) FROM users WHERE disabled")
		return auditAim{page: fmt.Sprintf("/users/%d", id), form: postsTo("/users/%d/enable", id), id: id}
	}},
	{"POST /account/password", asExecutive, "user", func(w *auditWalk) auditAim {
		return auditAim{page: "/account", form: postsTo("/account/password"), id: w.users[asExecutive].ID, set: map[string]string{
			"current": demoAccount(w.t, asExecutive).Password, "password": "harbour willow 58", "confirm": "harbour willow 58"}}
	}},
	{"POST /account/calendar", asExecutive, "calendar_feed", func(w *auditWalk) auditAim {
		return auditAim{page: "/account", form: postsTo("/account/calendar"), creates: true}
	}},
	{"POST /account/tokens", asExecutive, models.EntityAPIToken, func(w *auditWalk) auditAim {
		return auditAim{page: "/account", form: postsTo("/account/tokens"), creates: true,
			set: map[string]string{"name": "Audit walk reader", "scope": models.ScopeRead}}
	}},
	{"POST /account/tokens/:id/revoke", asExecutive, models.EntityAPIToken, func(w *auditWalk) auditAim {
		id := w.pick("a live token of the executive", fmt.Sprintf("SELECT MAX(id) FROM api_tokens WHERE revoked_at IS NULL AND user_id = %d", w.users[asExecutive].ID))
		return auditAim{page: "/account", form: postsTo("/account/tokens/%d/revoke", id), id: id}
	}},
	{"POST /tokens/:id/revoke", asAdmin, models.EntityAPIToken, func(w *auditWalk) auditAim {
		_, tok, err := models.CreateToken(w.t.Context(), w.db, models.NewToken{Owner: w.users[asManager], Name: "Audit walk writer", Scope: models.ScopeWrite}, nil, dbtest.Now())
		if err != nil {
			w.t.Fatal(err)
		}
		return auditAim{page: "/tokens", form: postsTo("/tokens/%d/revoke", tok.ID), id: tok.ID}
	}},
	{"POST /account/email", asExecutive, "reminder_prefs", func(w *auditWalk) auditAim {
		return auditAim{page: "/account", form: postsTo("/account/email"), id: w.users[asExecutive].ID, set: map[string]string{"digest": "weekly"}}
	}},
	{"POST /reminders/:id/retry", asAdmin, "reminder_digest", func(w *auditWalk) auditAim {
		d := remind.Digest{UserID: w.users[asManager].ID, Day: models.DateOf(dbtest.Now()), Content: "{}", Status: remind.StatusFailed,
			Attempts: remind.MaxAttempts, LastError: "the relay refused", NextTryAt: dbtest.Now(), CreatedAt: dbtest.Now()}
		if err := w.db.Create(&d).Error; err != nil {
			w.t.Fatal(err)
		}
		return auditAim{page: "/reminders", form: postsTo("/reminders/%d/retry", d.ID), id: d.ID}
	}},
	{"POST /account/calendar/revoke", asExecutive, "calendar_feed", func(w *auditWalk) auditAim {
		id := w.pick("a live calendar feed", "SELECT MAX(id) FROM calendar_feeds WHERE revoked_at IS NULL")
		return auditAim{page: "/account", form: postsTo("/account/calendar/revoke"), id: id}
	}},

	// Vendors and engagements.
	{"POST /vendors", asAdmin, "vendor", func(w *auditWalk) auditAim {
		set := typed(vendorPost(""))
		set["name"] = "Audit Walk Delivery"
		return auditAim{page: "/vendors/new", form: postsTo("/vendors"), creates: true, set: set}
	}},
	{"POST /vendors/:id", asAdmin, "vendor", func(w *auditWalk) auditAim {
		id := w.pick("a vendor", "SELECT MIN(id) FROM vendors WHERE NOT archived")
		return auditAim{page: fmt.Sprintf("/vendors/%d/edit", id), form: postsTo("/vendors/%d", id), id: id, set: map[string]string{"notes": "Audit walk: notes revised."}}
	}},
	{"POST /vendors/:id/archive", asAdmin, "vendor", func(w *auditWalk) auditAim {
		id := w.pick("a vendor without active engagements (the walk creates one)",
			"SELECT MAX(id) FROM vendors WHERE NOT archived AND id NOT IN (SELECT vendor_id FROM engagements WHERE closed_on IS NULL AND vendor_id IS NOT NULL)")
		return auditAim{page: fmt.Sprintf("/vendors/%d", id), form: postsTo("/vendors/%d/archive", id), id: id}
	}},
	{"POST /vendors/:id/restore", asAdmin, "vendor", func(w *auditWalk) auditAim {
		id := w.pick("an archived vendor", "SELECT MIN(id) FROM vendors WHERE archived")
		return auditAim{page: fmt.Sprintf("/vendors/%d", id), form: postsTo("/vendors/%d/restore", id), id: id}
	}},
	// A BOT programme the demo manager manages, without a checklist: the readiness step creates its checklist.
	{"POST /engagements", asAdmin, "engagement", func(w *auditWalk) auditAim {
		vendor := w.pick("an active vendor", "SELECT MIN(id) FROM vendors WHERE NOT archived")
		set := typed(engagementPost("", vendor, w.users[asManager].ID))
		set["code"], set["name"], set["model"], set["phase"] = "BOT-AUDIT-01", "Audit walk transfer centre", models.ModelBOT, "Build"
		set["planned_transfer"] = today().AddDays(200).String()
		return auditAim{page: "/engagements/new", form: postsTo("/engagements"), creates: true, set: set}
	}},
	{"POST /engagements/:id", asAdmin, "engagement", func(w *auditWalk) auditAim {
		id := w.theirs.ID
		return auditAim{page: fmt.Sprintf("/engagements/%d/edit", id), form: postsTo("/engagements/%d", id), id: id, set: map[string]string{"sponsor": "Audit walk sponsor"}}
	}},
	{"POST /engagements/:id/phase", asAdmin, "engagement", func(w *auditWalk) auditAim {
		id := w.theirs.ID // to the next phase, as the form proposes
		return auditAim{page: fmt.Sprintf("/engagements/%d/lifecycle", id), form: `[data-testid="move-form"]`, id: id}
	}},
	{"POST /engagements/:id/contract", asManager, models.ContractEntity, func(w *auditWalk) auditAim {
		path := fmt.Sprintf("/engagements/%d/contract", w.mine.ID)
		var id uint
		w.db.Raw("SELECT id FROM contract_terms WHERE engagement_id = ?", w.mine.ID).Scan(&id)
		return auditAim{page: path, form: postsTo("%s", path), id: id, creates: id == 0, set: map[string]string{"notice_days": "95"}}
	}},
	{"POST /engagements/:id/contract/decision", asManager, models.DecisionEntity, func(w *auditWalk) auditAim {
		// A deadline to decide at: the contract's end and a notice period.
		w.db.Model(&models.Engagement{}).Where("id = ?", w.mine.ID).Update("contract_end", dbtest.Today().AddDays(200))
		if _, ok, _ := models.ContractTermsOf(w.t.Context(), w.db, w.mine.ID); !ok {
			if _, err := models.SaveContractTerms(w.t.Context(), w.db, nil, dbtest.Now(), w.mine.ID, models.ContractTerms{NoticeDays: 90}, 0); err != nil {
				w.t.Fatal(err)
			}
		}
		path := fmt.Sprintf("/engagements/%d/contract", w.mine.ID)
		return auditAim{page: path, form: postsTo("%s/decision", path), creates: true, set: map[string]string{"decision": models.DecisionRenegotiate}}
	}},
	{"POST /engagements/:id/partnership", asManager, models.SurveyEntity, func(w *auditWalk) auditAim {
		path := fmt.Sprintf("/engagements/%d/partnership", w.mine.ID)
		var id uint
		w.db.Raw("SELECT id FROM partnership_surveys WHERE engagement_id = ? AND quarter = ?", w.mine.ID,
			models.DefaultFiscal.QuarterOf(dbtest.Today()).String()).Scan(&id) // the form records this quarter's
		set := map[string]string{"communication_note": "Audit walk: weekly calls kept."}
		if id == 0 {
			for _, d := range models.SurveyDimensions {
				set[d.Key] = "4"
			}
		}
		return auditAim{page: path, form: `#survey-form form`, id: id, creates: id == 0, set: set}
	}},
	{"POST /engagements/:id/partnership/suggestions/:sid", asManager, models.SuggestionEntity, func(w *auditWalk) auditAim {
		// A survey that suggests a risk: communication scored 1.
		q := models.DefaultFiscal.QuarterOf(dbtest.Today()).String()
		s, ok, _ := models.SurveyOf(w.t.Context(), w.db, w.mine.ID, q)
		s.EngagementID, s.Quarter = w.mine.ID, q
		s.Communication, s.CulturalFit, s.ServiceQuality, s.Responsiveness, s.Innovation, s.ControlAutonomy = 1, 4, 4, 4, 4, 4
		version := 0
		if ok {
			version = s.Version
		}
		if _, err := models.SaveSurvey(w.t.Context(), w.db, nil, dbtest.Now(), s, version); err != nil {
			w.t.Fatal(err)
		}
		id := w.pick("a suggested risk", "SELECT MAX(id) FROM survey_suggestions WHERE engagement_id = ? AND status = 'suggested'", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/engagements/%d/partnership", w.mine.ID),
			form: postsTo("/engagements/%d/partnership/suggestions/%d", w.mine.ID, id), id: id, set: map[string]string{"decision": "dismiss"}}
	}},
	{"POST /engagements/:id/obligations", asManager, models.ObligationEntity, func(w *auditWalk) auditAim {
		path := fmt.Sprintf("/engagements/%d/obligations", w.mine.ID)
		return auditAim{page: path, form: postsTo("%s", path), creates: true, set: map[string]string{"party": models.PartyVendor,
			"title": "Audit walk report", "clause": "Schedule 2, 9.9", "frequency": models.FrequencyMonthly, "first_due": dbtest.Today().AddDays(-10).String()}}
	}},
	{"POST /engagements/:id/obligations/:oid", asManager, models.ObligationEntity, func(w *auditWalk) auditAim {
		id := w.pick("the walk's obligation", "SELECT MAX(id) FROM obligations WHERE engagement_id = ? AND title = 'Audit walk report'", w.mine.ID)
		path := fmt.Sprintf("/engagements/%d/obligations/%d", w.mine.ID, id)
		return auditAim{page: path, form: postsTo("%s", path), id: id, set: map[string]string{"owner": "Audit walk owner"}}
	}},
	{"POST /engagements/:id/obligations/:oid/record", asManager, models.OccurrenceEntity, func(w *auditWalk) auditAim {
		id := w.pick("the walk's obligation", "SELECT MAX(id) FROM obligations WHERE engagement_id = ? AND title = 'Audit walk report'", w.mine.ID)
		path := fmt.Sprintf("/engagements/%d/obligations/%d", w.mine.ID, id) // its record form is for the occurrence 10 days late
		return auditAim{page: path, form: postsTo("%s/record", path), creates: true, set: map[string]string{"evidence": "https://docs.example.com/audit-walk.pdf"}}
	}},
	{"POST /engagements/:id/meetings", asManager, models.MeetingEntity, func(w *auditWalk) auditAim {
		return auditAim{page: fmt.Sprintf("/engagements/%d/meetings", w.mine.ID), form: `#meeting-form form`, creates: true,
			set: map[string]string{"kind": models.MeetingService, "attendees": "Audit walk: the service managers", "decisions": "Audit walk: problem record opened.",
				"action_1": "Audit walk: send the root-cause analysis", "owner_1": "Audit Walker", "due_1": today().AddDays(14).String()}}
	}},
	{"POST /meetings/:id", asManager, models.MeetingEntity, func(w *auditWalk) auditAim {
		id := w.pick("a meeting of a managed engagement", "SELECT MAX(id) FROM governance_meetings WHERE engagement_id = ?", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/meetings/%d", id), form: `#meeting-form form`, id: id, set: map[string]string{"decisions": "Audit walk: decisions restated."}}
	}},
	{"POST /meetings/:id/actions", asManager, models.MeetingActionEntity, func(w *auditWalk) auditAim {
		id := w.pick("a meeting of a managed engagement", "SELECT MAX(id) FROM governance_meetings WHERE engagement_id = ?", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/meetings/%d", id), form: `#action-form form`, creates: true,
			set: map[string]string{"action": "Audit walk: book the next review", "owner": "Audit Walker", "due": today().AddDays(21).String()}}
	}},
	{"POST /meetings/:id/actions/:aid", asManager, models.MeetingActionEntity, func(w *auditWalk) auditAim {
		aid := w.pick("an open action of a managed engagement", "SELECT MIN(id) FROM meeting_actions WHERE engagement_id = ? AND status = 'open'", w.mine.ID)
		var m uint
		w.db.Raw("SELECT meeting_id FROM meeting_actions WHERE id = ?", aid).Scan(&m)
		return auditAim{page: fmt.Sprintf("/meetings/%d/actions/%d", m, aid), form: `#action-form form`, id: aid, set: map[string]string{"status": models.ActionDone}}
	}},
	{"POST /engagements/:id/close", asAdmin, "engagement", func(w *auditWalk) auditAim {
		id := w.theirs.ID // today, as the form proposes
		return auditAim{page: fmt.Sprintf("/engagements/%d/lifecycle", id), form: `[data-testid="close-form"]`, id: id}
	}},
	{"POST /engagements/:id/reopen", asAdmin, "engagement", func(w *auditWalk) auditAim {
		id := w.pick("a closed engagement", "SELECT MIN(id) FROM engagements WHERE closed_on IS NOT NULL")
		return auditAim{page: fmt.Sprintf("/engagements/%d/lifecycle", id), form: `[data-testid="reopen-form"]`, id: id}
	}},

	// Risk register: the demo manager on risks of an engagement they manage.
	{"POST /risks", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		return auditAim{page: "/risks/new", form: "#risk-form", creates: true, set: typed(riskPost("", w.mine.Code))}
	}},
	{"POST /risks/:id", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		id := w.openRisk(0)
		return auditAim{page: fmt.Sprintf("/risks/%d/edit", id), form: "#risk-form", id: id, set: map[string]string{"title": "Audit walk: risk retitled"}}
	}},
	{"POST /risks/:id/status", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		id := w.openRisk(0)
		return auditAim{page: fmt.Sprintf("/risks/%d/quick", id), form: postsTo("/risks/%d/status", id), id: id, set: map[string]string{"status": models.StatusMitigating}}
	}},
	{"POST /risks/:id/review", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		id := w.openRisk(0)
		return auditAim{page: fmt.Sprintf("/risks/%d/quick", id), form: postsTo("/risks/%d/review", id), id: id}
	}},
	{"POST /risks/:id/close", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		id := w.openRisk(1)
		return auditAim{page: fmt.Sprintf("/risks/%d/quick", id), form: postsTo("/risks/%d/close", id), id: id,
			set: map[string]string{"closed_reason": "Audit walk: mitigated and verified."}}
	}},
	{"POST /risks/:id/accept", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		id := w.openRisk(2)
		return auditAim{page: fmt.Sprintf("/risks/%d/quick", id), form: postsTo("/risks/%d/accept", id), id: id, set: map[string]string{
			"accepted_by": "Helen Marsh, CIO", "accept_justification": "Audit walk: within appetite.", "accept_expiry": today().AddDays(90).String()}}
	}},
	{"POST /risks/:id/actions", asManager, models.MitigationEntity, func(w *auditWalk) auditAim {
		id := w.openRisk(0)
		return auditAim{page: fmt.Sprintf("/risks/%d", id), form: `[data-testid="action-form-0"]`, creates: true,
			set: map[string]string{"action": "Audit walk: rehearse the restore", "due": today().AddDays(30).String()}}
	}},
	{"POST /risks/:id/actions/:aid", asManager, models.MitigationEntity, func(w *auditWalk) auditAim {
		aid := w.pick("a mitigation action on a managed engagement", "SELECT MIN(id) FROM mitigation_actions WHERE risk_id IN (SELECT id FROM risks WHERE engagement_id = ?)", w.mine.ID)
		var risk uint
		w.db.Raw("SELECT risk_id FROM mitigation_actions WHERE id = ?", aid).Scan(&risk)
		return auditAim{page: fmt.Sprintf("/risks/%d", risk), form: postsTo("/risks/%d/actions/%d", risk, aid), id: aid,
			set: map[string]string{"action": "Audit walk: action reworded"}}
	}},
	{"POST /risks/import/apply", asManager, models.RiskEntity, func(w *auditWalk) auditAim {
		csv := writeCSV([][]string{{"Title", "Engagement", "Category", "Inherent likelihood", "Inherent impact", "Residual likelihood", "Residual impact"},
			{"Audit walk: imported risk", w.mine.Code, models.RiskCategories[0], "3", "3", "2", "2"}})
		return auditAim{page: "/risks/import", open: w.upload("/risks/import", csv), form: `[data-testid="apply-form"]`, creates: true}
	}},
	{"POST /settings", asAdmin, "setting", func(w *auditWalk) auditAim {
		return auditAim{page: "/settings", form: "#settings-form", set: map[string]string{"likelihood_1_definition": "Audit walk: only in exceptional circumstances."}}
	}},
	{"POST /settings/finance", asAdmin, "setting", func(w *auditWalk) auditAim {
		return auditAim{page: "/settings", form: "#finance-form", set: map[string]string{"fiscal_start_month": "4"}}
	}},

	// Costs and exchange rates.
	{"POST /engagements/:id/costs", asManager, "cost", func(w *auditWalk) auditAim {
		set := typed(costPost("", "")) // the month is the one the form opens on: the first not yet recorded
		delete(set, "month")
		return auditAim{page: fmt.Sprintf("/engagements/%d/costs/new", w.mine.ID), form: postsTo("/engagements/%d/costs", w.mine.ID), creates: true, set: set}
	}},
	{"POST /engagements/:id/costs/:cid", asManager, "cost", func(w *auditWalk) auditAim {
		id := w.costOf(-1)
		return auditAim{page: fmt.Sprintf("/engagements/%d/costs/%d/edit", w.mine.ID, id), form: postsTo("/engagements/%d/costs/%d", w.mine.ID, id), id: id,
			set: map[string]string{"credits": "4,321.09"}}
	}},
	{"POST /costs/import/apply", asManager, "cost", func(w *auditWalk) auditAim {
		id := w.costOf(-2) // blank cells keep the stored values: the file changes the credits alone
		csv := costsCSV([]string{w.mine.Code, ym(month(-2)), "", "", "", "", "1234.56", "", ""})
		return auditAim{page: "/costs/import", open: w.upload("/costs/import", csv), form: `[data-testid="apply-form"]`, id: id}
	}},
	{"POST /fx", asAdmin, "fx_rate", func(w *auditWalk) auditAim {
		m := 1
		for ; m < 12 && w.count("SELECT COUNT(*) FROM fx_rates WHERE currency = 'EUR' AND month = ?", month(m)) > 0; m++ {
		}
		return auditAim{page: "/fx/new", form: postsTo("/fx"), creates: true, set: map[string]string{"currency": "EUR", "month": ym(month(m)), "rate": "1.1111"}}
	}},
	{"POST /fx/:id", asAdmin, "fx_rate", func(w *auditWalk) auditAim {
		id := w.pick("an exchange rate", "SELECT MIN(id) FROM fx_rates")
		rate := "1.2345"
		if w.count("SELECT COUNT(*) FROM fx_rates WHERE id = ? AND rate = ?", id, rate) > 0 {
			rate = "1.2346"
		}
		return auditAim{page: fmt.Sprintf("/fx/%d/edit", id), form: postsTo("/fx/%d", id), id: id, set: map[string]string{"rate": rate}}
	}},

	// Service levels, milestones, readiness and gates: the demo manager on engagements they manage.
	{"POST /engagements/:id/slas", asManager, models.EntitySLA, func(w *auditWalk) auditAim {
		set := typed(slaPost(""))
		set["name"] = "Audit walk: first-call resolution"
		return auditAim{page: fmt.Sprintf("/engagements/%d/slas/new", w.mine.ID), form: postsTo("/engagements/%d/slas", w.mine.ID), creates: true, set: set}
	}},
	{"POST /engagements/:id/slas/results", asManager, models.EntitySLAMeasurement, func(w *auditWalk) auditAim {
		sla := w.pick("a service level", "SELECT MIN(id) FROM service_levels WHERE engagement_id = ? AND NOT archived", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/engagements/%d/slas/results", w.mine.ID), form: postsTo("/engagements/%d/slas/results", w.mine.ID), creates: true,
			set: map[string]string{fmt.Sprintf("actual_%d", sla): "99.95"}}
	}},
	{"POST /slas/:id", asManager, models.EntitySLA, func(w *auditWalk) auditAim {
		id := w.pick("a service level", "SELECT MIN(id) FROM service_levels WHERE engagement_id = ? AND NOT archived", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/slas/%d/edit", id), form: postsTo("/slas/%d", id), id: id, set: map[string]string{"credit_rule": "Audit walk: 5 % of the month's fees."}}
	}},
	{"POST /slas/:id/archive", asManager, models.EntitySLA, func(w *auditWalk) auditAim {
		id := w.pick("a service level", "SELECT MAX(id) FROM service_levels WHERE engagement_id = ? AND NOT archived", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/slas/%d/edit", id), form: postsTo("/slas/%d/archive", id), id: id}
	}},
	{"POST /slas/:id/restore", asManager, models.EntitySLA, func(w *auditWalk) auditAim {
		id := w.pick("an archived service level", "SELECT MIN(id) FROM service_levels WHERE engagement_id = ? AND archived", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/slas/%d/edit", id), form: postsTo("/slas/%d/restore", id), id: id}
	}},
	{"POST /engagements/:id/milestones", asManager, models.EntityMilestone, func(w *auditWalk) auditAim {
		return auditAim{page: fmt.Sprintf("/engagements/%d/milestones/new", w.mine.ID), form: postsTo("/engagements/%d/milestones", w.mine.ID), creates: true,
			set: map[string]string{"name": "Audit walk: disaster-recovery test", "planned": today().AddDays(30).String()}}
	}},
	{"POST /milestones/:id", asManager, models.EntityMilestone, func(w *auditWalk) auditAim {
		id := w.pick("a milestone", "SELECT MIN(id) FROM milestones WHERE engagement_id = ?", w.mine.ID)
		return auditAim{page: fmt.Sprintf("/milestones/%d/edit", id), form: postsTo("/milestones/%d", id), id: id, set: map[string]string{"name": "Audit walk: milestone renamed"}}
	}},
	{"POST /engagements/:id/readiness", asManager, models.EntityReadinessItem, func(w *auditWalk) auditAim {
		id := w.bareBOT()
		return auditAim{page: fmt.Sprintf("/engagements/%d/readiness", id), form: postsTo("/engagements/%d/readiness", id), creates: true}
	}},
	{"POST /readiness/:id", asManager, models.EntityReadinessItem, func(w *auditWalk) auditAim {
		bot := w.managedBOT()
		id := w.pick("a checklist item", "SELECT MIN(id) FROM readiness_items WHERE engagement_id = ?", bot)
		return auditAim{page: fmt.Sprintf("/engagements/%d/readiness", bot), form: postsTo("/readiness/%d", id), id: id, set: map[string]string{"owner": "Audit walk owner"}}
	}},
	{"POST /engagements/:id/exit", asManager, models.EntityExitItem, func(w *auditWalk) auditAim {
		id := w.bareITO()
		return auditAim{page: fmt.Sprintf("/engagements/%d/exit", id), form: postsTo("/engagements/%d/exit", id), creates: true}
	}},
	{"POST /exit/:id", asManager, models.EntityExitItem, func(w *auditWalk) auditAim {
		ito := w.managedITO()
		id := w.pick("an exit checklist item", "SELECT MIN(id) FROM exit_readiness_items WHERE engagement_id = ?", ito)
		return auditAim{page: fmt.Sprintf("/engagements/%d/exit", ito), form: postsTo("/exit/%d", id), id: id, set: map[string]string{"owner": "Audit walk exit owner"}}
	}},
	{"POST /engagements/:id/gates", asManager, models.EntityTransferGate, func(w *auditWalk) auditAim {
		bot := w.managedBOT()
		return auditAim{page: fmt.Sprintf("/engagements/%d/gates/new", bot), form: postsTo("/engagements/%d/gates", bot), creates: true, set: map[string]string{
			"decision": "conditional", "decided_by": "Transfer board", "conditions": "Audit walk: UAT signed off first."}}
	}},
	{"POST /gates/:id", asManager, models.EntityTransferGate, func(w *auditWalk) auditAim {
		id := w.pick("a gate decision", "SELECT MIN(id) FROM transfer_gates WHERE engagement_id = ?", w.managedBOT())
		return auditAim{page: fmt.Sprintf("/gates/%d/edit", id), form: postsTo("/gates/%d", id), id: id, set: map[string]string{"decided_by": "Audit walk transfer board"}}
	}},

	// Lessons: the demo manager's own.
	{"POST /lessons", asManager, models.EntityLesson, func(w *auditWalk) auditAim {
		return auditAim{page: "/lessons/new", form: postsTo("/lessons"), creates: true, set: map[string]string{
			"title": "Audit walk: handover checklist", "what_happened": "Handover meetings ran long.", "lesson": "Use a one-page checklist.",
			"outcome": "went well", "phase": "operate", "category": "Service quality", "engagement": w.mine.Code, "tags": "handover"}}
	}},
	{"POST /lessons/:id", asManager, models.EntityLesson, func(w *auditWalk) auditAim {
		id := w.ownLesson("NOT archived")
		return auditAim{page: fmt.Sprintf("/lessons/%d/edit", id), form: postsTo("/lessons/%d", id), id: id, set: map[string]string{"title": "Audit walk: lesson retitled"}}
	}},
	{"POST /lessons/:id/archive", asManager, models.EntityLesson, func(w *auditWalk) auditAim {
		id := w.ownLesson("NOT archived")
		return auditAim{page: fmt.Sprintf("/lessons/%d", id), form: postsTo("/lessons/%d/archive", id), id: id}
	}},
	{"POST /lessons/:id/restore", asManager, models.EntityLesson, func(w *auditWalk) auditAim {
		id := w.ownLesson("archived")
		return auditAim{page: fmt.Sprintf("/lessons/%d", id), form: postsTo("/lessons/%d/restore", id), id: id}
	}},

	// Quarterly reviews: commentary before the pack is frozen, then publish and correct it.
	{"POST /reviews/:quarter/engagements/:id/commentary", asManager, "governance_review", func(w *auditWalk) auditAim {
		path := fmt.Sprintf("/reviews/%s/engagements/%d/commentary", reviewQuarter(), w.mine.ID)
		var id uint
		w.db.Raw("SELECT id FROM governance_reviews WHERE engagement_id = ? AND quarter = ?", w.mine.ID, reviewQuarter()).Scan(&id)
		return auditAim{page: path, form: postsTo("%s", path), id: id, creates: id == 0, set: map[string]string{"commentary": "Audit walk: service stable."}}
	}},
	{"POST /reviews/:quarter/commentary", asAdmin, "portfolio_commentary", func(w *auditWalk) auditAim {
		path := "/reviews/" + reviewQuarter() + "/commentary"
		var id uint
		w.db.Raw("SELECT id FROM portfolio_commentaries WHERE quarter = ?", reviewQuarter()).Scan(&id)
		return auditAim{page: path, form: postsTo("%s", path), id: id, creates: id == 0, set: map[string]string{"key_messages": "Audit walk: savings on plan."}}
	}},
	{"POST /reviews/:quarter/publish", asAdmin, "pack", func(w *auditWalk) auditAim {
		path := "/reviews/" + reviewQuarter() + "/publish"
		return auditAim{page: path, form: postsTo("%s", path), creates: true}
	}},
	{"POST /reviews/:quarter/correct", asAdmin, "pack", func(w *auditWalk) auditAim {
		path := "/reviews/" + reviewQuarter() + "/correct"
		return auditAim{page: path, form: postsTo("%s", path), creates: true, set: map[string]string{"reason": "Audit walk: a figure corrected."}}
	}},
}

// TestEveryWriteIsAudited walks auditSteps over the demo portfolio on every
// database forEachDB would use (through an appEnv, whose router the routes are
// read from).
func TestEveryWriteIsAudited(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) { walkWrites(t, newAppEnv(t, dbtest.Demo(t, kind), nil)) })
	}
}

func walkWrites(t *testing.T, ae *appEnv) {
	walked := map[string]bool{}
	for _, s := range auditSteps {
		walked[s.route] = true
	}
	registeredWrites := map[string]bool{}
	var missing []string
	for _, r := range registered(t, ae.server.Echo, ae.app) {
		if r.method == http.MethodGet || r.method == http.MethodHead {
			continue
		}
		key := r.key()
		registeredWrites[key] = true
		_, exempt := auditExempt[key]
		switch {
		case exempt && walked[key]:
			t.Errorf("%s is both walked and in auditExempt: keep one", key)
		case !exempt && !walked[key]:
			missing = append(missing, key)
		}
	}
	for key := range walked {
		if !registeredWrites[key] {
			t.Errorf("auditSteps walks %s, which the server no longer registers: remove or rename the step", key)
		}
	}
	for key := range auditExempt {
		if !registeredWrites[key] {
			t.Errorf("auditExempt names %s, which the server no longer registers: remove it", key)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Errorf("state-changing routes neither walked nor excused: %q.\nAdd a step to auditSteps in handlers/audit_walk_test.go (the page that renders its form, "+
			"the field a user changes, the entity its change rows name), or, if its success writes no history by design, a line in auditExempt saying why.", missing)
	}

	w := newAuditWalk(t, ae)
	for _, s := range auditSteps {
		t.Run(s.route, func(t *testing.T) { w.walk(t, s) })
	}
}

// auditWalk is the state of one walk: the demo sign-ins and the records the steps aim at.
type auditWalk struct {
	t       *testing.T // the step being walked
	ae      *appEnv
	db      *gorm.DB
	users   map[string]models.User
	clients map[string]*client
	mine    models.Engagement // an engagement the demo manager manages
	theirs  models.Engagement // one they do not (admins change it)
	risks   []uint            // open risks on mine, picked before any step changes them
}

func newAuditWalk(t *testing.T, ae *appEnv) *auditWalk {
	w := &auditWalk{t: t, ae: ae, db: ae.db, users: map[string]models.User{}, clients: map[string]*client{}}
	for _, role := range []string{asAdmin, asManager, asExecutive} {
		w.users[role] = userByEmail(t, ae.db, demoAccount(t, role).Email)
		w.clients[role] = ae.client()
		w.clients[role].login(role)
	}
	w.mine, w.theirs = managedEngagements(t, ae.env)
	ae.db.Raw("SELECT id FROM risks WHERE engagement_id = ? AND status = ? ORDER BY id", w.mine.ID, models.StatusOpen).Scan(&w.risks)
	return w
}

// pick is the id a query finds; the step fails when it finds none.
func (w *auditWalk) pick(what, query string, args ...any) uint {
	w.t.Helper()
	var id *uint
	if err := w.db.Raw(query, args...).Scan(&id).Error; err != nil || id == nil || *id == 0 {
		w.t.Fatalf("found no %s (%s: %v)", what, query, err)
	}
	return *id
}

func (w *auditWalk) count(query string, args ...any) int64 {
	w.t.Helper()
	var n int64
	if err := w.db.Raw(query, args...).Scan(&n).Error; err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *auditWalk) spareUser() uint {
	return w.pick("spare account", "SELECT MIN(id) FROM users WHERE role <> ? AND email NOT IN ?", asAdmin,
		[]string{demoAccount(w.t, asAdmin).Email, demoAccount(w.t, asManager).Email, demoAccount(w.t, asExecutive).Email})
}

func (w *auditWalk) openRisk(i int) uint {
	w.t.Helper()
	if i >= len(w.risks) {
		w.t.Fatalf("the demo manager's engagement %s has %d open risks; the walk needs %d", w.mine.Code, len(w.risks), i+1)
	}
	return w.risks[i]
}

// costOf is the mine's cost record of a month offset from today's.
func (w *auditWalk) costOf(offset int) uint {
	return w.pick("cost record of "+ym(month(offset)), "SELECT id FROM cost_records WHERE engagement_id = ? AND month = ?", w.mine.ID, month(offset))
}

// managedBOT is a BOT programme with a checklist that the demo manager manages (the demo's first).
func (w *auditWalk) managedBOT() uint {
	return w.pick("managed BOT programme with a checklist", "SELECT MIN(id) FROM engagements WHERE model = 'BOT' AND manager_id = ? AND id IN (SELECT engagement_id FROM readiness_items)",
		w.users[asManager].ID)
}

// bareBOT is a BOT programme the demo manager manages without a checklist. The
// app gives every programme it creates one, so this one is stored directly, as
// one made outside the app (an older version, a migration) would be.
func (w *auditWalk) bareBOT() uint {
	mgr := w.users[asManager].ID
	e := models.Engagement{Code: "BOT-AUDIT-02", Name: "Audit walk centre without a checklist", Model: models.ModelBOT, Tower: models.Towers[1],
		VendorID: w.mine.VendorID, ManagerID: &mgr, Phase: "Build", Currency: "EUR", Health: models.Green, Version: 1, PlannedTransfer: today().AddDays(120)}
	if err := w.db.Create(&e).Error; err != nil {
		w.t.Fatal(err)
	}
	return e.ID
}

// managedITO is an ITO contract with an exit checklist that the demo manager manages (the demo's first).
func (w *auditWalk) managedITO() uint {
	return w.pick("managed ITO contract with an exit checklist", "SELECT MIN(id) FROM engagements WHERE model = 'ITO' AND manager_id = ? AND id IN (SELECT engagement_id FROM exit_readiness_items)",
		w.users[asManager].ID)
}

// bareITO is an ITO contract the demo manager manages without an exit
// checklist, as every contract made before the checklist existed is.
func (w *auditWalk) bareITO() uint {
	mgr := w.users[asManager].ID
	e := models.Engagement{Code: "ITO-AUDIT-02", Name: "Audit walk contract without an exit checklist", Model: models.ModelITO, Tower: models.Towers[0],
		VendorID: w.mine.VendorID, ManagerID: &mgr, Phase: "Run", Currency: "EUR", Health: models.Green, Version: 1}
	if err := w.db.Create(&e).Error; err != nil {
		w.t.Fatal(err)
	}
	return e.ID
}

// ownLesson is a lesson the demo manager wrote (the newest: the walk's own once it made one).
func (w *auditWalk) ownLesson(where string) uint {
	return w.pick("lesson by the demo manager where "+where, "SELECT MAX(id) FROM lessons WHERE author_id = ? AND "+where, w.users[asManager].ID)
}

// upload opens an import's dry run: the page's upload form posted with a file.
func (w *auditWalk) upload(page, csv string) func(c *client) resp {
	return func(c *client) resp {
		r := c.get(page)
		form := r.Doc(w.t).Find(`[data-testid="upload-form"]`).First()
		return w.submit(c, page, form, scrapeForm(w.t, r, `[data-testid="upload-form"]`), map[string]string{"file": csv})
	}
}

// walk does one step: the form filled in, posted, and its audited write checked.
func (w *auditWalk) walk(t *testing.T, s auditStep) {
	w.t = t
	a := s.aim(w)
	c := w.clients[s.as]
	if !c.signedIn() { // an earlier step's failure may have ended the session
		c.login(s.as)
	}
	form, vals := w.fill(s, a, c)
	action := form.AttrOr("action", "")
	where := fmt.Sprintf("%s %s as %s", s.route, action, s.as)

	var before uint // the last change row before the request
	w.db.Raw("SELECT COALESCE(MAX(id), 0) FROM changes").Scan(&before)
	made := w.lastIDs()
	// The app's clock is set to the database's, so that a row stamped by either falls within [from, to].
	from := models.NowOf(w.db)
	w.ae.now = from
	res := w.submit(c, a.page, form, vals, a.files)
	to := models.NowOf(w.db)

	htmx := form.AttrOr("hx-post", "") != ""
	if ok := res.StatusCode == http.StatusSeeOther || htmx && (res.StatusCode == http.StatusOK || res.StatusCode == http.StatusNoContent); !ok {
		t.Errorf("%s (htmx %v): %d, want 303%s\n%s", where, htmx, res.StatusCode, map[bool]string{true: ", 200 or 204"}[htmx], alerts(t, res))
	}
	var rows []models.Change
	if err := w.db.Where("id > ?", before).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s answered %d but wrote no change row: a write must record who changed what (models' audited write, in its transaction)", where, res.StatusCode)
	}
	actor := w.users[s.as]
	for _, r := range rows {
		if r.UserID == nil || *r.UserID != actor.ID {
			t.Errorf("%s: change row %d (%s %d %s %s) names user %s, want %d (%s)", where, r.ID, r.Entity, r.EntityID, r.Action, r.Field, uidText(r.UserID), actor.ID, actor.Email)
		}
		if at := r.At.UTC(); at.Before(from.Truncate(time.Microsecond)) || at.After(to) {
			t.Errorf("%s: change row %d (%s %d %s) stamped %s, outside the request (%s to %s)", where, r.ID, r.Entity, r.EntityID, r.Field,
				at.Format(time.RFC3339Nano), from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
		}
	}
	w.checkAimed(where, s, a, rows, before)
	for table, ids := range w.madeSince(made) {
		var bare []uint
		for _, id := range ids {
			if !slices.ContainsFunc(rows, func(r models.Change) bool { return r.Entity == auditedTables[table] && r.EntityID == id }) {
				bare = append(bare, id)
			}
		}
		if len(bare) > 0 {
			t.Errorf("%s created %s %v with no change row naming them (%s): who created them, and when, is lost", where, table, bare, auditedTables[table])
		}
	}
	t.Logf("%s: %d, %d change rows: %s", where, res.StatusCode, len(rows), describe(rows))
}

// fill opens the step's page and fills in its form as the user does: the
// form must post to the step's route and render every field the step types.
func (w *auditWalk) fill(s auditStep, a auditAim, c *client) (*goquery.Selection, url.Values) {
	t := w.t
	t.Helper()
	var page resp
	if a.open != nil {
		page = a.open(c)
	} else {
		page = c.get(a.page)
	}
	form := page.Doc(t).Find(a.form).First()
	if page.StatusCode != http.StatusOK || form.Length() == 0 {
		t.Fatalf("%s as %s: %s answered %d with no form %s\n%s", s.route, s.as, a.page, page.StatusCode, a.form, alerts(t, page))
	}
	action := form.AttrOr("action", "")
	if got := w.routeOf(action); got != s.route {
		t.Fatalf("the form %s on %s posts to %q, which routes to %q, not %s", a.form, a.page, action, got, s.route)
	}
	vals := scrapeForm(t, page, a.form)
	for k, v := range a.set {
		if form.Find(fmt.Sprintf("[name=%q]", k)).Length() == 0 {
			t.Fatalf("the form %s on %s has no field %q: the step types what the page does not render", a.form, a.page, k)
		}
		vals.Set(k, v)
	}
	return form, vals
}

// checkAimed fails unless a change row names the step's record: the one it
// changed, or for a create a new one (an id no earlier change row named).
func (w *auditWalk) checkAimed(where string, s auditStep, a auditAim, rows []models.Change, before uint) {
	t := w.t
	t.Helper()
	var named []models.Change
	for _, r := range rows {
		if r.Entity == s.entity && (a.creates && r.EntityID != 0 || !a.creates && r.EntityID == a.id) {
			named = append(named, r)
		}
	}
	switch {
	case len(named) == 0 && a.creates:
		t.Errorf("%s: no change row names a new %s; it wrote %s", where, s.entity, describe(rows))
	case len(named) == 0:
		t.Errorf("%s: no change row names %s %d; it wrote %s", where, s.entity, a.id, describe(rows))
	case a.creates:
		for _, r := range named {
			if w.count("SELECT COUNT(*) FROM changes WHERE entity = ? AND entity_id = ? AND id <= ?", r.Entity, r.EntityID, before) > 0 {
				t.Errorf("%s: change row %d of a new %s names %d, a record with earlier history", where, r.ID, s.entity, r.EntityID)
			}
		}
	}
}

// lastIDs is the highest id of each audited table.
func (w *auditWalk) lastIDs() map[string]uint {
	out := map[string]uint{}
	for table := range auditedTables {
		var id uint
		w.db.Raw("SELECT COALESCE(MAX(id), 0) FROM " + table).Scan(&id)
		out[table] = id
	}
	return out
}

// madeSince lists the rows of audited tables created after lastIDs said last.
func (w *auditWalk) madeSince(last map[string]uint) map[string][]uint {
	out := map[string][]uint{}
	for table, id := range last {
		var ids []uint
		w.db.Raw("SELECT id FROM "+table+" WHERE id > ? ORDER BY id", id).Scan(&ids)
		if len(ids) > 0 {
			out[table] = ids
		}
	}
	return out
}

// submit posts a form as a browser does: to its action, as htmx when it has
// hx-post, multipart when its enctype says so (files by input name).
func (w *auditWalk) submit(c *client, page string, form *goquery.Selection, vals url.Values, files map[string]string) resp {
	w.t.Helper()
	action := form.AttrOr("action", "")
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if form.AttrOr("hx-post", "") != "" {
		hdr["HX-Request"], hdr["HX-Current-URL"] = "true", c.e.srv.URL+page
		if target := form.AttrOr("hx-target", ""); strings.HasPrefix(target, "#") {
			hdr["HX-Target"] = target[1:]
		}
	}
	body := io.Reader(strings.NewReader(vals.Encode()))
	if form.AttrOr("enctype", "") == "multipart/form-data" {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		form.Find(`input[type="file"][name]`).Each(func(_ int, s *goquery.Selection) { vals.Del(s.AttrOr("name", "")) })
		for k, vs := range vals {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		for name, content := range files {
			fw, _ := mw.CreateFormFile(name, "walk.csv")
			_, _ = fw.Write([]byte(content))
		}
		mw.Close()
		body, hdr["Content-Type"] = &b, mw.FormDataContentType()
	}
	return c.do(http.MethodPost, action, body, hdr)
}

// routeOf is the route pattern the server sends a POST to path to ("METHOD /pattern").
func (w *auditWalk) routeOf(path string) string {
	u, err := url.Parse(path)
	if err != nil || path == "" {
		return ""
	}
	e := w.ae.server.Echo
	ctx := e.NewContext(nil, nil)
	e.Router().Find(http.MethodPost, u.Path, ctx)
	return http.MethodPost + " " + ctx.Path()
}

func uidText(id *uint) string {
	if id == nil {
		return "none"
	}
	return fmt.Sprint(*id)
}

// describe lists change rows briefly (entity id action field), at most eight.
func describe(rows []models.Change) string {
	var parts []string
	for i, r := range rows {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("… %d more", len(rows)-i))
			break
		}
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %d %s %s", r.Entity, r.EntityID, r.Action, r.Field)))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// alerts is what a page says went wrong (its error summary and field errors), or the start of its body.
func alerts(t *testing.T, r resp) string {
	var msgs []string
	r.Doc(t).Find(`[role="alert"], [data-testid^="error-"], .flash-error`).Each(func(_ int, s *goquery.Selection) {
		msgs = append(msgs, strings.Join(strings.Fields(s.Text()), " "))
	})
	if len(msgs) > 0 {
		return strings.Join(msgs, " | ")
	}
	if len(r.Body) > 400 {
		return r.Body[:400]
	}
	return r.Body
}
