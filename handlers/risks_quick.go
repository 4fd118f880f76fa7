package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// The register's quick actions. Each posts to /risks/:id/<action> with the
// version the row was rendered at and the register URL to return to. With htmx the
// answer is the row (#risk-ID) swapped in place, carrying the success message
// into #flash; a refused action answers the row with its form open (422) or
// with the stored values and the user's input kept (409). Without JavaScript a
// success redirects back to the register and a refusal shows the row on a page.

// riskStatus moves a risk to open or mitigating (reopening a closed one). Route: risks.status.
func (a *App) riskStatus(c echo.Context) error { return a.quickAction(c, "status") }

// reviewRisk records a review today; the next review follows the band's cadence. Route: risks.review.
func (a *App) reviewRisk(c echo.Context) error { return a.quickAction(c, "review") }

// closeRisk closes a risk with a date and a reason. Route: risks.close.
func (a *App) closeRisk(c echo.Context) error { return a.quickAction(c, "close") }

// acceptRisk accepts a risk with its approver, justification and expiry. Route: risks.accept.
func (a *App) acceptRisk(c echo.Context) error { return a.quickAction(c, "accept") }

// quickFields are the inputs each quick action reads.
var quickFields = map[string][]string{
	"status": {"status"},
	"review": {},
	"close":  {"closed_on", "closed_reason"},
	"accept": {"accepted_by", "accept_justification", "accept_expiry"},
}

// quickAction reads the risk once (with its engagement and owner, for the
// row), checks and applies the change with models.ApplyRiskChange, whose
// transaction then only writes, and renders the row outside it.
func (a *App) quickAction(c echo.Context, action string) error {
	ctx := c.Request().Context()
	r, err := a.rowRisk(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
		return err
	}
	back := web.LocalPath(c.FormValue("back"))
	if back == "/" {
		back = "/risks"
	}
	values := map[string]string{}
	for _, k := range quickFields[action] {
		values[k] = c.FormValue(k)
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return web.BadRequest("The form has no version: reload the register and try again.")
	}
	act, err := a.riskActor(c)
	if err != nil {
		return err
	}
	ck := web.Checker{}
	var ch models.RiskChange
	var msg string
	switch action {
	case "status":
		st := ck.OneOf("status", values["status"], []string{models.StatusOpen, models.StatusMitigating})
		ch = models.StatusChange(st)
		msg = fmt.Sprintf("%s is now %s.", r.Ref, strings.ToLower(models.HealthLabel(st)))
		if r.Status == models.StatusClosed {
			msg = fmt.Sprintf("%s reopened.", r.Ref)
		}
	case "review":
		ch = models.ReviewChange()
	case "close":
		on := ck.Date("closed_on", values["closed_on"], true)
		reason := ck.Text("closed_reason", values["closed_reason"], true, 1000)
		ch = models.CloseChange(on, reason)
		msg = fmt.Sprintf("%s closed.", r.Ref)
	case "accept":
		by := ck.Text("accepted_by", values["accepted_by"], true, 200)
		why := ck.Text("accept_justification", values["accept_justification"], true, 2000)
		until := ck.Date("accept_expiry", values["accept_expiry"], true)
		ch = models.AcceptChange(by, why, until)
		msg = fmt.Sprintf("%s accepted until %s.", r.Ref, until.Human())
	}
	var updated models.Risk
	merged := ""
	if ck.OK() {
		updated, err = models.ApplyRiskChange(ctx, a.db, act, r, version, ch)
		// A row rendered before someone else's save: every quick action turns on
		// the risk's status, so it still holds while the status is the one
		// the row showed; it is then applied to the risk as it is now.
		for attempt := 0; errors.Is(err, models.ErrStale) && attempt < 3; attempt++ {
			cur, rerr := a.rowRisk(c)
			if rerr != nil {
				return rerr
			}
			if cur.Status != c.FormValue("shown_status") {
				break
			}
			merged = a.mergeNoteOf(c, models.RiskEntity, cur.ID)
			r = cur
			updated, err = models.ApplyRiskChange(ctx, a.db, act, r, r.Version, ch)
		}
	}
	if action == "review" {
		msg = fmt.Sprintf("Review of %s recorded; next review %s.", r.Ref, updated.NextReview.Human())
	}
	msg = web.Merged(msg, merged)
	q := pages.QuickState{Open: action, Values: values, Errors: ck}
	var rule models.RiskRuleError
	switch {
	case !ck.OK():
		return a.quickAnswer(c, http.StatusUnprocessableEntity, r, back, act.Settings, q)
	case errors.As(err, &rule):
		q.Errors = rule
		return a.quickAnswer(c, http.StatusUnprocessableEntity, r, back, act.Settings, q)
	case errors.Is(err, models.ErrStale):
		if r, err = a.rowRisk(c); err != nil {
			return err
		}
		q.Errors = nil
		who, when := a.lastChange(c, models.RiskEntity, r.ID)
		q.Conflict = fmt.Sprintf("%s changed this risk's status to %s at %s, since the register was loaded; the row now shows what is stored. Your change was not saved: your input is kept below, submit it again if it still holds.",
			who, strings.ToLower(models.HealthLabel(r.Status)), when)
		return a.quickAnswer(c, http.StatusConflict, r, back, act.Settings, q)
	case err != nil:
		return err
	}
	if !web.IsHTMX(c) {
		web.AddFlash(c, "success", msg)
		return c.Redirect(http.StatusSeeOther, back+"#"+fmt.Sprintf("risk-%d", r.ID))
	}
	updated.Engagement, updated.Owner = r.Engagement, r.Owner
	rc := a.quickRow(c, back, act.Settings)
	rc.Flash, rc.Updated = msg, true
	return web.Render(c, http.StatusOK, pages.RegisterRow(updated, rc), pages.RegisterRow(updated, rc))
}

// rowRisk reads the path's risk with its engagement and owner (joined, in one
// statement), or 404.
func (a *App) rowRisk(c echo.Context) (models.Risk, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Risk{}, err
	}
	return models.RiskRow(c.Request().Context(), a.db, id)
}

// quickRow is the context a swapped row is rendered in, with the settings the
// change was judged by. A row of an engagement's own register has no
// engagement column: the register URL says which it was.
func (a *App) quickRow(c echo.Context, back string, s models.Settings) pages.RowCtx {
	return pages.RowCtx{Risk: s.Risk, Today: a.today(), CSRF: web.CSRFToken(c), Back: back, CanEdit: true, Actions: true,
		WithEngagement: !strings.HasPrefix(back, "/engagements/")}
}

// quickAnswer answers a refused quick action: the row with its form open for
// htmx, a page with that row otherwise.
func (a *App) quickAnswer(c echo.Context, status int, r models.Risk, back string, s models.Settings, q pages.QuickState) error {
	rc := a.quickRow(c, back, s)
	rc.Quick = q
	p := pages.RiskQuickProps{Chrome: web.Chrome(c, "Update "+r.Ref, "risks"), R: r, Row: rc}
	return web.Render(c, status, pages.RiskQuickPage(p), pages.RegisterRow(r, rc))
}
