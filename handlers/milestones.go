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

// milestonePerPage is the size of a milestone page: an engagement's whole plan fits on one.
const milestonePerPage = 50

// milestones lists an engagement's milestones with their slippage. Route:
// milestones.index; an htmx request (the pager) gets the #milestone-list partial.
func (a *App) milestones(c echo.Context) error {
	e, err := a.engagementFromPath(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	today := a.today()
	page := pageParam(c)
	p := pages.MilestonesProps{Chrome: web.Chrome(c, "Milestones · "+e.Name, "engagements"), E: e, Today: today,
		Query: listQuery(c, fmt.Sprintf("/engagements/%d/milestones", e.ID), "#milestone-list")}
	var total int64
	if p.Rows, total, err = models.ListMilestones(ctx, a.db, e.ID, page, milestonePerPage); err != nil {
		return err
	}
	p.Pages = components.Pages{Page: page, PerPage: milestonePerPage, Total: total}
	if p.CanEdit, err = a.canEdit(c, &e.ID); err != nil {
		return err
	}
	if p.Counts, err = models.CountMilestones(ctx, a.db, e.ID, today); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Milestones(p), pages.MilestoneList(p))
}

// milestoneForm is the milestone form as typed.
type milestoneForm struct{ pages.MilestoneValues }

func readMilestoneForm(c echo.Context) milestoneForm {
	return milestoneForm{pages.MilestoneValues{Phase: c.FormValue("phase"), Name: c.FormValue("name"), IsKey: checkbox(c, "is_key"),
		Planned: c.FormValue("planned"), Forecast: c.FormValue("forecast"), Actual: c.FormValue("actual"), Version: c.FormValue("version")}}
}

// Validate parses the form into a milestone of an engagement on day today.
func (f milestoneForm) Validate(e models.Engagement, today models.Date) (models.Milestone, web.Checker) {
	ch := web.Checker{}
	phases := models.PhasesITO
	if e.IsBOT() {
		phases = models.PhasesBOT
	}
	m := models.Milestone{
		EngagementID: e.ID,
		Phase:        ch.OneOf("phase", f.Phase, phases),
		Name:         ch.Text("name", f.Name, true, 200),
		IsKey:        ticked(f.IsKey),
		Planned:      ch.Date("planned", f.Planned, true),
		Forecast:     ch.Date("forecast", f.Forecast, false),
		Actual:       ch.Date("actual", f.Actual, false),
	}
	if !m.Actual.IsZero() && m.Actual.After(today) {
		ch.Add("actual", "A milestone cannot be done in the future: leave it empty and set a forecast.")
	}
	return m, ch
}

func milestoneValues(m models.Milestone) pages.MilestoneValues {
	v := pages.MilestoneValues{Phase: m.Phase, Name: m.Name, Planned: m.Planned.String(), Forecast: m.Forecast.String(),
		Actual: m.Actual.String(), IsKey: "0", Version: strconv.Itoa(m.Version)}
	if m.IsKey {
		v.IsKey = "1"
	}
	return v
}

func (a *App) renderMilestoneForm(c echo.Context, status int, p pages.MilestoneFormProps) error {
	return web.Render(c, status, pages.MilestoneForm(p), pages.MilestoneFormPanel(p))
}

// milestoneNew shows the empty milestone form, in the engagement's current phase. Route: milestones.new.
func (a *App) milestoneNew(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	return a.renderMilestoneForm(c, http.StatusOK, pages.MilestoneFormProps{Chrome: web.Chrome(c, "New milestone", "engagements"),
		E: e, V: pages.MilestoneValues{Phase: e.Phase}, Errors: map[string]string{}})
}

// milestoneCreate adds a milestone. Route: milestones.create. The cycle of
// every create form (web.SaveNew): invalid → 422 with the form (the
// #milestone-form partial for htmx); success → 303 to the milestone list
// (HX-Redirect for htmx).
func (a *App) milestoneCreate(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	var saved models.Milestone
	return web.SaveNew(c, readMilestoneForm(c).MilestoneValues, web.EditForm[pages.MilestoneValues]{
		Save: func(v pages.MilestoneValues, _ int) (map[string]string, error) {
			m, ch := milestoneForm{v}.Validate(e, a.today())
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = m
			return nil, models.CreateMilestone(c.Request().Context(), a.db, w, &saved)
		},
		Render: func(status int, st web.EditState[pages.MilestoneValues]) error {
			return a.renderMilestoneForm(c, status, pages.MilestoneFormProps{Chrome: web.Chrome(c, "New milestone", "engagements"),
				E: e, V: st.Values, Errors: st.Errors})
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Milestone “"+saved.Name+"” added.")
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/milestones", e.ID))
		},
	})
}

// pathMilestone loads the milestone of the path's :id and its engagement, and
// answers 403 unless the user may change the engagement's records.
func (a *App) pathMilestone(c echo.Context) (models.Milestone, models.Engagement, error) {
	return pathRecord(a, c, func(m *models.Milestone) uint { return m.EngagementID })
}

func (a *App) milestoneFormProps(c echo.Context, m models.Milestone, e models.Engagement, v pages.MilestoneValues) (pages.MilestoneFormProps, error) {
	p := pages.MilestoneFormProps{Chrome: web.Chrome(c, "Edit "+m.Name, "engagements"), E: e, Current: &m, V: v, Errors: map[string]string{}}
	var err error
	p.History, err = models.HistoryOf(c.Request().Context(), a.db, models.EntityMilestone, m.ID)
	return p, err
}

// milestoneEdit shows a milestone's form with its history. Route: milestones.edit.
func (a *App) milestoneEdit(c echo.Context) error {
	m, e, err := a.pathMilestone(c)
	if err != nil {
		return err
	}
	p, err := a.milestoneFormProps(c, m, e, milestoneValues(m))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(milestoneValues(m))
	return a.renderMilestoneForm(c, http.StatusOK, p)
}

// milestoneUpdate saves a milestone. Route: milestones.update. The cycle of
// every edit form (web.SaveEdit): invalid → 422; a form rendered before someone
// else saved is merged field by field, the flash naming whose change; where
// both changed the same field, 409 with just those fields; success → 303 to
// the milestone list (the #milestone-form partial for htmx on 422 and 409).
func (a *App) milestoneUpdate(c echo.Context) error {
	cur, e, err := a.pathMilestone(c)
	if err != nil {
		return err
	}
	mine := readMilestoneForm(c).MilestoneValues
	var saved models.Milestone
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.MilestoneValues]{
		Load: func() (pages.MilestoneValues, int, error) {
			var err error
			cur, err = models.First[models.Milestone](c.Request().Context(), a.db, cur.ID)
			return milestoneValues(cur), cur.Version, err
		},
		Save: func(v pages.MilestoneValues, version int) (map[string]string, error) {
			m, ch := milestoneForm{v}.Validate(e, a.today())
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			m.ID, saved = cur.ID, m
			_, err = models.UpdateMilestone(c.Request().Context(), a.db, w, cur.ID, version, m)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.MilestoneValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.milestoneFormProps(c, cur, e, v)
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
					if f.Name == "is_key" {
						f.Yours, f.Stored = exportYesNo(ticked(f.Yours)), exportYesNo(ticked(f.Stored))
					}
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return a.renderMilestoneForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Milestone “"+saved.Name+"” saved.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/milestones", e.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.EntityMilestone, cur.ID) },
	})
}

// milestonesExport streams an engagement's milestones with their slippage as
// CSV or XLSX. Route: milestones.export (?format=csv|xlsx).
func (a *App) milestonesExport(c echo.Context) error {
	e, err := a.engagementFromPath(c)
	if err != nil {
		return err
	}
	today := a.today()
	return a.writeExport(c, exportFormatParam(c), exportSpec{
		Filename: "milestones-" + e.Code,
		Header:   []string{"Engagement", "Phase", "Milestone", "Key", "Planned", "Forecast", "Actual", "Days late", "Days overdue"},
		Types:    []cellType{tText, tText, tText, tText, tDate, tDate, tDate, tCount, tCount},
		Rows: func(yield func([]string) error) error {
			return models.EachMilestone(c.Request().Context(), a.db, e.ID, func(m models.Milestone) error {
				return yield([]string{e.Code, m.Phase, m.Name, exportYesNo(m.IsKey), m.Planned.String(), m.Forecast.String(),
					m.Actual.String(), strconv.Itoa(m.DaysLate(today)), strconv.Itoa(m.Overdue(today))})
			})
		},
	})
}
