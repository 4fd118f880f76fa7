package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// saveAction adds (route risks.actions.create) or changes (risks.actions.update)
// a mitigation action of a risk, recording it in the risk's history. With htmx
// the answer is the #risk-actions section with the history swapped out of band;
// a refused form comes back open with the input kept (422, or 409 when someone
// saved the action first); without JavaScript a success redirects to the risk.
func (a *App) saveAction(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := a.loadRisk(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
		return err
	}
	var aid uint
	if c.Param("aid") != "" {
		if aid, err = idParam(c, "aid"); err != nil {
			return err
		}
	}
	vals := map[string]string{}
	for _, k := range []string{"action", "owner_id", "due", "status", "version"} {
		vals[k] = c.FormValue(k)
	}
	ck := web.Checker{}
	m := models.MitigationAction{ID: aid, RiskID: r.ID,
		Action:  ck.Text("action", vals["action"], true, 500),
		OwnerID: ck.ID("owner_id", vals["owner_id"]),
		Due:     ck.Date("due", vals["due"], false),
		Status:  ck.OneOf("status", vals["status"], models.MitigationStatuses),
	}
	m.Version, _ = strconv.Atoi(vals["version"])
	if m.OwnerID != nil {
		ok, err := models.UserEnabled(ctx, a.db, *m.OwnerID)
		if err != nil {
			return err
		}
		if !ok {
			ck.Add("owner_id", "Choose one of the listed people.")
		}
	}
	state := pages.ActionFormState{ID: aid, Values: vals, Errors: ck}
	status := http.StatusOK
	if ck.OK() {
		act, err := a.riskActor(c)
		if err != nil {
			return err
		}
		err = models.SaveMitigation(ctx, a.db, act, &m)
		switch {
		case errors.Is(err, models.ErrStale):
			status = http.StatusConflict
			state.Conflict = "Someone changed this action since the page was loaded; the table shows what is stored. Your input is kept here: save again to replace it."
			cur, err := models.First[models.MitigationAction](ctx, a.db, aid)
			if err != nil {
				return err
			}
			state.Values["version"] = strconv.Itoa(cur.Version)
		case err != nil:
			return err
		default:
			if !web.IsHTMX(c) {
				web.AddFlash(c, "success", "Mitigation action saved.")
				return c.Redirect(http.StatusSeeOther, "/risks/"+strconv.Itoa(int(r.ID))+"#risk-actions")
			}
			state = pages.ActionFormState{}
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	p, err := a.riskPage(c, r.ID)
	if err != nil {
		return err
	}
	p.ActionForm = state
	if web.IsHTMX(c) {
		p.OOB = true
		return web.Render(c, status, pages.RiskActionsAnswer(p), pages.RiskActionsAnswer(p))
	}
	return web.Render(c, status, pages.RiskPage(p), nil)
}
