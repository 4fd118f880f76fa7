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
	shown := pages.SLAGrid{}
	for _, l := range p.Lines {
		shown[actualKey(l.SLA.ID)], shown[noteKey(l.SLA.ID)] = l.Actual, l.Note
	}
	p.Shown = web.EncodeShown(shown)
	return web.Render(c, http.StatusOK, pages.SLAResults(p), pages.SLAResultsPanel(p))
}

// slaResultsSave records the month's results in one transaction, through the
// edit forms' cycle (web.SaveEdit), the grid's inputs its fields. Route:
// slas.record. Success redirects to the engagement page with a summary
// (HX-Redirect for htmx); invalid input answers 422 with every value typed. A
// form rendered before someone else saved results of the month is merged line by
// line: the lines the user changed are saved over the results as they are now
// and the message names whose change; where both changed the same line, 409
// lists just those lines with both values, nothing stored. Results are never
// removed. The #sla-results-form partial answers htmx.
func (a *App) slaResultsSave(c echo.Context) error {
	e, err := a.editableEngagementFromPath(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
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
	if !ch.OK() || len(p.Lines) == 0 {
		p.Errors = ch
		return web.Render(c, http.StatusUnprocessableEntity, pages.SLAResults(p), pages.SLAResultsPanel(p))
	}
	// The grid's values and its version: the sum of its lines' versions,
	// which any save of a line moves on.
	mine, postedVersion := pages.SLAGrid{}, 0
	for _, l := range p.Lines {
		id := l.SLA.ID
		mine[actualKey(id)], mine[noteKey(id)] = c.FormValue(actualKey(id)), c.FormValue(noteKey(id))
		if v := strings.TrimSpace(c.FormValue(fmt.Sprintf("version_%d", id))); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return web.BadRequest("The form's versions are damaged; reload the page and try again.")
			}
			postedVersion += n
		}
	}
	stored := map[uint]models.SLAMeasurement{}
	var sum models.MonthSummary
	return web.SaveEdit(c, mine, strconv.Itoa(postedVersion), web.EditForm[pages.SLAGrid]{
		Load: func() (pages.SLAGrid, int, error) {
			var err error
			if stored, err = models.MonthResults(ctx, a.db, e.ID, month); err != nil {
				return nil, 0, err
			}
			return resultsGrid(p.Lines, stored)
		},
		Save: func(v pages.SLAGrid, _ int) (map[string]string, error) {
			ck := web.Checker{}
			var results []models.SLAResult
			for _, l := range p.Lines {
				id := l.SLA.ID
				note := ck.Text(noteKey(id), v[noteKey(id)], false, 500)
				m, recorded := stored[id]
				if strings.TrimSpace(v[actualKey(id)]) == "" {
					if recorded {
						ck.Add(actualKey(id), "A recorded result is never removed: enter the corrected value.")
					} else if note != "" {
						ck.Add(actualKey(id), "Enter the result this note is about, or clear the note.")
					}
					continue
				}
				actual, perr := models.ParseMilli(v[actualKey(id)])
				if perr != nil {
					ck.Add(actualKey(id), "Enter a number, e.g. 99.95 ("+perr.Error()+").")
					continue
				}
				r := models.SLAResult{SLAID: id, Actual: actual, Note: note}
				if recorded {
					r.Version = m.Version
				}
				results = append(results, r)
			}
			if ck.OK() && len(results) == 0 {
				ck.Add("_form", "Enter at least one result.")
			}
			if !ck.OK() {
				return ck, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			sum, err = models.RecordSLAMonth(ctx, a.db, w, e.ID, month, results)
			if errors.Is(err, models.ErrSLANotOnEngagement) { // archived meanwhile: load the grid again and merge
				err = models.ErrStale
			}
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.SLAGrid]) error {
			for i := range p.Lines {
				l := &p.Lines[i]
				l.Actual, l.Note, l.Stored, l.Version = st.Values[actualKey(l.SLA.ID)], st.Values[noteKey(l.SLA.ID)], nil, ""
				if m, ok := stored[l.SLA.ID]; ok {
					l.Stored, l.Version = &m, strconv.Itoa(m.Version)
				}
			}
			p.Errors, p.Shown = st.Errors, st.Shown
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy = true, st.ConflictBy
				for _, f := range st.Conflicts {
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: gridLabel(p.Lines, f.Name), Yours: f.Yours, Current: f.Stored})
				}
			}
			return web.Render(c, status, pages.SLAResults(p), pages.SLAResultsPanel(p))
		},
		Saved: func(merged string) error {
			msg := fmt.Sprintf("Results for %s saved: %d met, %d missed.", month.Format("January 2006"), sum.Met, sum.Missed)
			web.AddFlash(c, "success", web.Merged(msg, merged))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d#sla-h", e.ID))
		},
		LastChange: func() (string, string) {
			ids := make([]uint, 0, len(stored))
			for _, m := range stored {
				ids = append(ids, m.ID)
			}
			return a.lastChangeAmong(c, models.EntitySLAMeasurement, ids)
		},
	})
}

func actualKey(id uint) string { return fmt.Sprintf("actual_%d", id) }
func noteKey(id uint) string   { return fmt.Sprintf("note_%d", id) }

// resultsGrid is a month's stored results as the grid shows them, and the
// grid's version (the sum of its lines' versions).
func resultsGrid(lines []pages.SLAResultLine, stored map[uint]models.SLAMeasurement) (pages.SLAGrid, int, error) {
	g, version := pages.SLAGrid{}, 0
	for _, l := range lines {
		id := l.SLA.ID
		g[actualKey(id)], g[noteKey(id)] = "", ""
		if m, ok := stored[id]; ok {
			g[actualKey(id)], g[noteKey(id)] = milliField(m.Actual), m.Note
			version += m.Version
		}
	}
	return g, version, nil
}

// gridLabel names a grid input for a conflict's list ("Availability: result").
func gridLabel(lines []pages.SLAResultLine, name string) string {
	for _, l := range lines {
		switch name {
		case actualKey(l.SLA.ID):
			return l.SLA.Name + ": result"
		case noteKey(l.SLA.ID):
			return l.SLA.Name + ": note"
		}
	}
	return name
}
