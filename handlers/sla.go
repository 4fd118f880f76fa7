package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// slas shows an engagement's service levels: definitions, attainment per
// quarter, breaches with credits due, and trends. Route: slas.index; an htmx
// request (the breaches pager) gets the #sla-breaches partial.
func (a *App) slas(c echo.Context) error {
	e, err := a.engagementFromPath(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	today := a.today()
	p := pages.SLAPageProps{Chrome: web.Chrome(c, "Service levels · "+e.Name, "engagements"), E: e}
	if p.CanEdit, err = a.canEdit(c, &e.ID); err != nil {
		return err
	}
	page := pageParam(c)
	var total int64
	if p.Breaches, total, err = models.ListSLABreaches(ctx, a.db, e.ID, page, perPage); err != nil {
		return err
	}
	p.BreachPages = components.Pages{Page: page, PerPage: perPage, Total: total}
	p.BreachQuery = listQuery(c, fmt.Sprintf("/engagements/%d/slas", e.ID), "#sla-breaches")
	if p.Totals, err = models.SumSLABreaches(ctx, a.db, e.ID); err != nil {
		return err
	}
	if web.IsHTMX(c) && !web.IsBoosted(c) {
		return web.Render(c, http.StatusOK, nil, pages.SLABreaches(p))
	}
	if p.SLAs, err = models.ListSLAs(ctx, a.db, e.ID, true); err != nil {
		return err
	}
	f := s.Fiscal()
	p.Current = f.QuarterOf(today)
	p.Quarters = models.LastQuarters(f, today, 5)
	if p.Att, err = models.AttainmentByQuarter(ctx, a.db, e.ID, f, p.Quarters); err != nil {
		return err
	}
	var live []models.ServiceLevel
	for _, sl := range p.SLAs {
		if !sl.Archived {
			live = append(live, sl)
		}
	}
	if p.Trends, err = models.SLATrends(ctx, a.db, live, models.Date{Time: today.MonthStart().AddDate(0, -11, 0)}); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.SLAPage(p), nil)
}

// slaForm is the service-level form as typed.
type slaForm struct{ pages.SLAValues }

func readSLAForm(c echo.Context) slaForm {
	return slaForm{pages.SLAValues{Name: c.FormValue("name"), Target: c.FormValue("target"), Unit: c.FormValue("unit"),
		Direction: c.FormValue("direction"), CreditRule: c.FormValue("credit_rule"), CreditPct: c.FormValue("credit_pct"),
		Version: c.FormValue("version")}}
}

// Validate parses the form into a service level.
func (f slaForm) Validate() (models.ServiceLevel, web.Checker) {
	ch := web.Checker{}
	s := models.ServiceLevel{
		Name:       ch.Text("name", f.Name, true, 120),
		Unit:       ch.Text("unit", f.Unit, true, 20),
		Direction:  ch.OneOf("direction", f.Direction, []string{models.HigherIsBetter, models.LowerIsBetter}),
		CreditRule: ch.Text("credit_rule", f.CreditRule, false, 1000),
	}
	if t, err := models.ParseMilli(f.Target); err != nil {
		ch.Add("target", "Enter the target as a number, e.g. 99.9 ("+err.Error()+").")
	} else if t < 0 {
		ch.Add("target", "A target cannot be negative.")
	} else {
		s.Target = t
	}
	if f.CreditPct != "" {
		s.CreditPct = ch.Int("credit_pct", f.CreditPct, 0, 100)
	}
	return s, ch
}

func slaValues(s models.ServiceLevel) pages.SLAValues {
	return pages.SLAValues{Name: s.Name, Target: milliField(s.Target), Unit: s.Unit, Direction: s.Direction,
		CreditRule: s.CreditRule, CreditPct: strconv.Itoa(s.CreditPct), Version: strconv.Itoa(s.Version)}
}

func (a *App) renderSLAForm(c echo.Context, status int, p pages.SLAFormProps) error {
	return web.Render(c, status, pages.SLAForm(p), pages.SLAFormPanel(p))
}

// slaNew shows the empty service-level form. Route: slas.new.
func (a *App) slaNew(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	return a.renderSLAForm(c, http.StatusOK, pages.SLAFormProps{Chrome: web.Chrome(c, "New service level", "engagements"), E: e,
		V: pages.SLAValues{Direction: models.HigherIsBetter, Unit: "%", CreditPct: "0"}, Errors: map[string]string{}})
}

// slaCreate adds a service level. Route: slas.create. The cycle of every
// create form (web.SaveNew): invalid → 422 with the form (the #sla-form
// partial for htmx); success → 303 to the service-level page (HX-Redirect for
// htmx).
func (a *App) slaCreate(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	var saved models.ServiceLevel
	return web.SaveNew(c, readSLAForm(c).SLAValues, web.EditForm[pages.SLAValues]{
		Save: func(v pages.SLAValues, _ int) (map[string]string, error) {
			s, ch := slaForm{v}.Validate()
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = s
			saved.EngagementID = e.ID
			return nil, models.CreateSLA(c.Request().Context(), a.db, w, &saved)
		},
		Render: func(status int, st web.EditState[pages.SLAValues]) error {
			return a.renderSLAForm(c, status, pages.SLAFormProps{Chrome: web.Chrome(c, "New service level", "engagements"),
				E: e, V: st.Values, Errors: st.Errors})
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Service level “"+saved.Name+"” added.")
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/slas", e.ID))
		},
	})
}

// pathSLA loads the service level of the path's :id with its engagement, and
// answers 403 unless the user may change the engagement's records.
func (a *App) pathSLA(c echo.Context) (models.ServiceLevel, models.Engagement, error) {
	return pathRecord(a, c, func(s *models.ServiceLevel) uint { return s.EngagementID })
}

func (a *App) slaFormProps(c echo.Context, s models.ServiceLevel, e models.Engagement, v pages.SLAValues) (pages.SLAFormProps, error) {
	p := pages.SLAFormProps{Chrome: web.Chrome(c, "Edit "+s.Name, "engagements"), E: e, Current: &s, V: v, Errors: map[string]string{}}
	var err error
	p.History, err = models.HistoryOf(c.Request().Context(), a.db, models.EntitySLA, s.ID)
	return p, err
}

// slaEdit shows a service level's form with its history. Route: slas.edit.
func (a *App) slaEdit(c echo.Context) error {
	s, e, err := a.pathSLA(c)
	if err != nil {
		return err
	}
	p, err := a.slaFormProps(c, s, e, slaValues(s))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(slaValues(s))
	return a.renderSLAForm(c, http.StatusOK, p)
}

// slaUpdate saves a service level. Route: slas.update. The cycle of every
// edit form (web.SaveEdit): invalid → 422; a form rendered before someone else
// saved is merged field by field, the flash naming whose change; where both
// changed the same field, 409 with just those fields; success → 303 to the
// service-level page (the #sla-form partial for htmx on 422 and 409).
func (a *App) slaUpdate(c echo.Context) error {
	cur, e, err := a.pathSLA(c)
	if err != nil {
		return err
	}
	mine := normalSLAValues(readSLAForm(c).SLAValues)
	var saved models.ServiceLevel
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.SLAValues]{
		Load: func() (pages.SLAValues, int, error) {
			var err error
			cur, err = models.First[models.ServiceLevel](c.Request().Context(), a.db, cur.ID)
			return slaValues(cur), cur.Version, err
		},
		Save: func(v pages.SLAValues, version int) (map[string]string, error) {
			s, ch := slaForm{v}.Validate()
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = s
			_, err = models.UpdateSLA(c.Request().Context(), a.db, w, cur.ID, version, s)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.SLAValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.slaFormProps(c, cur, e, v)
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
			return a.renderSLAForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Service level “"+saved.Name+"” saved.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/slas", e.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.EntitySLA, cur.ID) },
	})
}

// normalSLAValues writes the target and the credit as the form shows stored
// ones ("99.90" → "99.9", a blank credit → "0"), so that a merge counts only
// a changed figure as a change. What does not parse stays as typed, for the
// 422.
func normalSLAValues(v pages.SLAValues) pages.SLAValues {
	if t, err := models.ParseMilli(v.Target); err == nil && t >= 0 {
		v.Target = milliField(t)
	}
	if strings.TrimSpace(v.CreditPct) == "" {
		v.CreditPct = "0"
	} else if n, err := strconv.Atoi(strings.TrimSpace(v.CreditPct)); err == nil {
		v.CreditPct = strconv.Itoa(n)
	}
	return v
}

// slaArchive archives a service level. Route: slas.archive; redirects to the service-level page.
func (a *App) slaArchive(c echo.Context) error { return a.setSLAArchived(c, true) }

// slaRestore puts an archived service level back in the monthly form. Route: slas.restore.
func (a *App) slaRestore(c echo.Context) error { return a.setSLAArchived(c, false) }

func (a *App) setSLAArchived(c echo.Context, archived bool) error {
	s, e, err := a.pathSLA(c)
	if err != nil {
		return err
	}
	version, err := postedVersion(c)
	if err != nil {
		return err
	}
	w, err := a.deliveryWrite(c)
	if err != nil {
		return err
	}
	if _, err := models.SetSLAArchived(c.Request().Context(), a.db, w, s.ID, version, archived); errors.Is(err, models.ErrStale) {
		return echo.NewHTTPError(http.StatusConflict, "Someone changed “"+s.Name+"” while you were looking at it. Reload the page to see the current version, then try again.")
	} else if err != nil {
		return err
	}
	msg := "Service level “" + s.Name + "” archived: it has left the monthly form; its results are kept."
	if !archived {
		msg = "Service level “" + s.Name + "” restored to the monthly form."
	}
	web.AddFlash(c, "success", msg)
	return web.Redirect(c, fmt.Sprintf("/engagements/%d/slas", e.ID))
}
