package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// readActionForm reads a posted mitigation action form as typed.
func readActionForm(c echo.Context) pages.ActionValues {
	return pages.ActionValues{Action: c.FormValue("action"), OwnerID: c.FormValue("owner_id"), Due: c.FormValue("due"),
		Status: c.FormValue("status"), Version: c.FormValue("version")}
}

// actionFromValues parses and checks an action form of risk riskID.
func (a *App) actionFromValues(c echo.Context, riskID, id uint, v pages.ActionValues) (models.MitigationAction, web.Checker, error) {
	ck := web.Checker{}
	m := models.MitigationAction{ID: id, RiskID: riskID,
		Action:  ck.Text("action", v.Action, true, 500),
		OwnerID: ck.ID("owner_id", v.OwnerID),
		Due:     ck.Date("due", v.Due, false),
		Status:  ck.OneOf("status", v.Status, models.MitigationStatuses),
	}
	if m.OwnerID != nil {
		ok, err := models.UserEnabled(c.Request().Context(), a.db, *m.OwnerID)
		if err != nil {
			return m, ck, err
		}
		if !ok {
			ck.Add("owner_id", "Choose one of the listed people.")
		}
	}
	return m, ck, nil
}

// saveAction adds (route risks.actions.create) or changes (risks.actions.update)
// a mitigation action of a risk, recording it in the risk's history. The cycle
// of every form (web.SaveNew to add, web.SaveEdit to change): invalid → 422; a
// form rendered before someone else saved the action is merged field by field,
// the flash (or the section's status line for htmx) naming whose change; where
// both changed the same field, 409 with just those fields beside the form. A
// refused form comes back open with the input kept. With htmx the answer is
// the #risk-actions section with the history swapped out of band; without
// JavaScript a success redirects to the risk.
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
	answer := func(status int, p pages.RiskProps) error {
		if web.IsHTMX(c) {
			p.OOB = true
			return web.Render(c, status, pages.RiskActionsAnswer(p), pages.RiskActionsAnswer(p))
		}
		return web.Render(c, status, pages.RiskPage(p), nil)
	}
	var cur models.MitigationAction
	f := web.EditForm[pages.ActionValues]{
		Load: func() (pages.ActionValues, int, error) {
			var err error
			if cur, err = models.First[models.MitigationAction](ctx, a.db, aid); err != nil {
				return pages.ActionValues{}, 0, err
			}
			if cur.RiskID != r.ID {
				return pages.ActionValues{}, 0, models.ErrNotFound
			}
			return pages.ActionValuesOf(cur), cur.Version, nil
		},
		Save: func(v pages.ActionValues, version int) (map[string]string, error) {
			m, ck, err := a.actionFromValues(c, r.ID, aid, v)
			if err != nil || !ck.OK() {
				return ck, err
			}
			act, err := a.riskActor(c)
			if err != nil {
				return nil, err
			}
			m.Version = version
			return nil, models.SaveMitigation(ctx, a.db, act, &m)
		},
		Render: func(status int, st web.EditState[pages.ActionValues]) error {
			p, err := a.riskPage(c, r.ID)
			if err != nil {
				return err
			}
			v := st.Values
			if aid != 0 {
				v.Version = strconv.Itoa(st.Version)
			}
			p.ActionForm = pages.ActionFormState{ID: aid, Held: true, Values: v, Errors: st.Errors, Shown: st.Shown}
			if status == http.StatusConflict {
				owners := map[string]string{"": "Unassigned"}
				for _, o := range p.Owners {
					owners[o.Value] = o.Label
				}
				p.ActionForm.ConflictBy = st.ConflictBy
				for _, f := range st.Conflicts {
					if f.Name == "owner_id" {
						f.Yours, f.Stored = owners[f.Yours], owners[f.Stored]
					}
					p.ActionForm.Conflict = append(p.ActionForm.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return answer(status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Mitigation action saved.", merged)
			if !web.IsHTMX(c) {
				web.AddFlash(c, "success", msg)
				return c.Redirect(http.StatusSeeOther, "/risks/"+strconv.Itoa(int(r.ID))+"#risk-actions")
			}
			p, err := a.riskPage(c, r.ID)
			if err != nil {
				return err
			}
			if merged != "" { // a plain save shows in the table and the history; a merge says with whose change
				p.ActionSaved = msg
			}
			return answer(http.StatusOK, p)
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.MitigationEntity, aid) },
	}
	mine := readActionForm(c)
	if aid == 0 {
		return web.SaveNew(c, mine, f)
	}
	return web.SaveEdit(c, mine, mine.Version, f)
}
