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

// costMonthsPerPage is how many months the costs page lists: two years.
const costMonthsPerPage = 24

// costEngagement loads the engagement of a costs route.
func (a *App) costEngagement(c echo.Context) (models.Engagement, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, err
	}
	return models.EngagementByID(c.Request().Context(), a.db, id)
}

// costRecords lists an engagement's monthly records with its figures. Route:
// costs.index; an htmx request (paging) gets the #cost-records partial.
func (a *App) costRecords(c echo.Context) error {
	e, err := a.costEngagement(c)
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	page := pageParam(c)
	rows, total, err := models.ListCostRecords(ctx, a.db, e.ID, page, costMonthsPerPage)
	if err != nil {
		return err
	}
	sums, err := models.SumCosts(ctx, a.db, models.CostScope{EngagementID: e.ID})
	if err != nil {
		return err
	}
	canEdit, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("/engagements/%d/costs", e.ID)
	p := pages.CostRecordsProps{
		Chrome: web.Chrome(c, "Costs of "+e.Name, "engagements"), E: e, Rows: rows, CanEdit: canEdit,
		View:  pages.NewCostView(sums, e.Currency, s.Fiscal(), a.today()),
		Query: listQuery(c, base, "#cost-records"), Pages: components.Pages{Page: page, PerPage: costMonthsPerPage, Total: total},
	}
	return web.Render(c, http.StatusOK, pages.CostRecords(p), pages.CostRecordsTable(p))
}

// costForm is a month's cost form as typed; Validate parses it.
type costForm struct{ pages.CostValues }

func readCostForm(c echo.Context) costForm {
	return costForm{pages.CostValues{
		Month: c.FormValue("month"), Baseline: c.FormValue("baseline"), VendorFees: c.FormValue("vendor_fees"),
		Retained: c.FormValue("retained"), OneOff: c.FormValue("one_off"), Credits: c.FormValue("credits"),
		PlannedSavings: c.FormValue("planned_savings"), SavingsType: c.FormValue("savings_type"), Version: c.FormValue("version"),
	}}
}

// parseMonth reads "YYYY-MM" (or a date in the month) as the month's first day,
// no later than the month of today.
func parseMonth(ch web.Checker, field, v string, today models.Date) models.Date {
	v = strings.TrimSpace(v)
	if v == "" {
		ch.Add(field, "Required.")
		return models.Date{}
	}
	if len(v) == 7 {
		v += "-01"
	}
	d, err := models.ParseDate(v)
	switch {
	case err != nil || d.Year() < 2000 || d.Year() > 2100:
		ch.Add(field, "Enter a month as YYYY-MM.")
		return models.Date{}
	case d.MonthStart().After(today.MonthStart()):
		ch.Add(field, "Costs are recorded once a month has begun; "+d.Format("January 2006")+" has not.")
	}
	return d.MonthStart()
}

// optionalAmount reads an amount that may be left empty (zero).
func optionalAmount(ch web.Checker, field, v string) int64 {
	if strings.TrimSpace(v) == "" {
		return 0
	}
	return ch.Amount(field, v, false)
}

// Validate parses the form into a month's record of engagement id: amounts
// are exact decimals, none negative except planned savings.
func (f costForm) Validate(engagementID uint, today models.Date) (models.CostRecord, web.Checker) {
	ch := web.Checker{}
	r := models.CostRecord{
		EngagementID:   engagementID,
		Month:          parseMonth(ch, "month", f.Month, today),
		Baseline:       ch.Amount("baseline", f.Baseline, false),
		VendorFees:     optionalAmount(ch, "vendor_fees", f.VendorFees),
		Retained:       optionalAmount(ch, "retained", f.Retained),
		OneOff:         optionalAmount(ch, "one_off", f.OneOff),
		Credits:        optionalAmount(ch, "credits", f.Credits),
		PlannedSavings: ch.Amount("planned_savings", f.PlannedSavings, true),
		SavingsType:    ch.OneOf("savings_type", f.SavingsType, models.SavingsTypes),
	}
	return r, ch
}

func costValues(r models.CostRecord) pages.CostValues {
	a := func(v int64) string { return models.FormatMinor(v, true) }
	return pages.CostValues{Month: r.Month.Format("2006-01"), Baseline: a(r.Baseline), VendorFees: a(r.VendorFees), Retained: a(r.Retained),
		OneOff: a(r.OneOff), Credits: a(r.Credits), PlannedSavings: a(r.PlannedSavings), SavingsType: r.SavingsType, Version: strconv.Itoa(r.Version)}
}

func (a *App) costFormProps(c echo.Context, e models.Engagement, current *models.CostRecord, v pages.CostValues) (pages.CostFormProps, error) {
	p := pages.CostFormProps{Chrome: web.Chrome(c, "Costs of "+e.Name, "engagements"), E: e, Current: current, V: v,
		Errors: map[string]string{}, MaxMonth: a.today().Format("2006-01")}
	if current != nil {
		var err error
		if p.History, err = models.HistoryOf(c.Request().Context(), a.db, "cost", current.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

func renderCostForm(c echo.Context, status int, p pages.CostFormProps) error {
	return web.Render(c, status, pages.CostForm(p), pages.CostFormPanel(p))
}

// authorizedCostEngagement loads the engagement and answers 403 unless the user may edit its records.
func (a *App) authorizedCostEngagement(c echo.Context) (models.Engagement, error) {
	e, err := a.costEngagement(c)
	if err != nil {
		return e, err
	}
	return e, a.authorizeEngagement(c, &e.ID)
}

// newCost shows the form for a month (?month=YYYY-MM preselects it; a month
// already recorded opens its edit form instead). Route: costs.new.
func (a *App) newCost(c echo.Context) error {
	e, err := a.authorizedCostEngagement(c)
	if err != nil {
		return err
	}
	next, ok, err := models.NextCostMonth(c.Request().Context(), a.db, e, a.today())
	if err != nil {
		return err
	}
	v := pages.CostValues{SavingsType: models.SavingsHard}
	if ok {
		v.Month = next.Format("2006-01")
	}
	if m := c.QueryParam("month"); m != "" {
		ch := web.Checker{}
		if d := parseMonth(ch, "month", m, a.today()); ch.OK() {
			rec, ok, err := models.CostOfMonth(c.Request().Context(), a.db, e.ID, d)
			if err != nil {
				return err
			}
			if ok {
				return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/engagements/%d/costs/%d/edit", e.ID, rec.ID))
			}
			v.Month = d.Format("2006-01")
		}
	}
	p, err := a.costFormProps(c, e, nil, v)
	if err != nil {
		return err
	}
	if !ok && v.Month == "" {
		p.AllRecorded = a.today().Format("January 2006")
	}
	return renderCostForm(c, http.StatusOK, p)
}

// createCost records a month. Route: costs.create. The cycle of every create
// form (web.SaveNew): invalid → 422 with the form (#cost-form for htmx);
// success → 303 to the costs page. A month that has its record already is
// refused with 409 and a link to edit it, the stored record unchanged and the
// user's input kept.
func (a *App) createCost(c echo.Context) error {
	e, err := a.authorizedCostEngagement(c)
	if err != nil {
		return err
	}
	today := a.today()
	mine := readCostForm(c).CostValues
	render := func(status int, v pages.CostValues, errs map[string]string, recorded *models.MonthRecordedError) error {
		p, err := a.costFormProps(c, e, nil, v)
		if err != nil {
			return err
		}
		if errs != nil {
			p.Errors = errs
		}
		if recorded != nil {
			p.Recorded = &pages.RecordedMonth{Label: recorded.Month.Format("January 2006"),
				EditURL: fmt.Sprintf("/engagements/%d/costs/%d/edit", e.ID, recorded.ID)}
		}
		return renderCostForm(c, status, p)
	}
	var saved models.CostRecord
	err = web.SaveNew(c, mine, web.EditForm[pages.CostValues]{
		Save: func(v pages.CostValues, _ int) (map[string]string, error) {
			in, ch := costForm{v}.Validate(e.ID, today)
			if !ch.OK() {
				return ch, nil
			}
			s, err := a.settings(c)
			if err != nil {
				return nil, err
			}
			saved, err = models.SaveCost(c.Request().Context(), a.db, models.Actor{Settings: s, Today: today, UserID: userID(c)}, in, 0)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.CostValues]) error {
			return render(status, st.Values, st.Errors, nil)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Costs of "+saved.Month.Format("January 2006")+" saved.")
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/costs", e.ID))
		},
	})
	// A month recorded already is no field error to correct but a record that
	// exists (409), which is edited through its own form and version: the
	// form comes back with a link to it, so it stays outside the 422 cycle.
	var recorded *models.MonthRecordedError
	if errors.As(err, &recorded) {
		return render(http.StatusConflict, mine, nil, recorded)
	}
	return err
}

// editCost shows a month's form with its history. Route: costs.edit.
func (a *App) editCost(c echo.Context) error {
	e, rec, err := a.loadCost(c)
	if err != nil {
		return err
	}
	p, err := a.costFormProps(c, e, &rec, costValues(rec))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(costValues(rec))
	return renderCostForm(c, http.StatusOK, p)
}

// updateCost saves an edit of a month. Route: costs.update. The cycle of
// every edit form (web.SaveEdit): invalid → 422; a form rendered before someone
// else saved is merged field by field, the flash naming whose change; where
// both changed the same figure, 409 with just those figures; success → 303
// to the costs page (#cost-form for htmx on 422 and 409).
func (a *App) updateCost(c echo.Context) error {
	e, rec, err := a.loadCost(c)
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	today := a.today()
	mine := normalCostValues(readCostForm(c).CostValues)
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.CostValues]{
		Load: func() (pages.CostValues, int, error) {
			var err error
			rec, err = models.CostRecordOf(ctx, a.db, e.ID, rec.ID)
			return costValues(rec), rec.Version, err
		},
		Save: func(v pages.CostValues, version int) (map[string]string, error) {
			in, ch := costForm{v}.Validate(e.ID, today)
			in.ID, in.Month = rec.ID, rec.Month // the month of a record never changes
			delete(ch, "month")
			if !ch.OK() {
				return ch, nil
			}
			_, err := models.SaveCost(ctx, a.db, models.Actor{Settings: s, Today: today, UserID: userID(c)}, in, version)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.CostValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.costFormProps(c, e, &rec, v)
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
					if f.Name == "savings_type" {
						f.Yours, f.Stored = models.SavingsTypeLabel(f.Yours), models.SavingsTypeLabel(f.Stored)
					}
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return renderCostForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Costs of "+rec.Month.Format("January 2006")+" saved.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/costs", e.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, "cost", rec.ID) },
	})
}

// normalCostValues writes each amount as the form shows a stored one
// ("1000" → "1,000.00", an empty optional amount → "0.00"), so that a merge
// counts only a changed figure as a change, never a changed way of typing
// it. Amounts that do not parse stay as typed, for the 422.
func normalCostValues(v pages.CostValues) pages.CostValues {
	norm := func(s string, optional bool) string {
		if optional && strings.TrimSpace(s) == "" {
			return models.FormatMinor(0, true)
		}
		if n, err := models.ParseAmount(s); err == nil {
			return models.FormatMinor(n, true)
		}
		return s
	}
	v.Baseline, v.PlannedSavings = norm(v.Baseline, false), norm(v.PlannedSavings, false)
	v.VendorFees, v.Retained = norm(v.VendorFees, true), norm(v.Retained, true)
	v.OneOff, v.Credits = norm(v.OneOff, true), norm(v.Credits, true)
	return v
}

// loadCost loads an authorised engagement and one of its records (404 for another engagement's).
func (a *App) loadCost(c echo.Context) (models.Engagement, models.CostRecord, error) {
	var rec models.CostRecord
	e, err := a.authorizedCostEngagement(c)
	if err != nil {
		return e, rec, err
	}
	cid, err := idParam(c, "cid")
	if err != nil {
		return e, rec, err
	}
	rec, err = models.CostRecordOf(c.Request().Context(), a.db, e.ID, cid)
	return e, rec, err
}
