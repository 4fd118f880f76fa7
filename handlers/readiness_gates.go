package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// gateForm is the go/no-go form as typed.
type gateForm struct{ pages.GateValues }

func readGateForm(c echo.Context) gateForm {
	return gateForm{pages.GateValues{Decision: c.FormValue("decision"), DecidedOn: c.FormValue("decided_on"),
		DecidedBy: c.FormValue("decided_by"), Conditions: c.FormValue("conditions"), Version: c.FormValue("version")}}
}

// Validate parses the form into a gate decision made by day today.
func (f gateForm) Validate(today models.Date) (models.TransferGate, web.Checker) {
	ch := web.Checker{}
	g := models.TransferGate{
		Decision:   ch.OneOf("decision", f.Decision, models.GateDecisions),
		DecidedOn:  ch.Date("decided_on", f.DecidedOn, true),
		DecidedBy:  ch.Text("decided_by", f.DecidedBy, true, 200),
		Conditions: ch.Text("conditions", f.Conditions, false, 2000),
	}
	if !g.DecidedOn.IsZero() && g.DecidedOn.After(today) {
		ch.Add("decided_on", "Record a decision once it is taken: the date cannot be in the future.")
	}
	if g.Decision == "conditional" && g.Conditions == "" {
		ch.Add("conditions", "A conditional go needs its conditions.")
	}
	return g, ch
}

func gateValues(g models.TransferGate) pages.GateValues {
	return pages.GateValues{Decision: g.Decision, DecidedOn: g.DecidedOn.String(), DecidedBy: g.DecidedBy,
		Conditions: g.Conditions, Version: strconv.Itoa(g.Version)}
}

// gateFormProps loads what the gate form shows around it: readiness now and, when correcting, the history.
func (a *App) gateFormProps(c echo.Context, e models.Engagement, cur *models.TransferGate, v pages.GateValues) (pages.GateFormProps, error) {
	ctx := c.Request().Context()
	title := "Gate decision · " + e.Name
	p := pages.GateFormProps{Chrome: web.Chrome(c, title, "transfers"), E: e, Current: cur, V: v, Errors: map[string]string{}}
	items, err := models.ListReadiness(ctx, a.db, e.ID)
	if err != nil {
		return p, err
	}
	p.Readiness = components.Pct(models.Readiness(items))
	if cur != nil {
		p.History, err = models.HistoryOf(ctx, a.db, models.EntityTransferGate, cur.ID)
	}
	return p, err
}

func (a *App) renderGateForm(c echo.Context, status int, p pages.GateFormProps) error {
	return web.Render(c, status, pages.GateForm(p), pages.GateFormPanel(p))
}

// gateNew shows the empty go/no-go form. Route: gates.new.
func (a *App) gateNew(c echo.Context) error {
	e, err := a.botEngagementFromPath(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	p, err := a.gateFormProps(c, e, nil, pages.GateValues{DecidedOn: a.today().String()})
	if err != nil {
		return err
	}
	return a.renderGateForm(c, http.StatusOK, p)
}

// gateCreate records a go/no-go decision. Route: gates.create. The cycle of
// every create form (web.SaveNew): invalid → 422 with the form (the
// #gate-form partial for htmx); success → 303 to the readiness page
// (HX-Redirect for htmx).
func (a *App) gateCreate(c echo.Context) error {
	e, err := a.botEngagementFromPath(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	var saved models.TransferGate
	return web.SaveNew(c, readGateForm(c).GateValues, web.EditForm[pages.GateValues]{
		Save: func(v pages.GateValues, _ int) (map[string]string, error) {
			g, ch := gateForm{v}.Validate(a.today())
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = g
			saved.EngagementID = e.ID
			return nil, models.CreateGate(c.Request().Context(), a.db, w, &saved)
		},
		Render: func(status int, st web.EditState[pages.GateValues]) error {
			p, err := a.gateFormProps(c, e, nil, st.Values)
			if err != nil {
				return err
			}
			p.Errors = st.Errors
			return a.renderGateForm(c, status, p)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", fmt.Sprintf("Gate decision recorded: %s on %s.", saved.Decision, saved.DecidedOn.Human()))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/readiness", e.ID))
		},
	})
}

// pathGate loads the gate of the path's :id and its engagement, authorised.
func (a *App) pathGate(c echo.Context) (models.TransferGate, models.Engagement, error) {
	return pathRecord(a, c, func(g *models.TransferGate) uint { return g.EngagementID })
}

// gateEdit shows a recorded decision to correct, with its history. Route: gates.edit.
func (a *App) gateEdit(c echo.Context) error {
	g, e, err := a.pathGate(c)
	if err != nil {
		return err
	}
	p, err := a.gateFormProps(c, e, &g, gateValues(g))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(gateValues(g))
	return a.renderGateForm(c, http.StatusOK, p)
}

// gateUpdate saves a correction. Route: gates.update. The cycle of every edit
// form (web.SaveEdit): invalid → 422; a form rendered before someone else saved
// is merged field by field, the flash naming whose change; where both changed
// the same field, 409 with just those fields; success → 303 to the readiness
// page (the #gate-form partial for htmx on 422 and 409).
func (a *App) gateUpdate(c echo.Context) error {
	cur, e, err := a.pathGate(c)
	if err != nil {
		return err
	}
	mine := readGateForm(c).GateValues
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.GateValues]{
		Load: func() (pages.GateValues, int, error) {
			var err error
			cur, err = models.First[models.TransferGate](c.Request().Context(), a.db, cur.ID)
			return gateValues(cur), cur.Version, err
		},
		Save: func(v pages.GateValues, version int) (map[string]string, error) {
			g, ch := gateForm{v}.Validate(a.today())
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			g.ID, g.EngagementID = cur.ID, cur.EngagementID
			_, err = models.UpdateGate(c.Request().Context(), a.db, w, cur.ID, version, g)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.GateValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.gateFormProps(c, e, &cur, v)
			if err != nil {
				return err
			}
			p.Shown = st.Shown
			if st.Errors != nil {
				p.Errors = st.Errors
			}
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy = true, st.ConflictBy
				for _, f := range st.Conflicts {
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return a.renderGateForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Gate decision corrected.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/readiness", e.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.EntityTransferGate, cur.ID) },
	})
}
