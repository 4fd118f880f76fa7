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

// yearMonth writes a month as YYYY-MM, the form of <input type="month">.
func yearMonth(d models.Date) string { return d.Format("2006-01") }

// parseResultMonth reads YYYY-MM (or a full date) into the first day of the month.
func parseResultMonth(s string) (models.Date, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 7 {
		s += "-01"
	}
	d, err := models.ParseDate(s)
	if err != nil || d.Year() < 1990 || d.Year() > 2100 {
		return models.Date{}, false
	}
	return d.MonthStart(), true
}

// resultsProps builds the monthly form of an engagement's live service levels,
// filling each line from the stored result of the month.
func (a *App) resultsProps(c echo.Context, e models.Engagement, month models.Date, monthRaw string) (pages.SLAResultsProps, error) {
	ctx := c.Request().Context()
	p := pages.SLAResultsProps{Chrome: web.Chrome(c, "Record results · "+e.Name, "engagements"), E: e, Month: monthRaw,
		MaxMonth: yearMonth(a.today()), Errors: map[string]string{}}
	slas, err := models.ListSLAs(ctx, a.db, e.ID, false)
	if err != nil {
		return p, err
	}
	stored := map[uint]models.SLAMeasurement{}
	if !month.IsZero() {
		if stored, err = models.MonthResults(ctx, a.db, e.ID, month); err != nil {
			return p, err
		}
	}
	for _, s := range slas {
		l := pages.SLAResultLine{SLA: s}
		if m, ok := stored[s.ID]; ok {
			l.Stored = &m
			l.Actual, l.Note, l.Version = milliField(m.Actual), m.Note, strconv.Itoa(m.Version)
		}
		p.Lines = append(p.Lines, l)
	}
	return p, nil
}

// slaResultsForm shows the form that records one month's results of all the
// engagement's service levels. Route: slas.results (?month=YYYY-MM, default the
// first month not yet recorded; a recorded month opens with its results and
// their versions, to be corrected).
func (a *App) slaResultsForm(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	month, ok := parseResultMonth(c.QueryParam("month"))
	if !ok || month.After(a.today()) {
		if month, _, err = models.NextSLAMonth(c.Request().Context(), a.db, e, a.today()); err != nil {
			return err
		}
		if month.After(a.today()) {
			month = a.today().MonthStart() // every month is recorded: this one opens to be corrected
		}
	}
	p, err := a.resultsProps(c, e, month, yearMonth(month))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.SLAResults(p), pages.SLAResultsPanel(p))
}

// slaResultsSave records the month's results in one transaction. Route:
// slas.record; success redirects to the engagement page with a summary (HX-
// Redirect for htmx); invalid input answers 422 and a result saved by someone
// else meanwhile 409, both with every value the user typed (the
// #sla-results-form partial for htmx).
func (a *App) slaResultsSave(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	monthRaw := c.FormValue("month")
	month, ok := parseResultMonth(monthRaw)
	ch := web.Checker{}
	switch {
	case !ok:
		ch.Add("month", "Choose a month (YYYY-MM).")
	case month.After(a.today()):
		ch.Add("month", "Results cannot be recorded for a month that has not started.")
	}
	p, err := a.resultsProps(c, e, month, monthRaw)
	if err != nil {
		return err
	}
	var results []models.SLAResult
	for i := range p.Lines {
		l := &p.Lines[i]
		id := l.SLA.ID
		l.Actual = c.FormValue(fmt.Sprintf("actual_%d", id))
		l.Note = c.FormValue(fmt.Sprintf("note_%d", id))
		l.Version = c.FormValue(fmt.Sprintf("version_%d", id))
		actualKey, noteKey := fmt.Sprintf("actual_%d", id), fmt.Sprintf("note_%d", id)
		note := ch.Text(noteKey, l.Note, false, 500)
		version := 0
		if strings.TrimSpace(l.Version) != "" {
			if version, err = strconv.Atoi(strings.TrimSpace(l.Version)); err != nil || version < 1 {
				return web.BadRequest("The form's versions are damaged; reload the page and try again.")
			}
		}
		if strings.TrimSpace(l.Actual) == "" {
			if l.Stored != nil || version != 0 {
				ch.Add(actualKey, "A recorded result is never removed: enter the corrected value.")
			} else if note != "" {
				ch.Add(actualKey, "Enter the result this note is about, or clear the note.")
			}
			continue
		}
		v, perr := models.ParseMilli(l.Actual)
		if perr != nil {
			ch.Add(actualKey, "Enter a number, e.g. 99.95 ("+perr.Error()+").")
			continue
		}
		results = append(results, models.SLAResult{SLAID: id, Actual: v, Note: note, Version: version})
	}
	if ch.OK() && len(results) == 0 && len(p.Lines) > 0 {
		ch.Add("_form", "Enter at least one result.")
	}
	status := http.StatusUnprocessableEntity
	if ch.OK() && len(p.Lines) > 0 {
		w, err := a.deliveryWrite(c)
		if err != nil {
			return err
		}
		sum, err := models.RecordSLAMonth(c.Request().Context(), a.db, w, e.ID, month, results)
		switch {
		case errors.Is(err, models.ErrStale) || errors.Is(err, models.ErrSLANotOnEngagement):
			status = http.StatusConflict
			if err := a.resultsConflict(c, &p, e, month); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			web.AddFlash(c, "success", fmt.Sprintf("Results for %s saved: %d met, %d missed.", month.Format("January 2006"), sum.Met, sum.Missed))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d#sla-h", e.ID))
		}
	}
	p.Errors = ch
	return web.Render(c, status, pages.SLAResults(p), pages.SLAResultsPanel(p))
}

// resultsConflict reloads the month's stored results beside what the user
// typed: the lines keep the user's input and now carry the stored versions, so
// that saving again deliberately overwrites.
func (a *App) resultsConflict(c echo.Context, p *pages.SLAResultsProps, e models.Engagement, month models.Date) error {
	stored, err := models.MonthResults(c.Request().Context(), a.db, e.ID, month)
	if err != nil {
		return err
	}
	p.Stale = true
	for i := range p.Lines {
		l := &p.Lines[i]
		cur := "not recorded"
		l.Stored, l.Version = nil, ""
		if m, ok := stored[l.SLA.ID]; ok {
			l.Stored = &m
			l.Version = strconv.Itoa(m.Version)
			cur = milliField(m.Actual)
			if m.Note != "" {
				cur += " (" + m.Note + ")"
			}
		}
		yours := strings.TrimSpace(l.Actual)
		if yours == "" {
			yours = "not recorded"
		} else if n := strings.TrimSpace(l.Note); n != "" {
			yours += " (" + n + ")"
		}
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: l.SLA.Name, Yours: yours, Current: cur})
	}
	p.Conflict = components.Differ(p.Conflict...)
	return nil
}
