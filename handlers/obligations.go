package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// obligationForm is an obligation as typed.
type obligationForm struct {
	Party        string `form:"party" label:"Whose obligation"`
	Title        string `form:"title" label:"Obligation"`
	Clause       string `form:"clause" label:"Clause"`
	Owner        string `form:"owner" label:"Owner"`
	Frequency    string `form:"frequency" label:"Frequency"`
	FirstDue     string `form:"first_due" label:"Due"`
	EndsOn       string `form:"ends_on" label:"Ends"`
	EvidenceLink string `form:"evidence_link" label:"Evidence kept at"`
	Version      string
}

func obligationValues(o models.Obligation) obligationForm {
	return obligationForm{Party: o.Party, Title: o.Title, Clause: o.Clause, Owner: o.Owner, Frequency: o.Frequency,
		FirstDue: o.FirstDue.String(), EndsOn: o.EndsOn.String(), EvidenceLink: o.EvidenceLink, Version: strconv.Itoa(o.Version)}
}

// validate parses the form; the domain's own rules (models.CheckObligation)
// come back from the save as models.Invalid, a 422 like these.
func (f obligationForm) validate() (models.Obligation, map[string]string) {
	ck := web.Checker{}
	o := models.Obligation{
		Party: f.Party, Title: ck.Text("title", f.Title, true, 200), Clause: ck.Text("clause", f.Clause, false, 100),
		Owner: ck.Text("owner", f.Owner, false, 100), Frequency: f.Frequency,
		FirstDue: ck.Date("first_due", f.FirstDue, true), EndsOn: ck.Date("ends_on", f.EndsOn, false),
		EvidenceLink: ck.Text("evidence_link", f.EvidenceLink, false, 500),
	}
	for field, msg := range models.CheckObligation(o) {
		if ck[field] == "" {
			ck.Add(field, msg)
		}
	}
	return o, ck
}

// obligationFields are the form's fields with the values and errors of v.
func obligationFields(v obligationForm, errs map[string]string) map[string]components.Field {
	parties := []components.Option{{Value: models.PartyVendor, Label: "The vendor's"}, {Value: models.PartyCompany, Label: "Ours (the company's)"}}
	return map[string]components.Field{
		"party":     {Name: "party", Label: "Whose obligation", Type: "select", Value: v.Party, Options: parties, Error: errs["party"], Required: true},
		"title":     {Name: "title", Label: "Obligation", Value: v.Title, Error: errs["title"], Required: true, Hint: "What is owed, e.g. Monthly service report."},
		"clause":    {Name: "clause", Label: "Clause", Value: v.Clause, Error: errs["clause"], Hint: "Where the contract says so, e.g. Schedule 4, 7.2."},
		"owner":     {Name: "owner", Label: "Owner", Value: v.Owner, Error: errs["owner"], Hint: "Who sees to it."},
		"frequency": {Name: "frequency", Label: "Frequency", Type: "select", Value: v.Frequency, Options: components.Opts(models.Frequencies...), Error: errs["frequency"], Required: true},
		"first_due": {Name: "first_due", Label: "Due (the first time, when it recurs)", Type: "date", Value: v.FirstDue, Error: errs["first_due"], Required: true},
		"ends_on": {Name: "ends_on", Label: "Ends", Type: "date", Value: v.EndsOn, Error: errs["ends_on"],
			Hint: "Optional: nothing falls due after it. Nothing falls due after the engagement closes either (nor the vendor's, after a BOT transfer)."},
		"evidence_link": {Name: "evidence_link", Label: "Evidence kept at", Value: v.EvidenceLink, Error: errs["evidence_link"],
			Hint: "Optional: an http(s) address where its evidence is filed."},
	}
}

// obligationsTarget reads the engagement of the path.
func (a *App) obligationsTarget(c echo.Context) (models.Engagement, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, err
	}
	return models.EngagementByID(c.Request().Context(), a.db, id)
}

// obligationTarget reads the engagement and the obligation of the path.
func (a *App) obligationTarget(c echo.Context) (models.Engagement, models.Obligation, error) {
	e, err := a.obligationsTarget(c)
	if err != nil {
		return e, models.Obligation{}, err
	}
	oid, err := idParam(c, "oid")
	if err != nil {
		return e, models.Obligation{}, err
	}
	o, err := models.ObligationOf(c.Request().Context(), a.db, e.ID, oid)
	return e, o, err
}

// obligations lists an engagement's obligations, the late ones first, with
// (to an admin or a manager of the engagement) the form to add one. Route:
// obligations.show.
func (a *App) obligations(c echo.Context) error {
	e, err := a.obligationsTarget(c)
	if err != nil {
		return err
	}
	f := obligationForm{Party: models.PartyVendor, Frequency: models.FrequencyMonthly}
	return a.renderObligations(c, http.StatusOK, e, web.EditState[obligationForm]{Values: f})
}

func (a *App) renderObligations(c echo.Context, status int, e models.Engagement, st web.EditState[obligationForm]) error {
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	today := a.today()
	p := pages.ObligationsProps{Engagement: e, Today: today, Editable: may, Errors: st.Errors, Fields: obligationFields(st.Values, st.Errors)}
	if p.Lines, err = models.ObligationLines(c.Request().Context(), a.db,
		models.ObligationFilter{EngagementIDs: []uint{e.ID}, AsAt: today, ClosedToo: true}); err != nil {
		return err
	}
	p.Chrome = web.Chrome(c, "Obligations "+e.Code, "engagements")
	return web.Render(c, status, pages.Obligations(p), pages.ObligationNewForm(p))
}

// obligationCreate adds an obligation: 422 with the input kept when it is
// refused. Route: obligations.create (an admin or a manager of the engagement).
func (a *App) obligationCreate(c echo.Context) error {
	e, err := a.obligationsTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	w, err := a.engagementWrite(c)
	if err != nil {
		return err
	}
	var mine obligationForm
	web.ReadForm(c, &mine)
	var saved models.Obligation
	return web.SaveNew(c, mine, web.EditForm[obligationForm]{
		Save: func(v obligationForm, _ int) (map[string]string, error) {
			next, errs := v.validate()
			if len(errs) > 0 {
				return errs, nil
			}
			saved, err = models.SaveObligation(c.Request().Context(), a.db, w, e.ID, next, 0)
			return nil, err
		},
		Render: func(status int, st web.EditState[obligationForm]) error { return a.renderObligations(c, status, e, st) },
		Saved: func(string) error {
			web.AddFlash(c, "success", fmt.Sprintf("Obligation %q of %s added.", saved.Title, e.Code))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/obligations/%d", e.ID, saved.ID))
		},
	})
}

// recordTyped is the record form as typed, and why it was refused.
type recordTyped struct {
	Due, Status, MetOn, Evidence, Reason, Was string
	Errors                                    map[string]string
	Conflict                                  bool
}

// obligation shows one obligation: where it stands, its occurrences of the
// last year and the next months, the form to record one (the one of ?due=,
// else the oldest late, else the next due), its terms' form and history.
// Route: obligations.one.
func (a *App) obligation(c echo.Context) error {
	e, o, err := a.obligationTarget(c)
	if err != nil {
		return err
	}
	f := obligationValues(o)
	return a.renderObligation(c, http.StatusOK, e, o, web.EditState[obligationForm]{Values: f, Version: o.Version, Shown: web.EncodeShown(f)},
		recordTyped{Due: c.QueryParam("due")})
}

func (a *App) renderObligation(c echo.Context, status int, e models.Engagement, o models.Obligation, st web.EditState[obligationForm], typed recordTyped) error {
	ctx := c.Request().Context()
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	today := a.today()
	// Shown: the last year and the next four months, and any occurrence late
	// before, or asked for; the rest, all settled, counted.
	all, err := models.OccurrencesOf(ctx, a.db, o.Within(e), o.FirstDue, today.AddDays(120))
	if err != nil {
		return err
	}
	var occ []models.Occurrence
	hidden := 0
	for _, x := range all {
		if x.DueOn.Before(today.AddDays(-366)) && x.State(today) != models.OccurrenceLate && x.DueOn.String() != typed.Due {
			hidden++
			continue
		}
		occ = append(occ, x)
	}
	stored, err := models.ObligationOf(ctx, a.db, e.ID, o.ID)
	if err != nil {
		return err
	}
	p := pages.ObligationProps{Engagement: e, Obligation: stored, Occurrences: occ, Hidden: hidden, Today: today, Editable: may,
		Fields: obligationFields(st.Values, st.Errors), Errors: st.Errors, Version: strconv.Itoa(st.Version), Shown: st.Shown}
	// The occurrence the record form is for: as asked, or the oldest late, or the next due.
	p.Record = pages.RecordForm{Due: typed.Due, Status: typed.Status, MetOn: typed.MetOn, Evidence: typed.Evidence, Reason: typed.Reason,
		Errors: typed.Errors, Conflict: typed.Conflict}
	if p.Record.Due == "" {
		for _, x := range occ {
			if st := x.State(today); st == models.OccurrenceLate || st == models.OccurrenceDue {
				p.Record.Due = x.DueOn.String()
				break
			}
		}
	}
	for _, x := range occ {
		if x.DueOn.String() == p.Record.Due && x.Record != nil {
			p.Record.Current = x.Record
			if typed.Status == "" {
				r := x.Record
				p.Record.Status, p.Record.MetOn, p.Record.Evidence, p.Record.Reason = r.Status, r.MetOn.String(), r.Evidence, r.Reason
			}
		}
	}
	if p.Record.Status == "" {
		p.Record.Status, p.Record.MetOn = models.OccurrenceMet, today.String()
	}
	if p.History, err = models.HistoryOf(ctx, a.db, models.ObligationEntity, o.ID); err != nil {
		return err
	}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	p.ConflictBy = st.ConflictBy
	p.Chrome = web.Chrome(c, o.Title+" · "+e.Code, "engagements")
	return web.Render(c, status, pages.Obligation(p), pages.ObligationForm(p))
}

// obligationSave stores the obligation's terms through the edit forms'
// cycle: 422 with the input kept, merged field by field over someone else's
// save, 409 only for a field both changed. Route: obligations.save.
func (a *App) obligationSave(c echo.Context) error {
	e, o, err := a.obligationTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	w, err := a.engagementWrite(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var mine obligationForm
	web.ReadForm(c, &mine)
	mine.Version = c.FormValue("version")
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[obligationForm]{
		Load: func() (obligationForm, int, error) {
			var err error
			o, err = models.ObligationOf(ctx, a.db, e.ID, o.ID)
			return obligationValues(o), o.Version, err
		},
		Save: func(v obligationForm, version int) (map[string]string, error) {
			next, errs := v.validate()
			if len(errs) > 0 {
				return errs, nil
			}
			next.ID = o.ID
			_, err := models.SaveObligation(ctx, a.db, w, e.ID, next, version)
			return nil, err
		},
		Render: func(status int, st web.EditState[obligationForm]) error {
			return a.renderObligation(c, status, e, o, st, recordTyped{})
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged(fmt.Sprintf("Obligation %q saved.", mine.Title), merged))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/obligations/%d", e.ID, o.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.ObligationEntity, o.ID) },
	})
}

// obligationRecord records an occurrence met (when, with evidence) or
// waived (why): 422 with the input kept when refused, 409 with it kept when
// someone else recorded the same occurrence after the form was shown.
// Route: obligations.record.
func (a *App) obligationRecord(c echo.Context) error {
	e, o, err := a.obligationTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	w, err := a.engagementWrite(c)
	if err != nil {
		return err
	}
	typed := recordTyped{Due: c.FormValue("due_on"), Status: c.FormValue("status"), MetOn: c.FormValue("met_on"),
		Evidence: c.FormValue("evidence"), Reason: c.FormValue("reason"), Was: c.FormValue("was")}
	ck := web.Checker{}
	due := ck.Date("due_on", typed.Due, true)
	rec := models.ObligationOccurrence{Status: typed.Status, Evidence: ck.Text("evidence", typed.Evidence, false, 500),
		Reason: ck.Text("reason", typed.Reason, false, 1000)}
	if typed.Status == models.OccurrenceMet {
		rec.MetOn = ck.Date("met_on", typed.MetOn, true)
		if !rec.MetOn.IsZero() && rec.MetOn.After(w.Today) {
			ck.Add("met_on", "It cannot be met later than today.")
		}
	}
	was, _ := strconv.Atoi(typed.Was)
	again := func(status int) error {
		f := obligationValues(o)
		return a.renderObligation(c, status, e, o, web.EditState[obligationForm]{Values: f, Version: o.Version, Shown: web.EncodeShown(f)}, typed)
	}
	if !ck.OK() {
		typed.Errors = ck
		return again(http.StatusUnprocessableEntity)
	}
	_, err = models.RecordOccurrence(c.Request().Context(), a.db, w, o, due, rec, was)
	var bad models.Invalid
	switch {
	case errors.As(err, &bad):
		typed.Errors = bad
		return again(http.StatusUnprocessableEntity)
	case errors.Is(err, models.ErrRecordedMeanwhile):
		typed.Conflict = true
		return again(http.StatusConflict)
	case err != nil:
		return err
	}
	what := "met"
	if rec.Status == models.OccurrenceWaived {
		what = "waived"
	}
	web.AddFlash(c, "success", fmt.Sprintf("%s, due %s: recorded %s.", o.Title, due.Human(), what))
	return web.Redirect(c, fmt.Sprintf("/engagements/%d/obligations/%d", e.ID, o.ID))
}

// obligationsMax bounds the portfolio list: its first rows, with their count.
const obligationsMax = 500

// obligationsFilter reads ?party= and ?days= (due within; 30 by default).
func obligationsFilter(c echo.Context, today models.Date) models.ObligationFilter {
	f := models.ObligationFilter{AsAt: today, Ahead: 30, OnlyPending: true}
	if p := c.QueryParam("party"); p == models.PartyVendor || p == models.PartyCompany {
		f.Party = p
	}
	if n, err := strconv.Atoi(c.QueryParam("days")); err == nil && n >= 0 && n <= 365 {
		f.Ahead = n
	}
	return f
}

// portfolioObligations lists the portfolio's obligations late, or due within
// ?days=, the longest late first. Route: obligations.index.
func (a *App) portfolioObligations(c echo.Context) error {
	today := a.today()
	f := obligationsFilter(c, today)
	lines, err := models.ObligationLines(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	p := pages.PortfolioObligationsProps{Party: f.Party, Days: f.Ahead, All: len(lines), Today: today,
		Chrome: web.Chrome(c, "Obligations", "engagements")}
	p.Lines = lines[:min(len(lines), obligationsMax)]
	return web.Render(c, http.StatusOK, pages.PortfolioObligations(p), nil)
}

// exportObligations writes what the list shows, every row, as CSV or XLSX:
// one row an occurrence late or due. Route: obligations.export.
func (a *App) exportObligations(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "csv" && format != "xlsx" {
		return web.BadRequest("Export as csv or xlsx.")
	}
	today := a.today()
	f := obligationsFilter(c, today)
	lines, err := models.ObligationLines(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	spec := exportSpec{Filename: fmt.Sprintf("obligations-%s", today),
		Header: []string{"Code", "Engagement", "Whose", "Obligation", "Clause", "Owner", "Frequency", "Due", "State", "Days late", "Evidence kept at"},
		Types:  []cellType{tText, tText, tText, tText, tText, tText, tText, tDate, tText, tInt, tText},
		Rows: func(yield func([]string) error) error {
			for _, l := range lines {
				row := func(o models.Occurrence) error {
					return yield([]string{l.EngagementCode, l.EngagementName, l.Party, l.Title, l.Clause, l.Owner, l.Frequency,
						o.DueOn.String(), o.State(today), strconv.Itoa(o.DaysLate(today)), l.EvidenceLink})
				}
				for _, o := range l.Late {
					if err := row(o); err != nil {
						return err
					}
				}
				if l.Next != nil && !l.Next.DueOn.After(f.AsAt.AddDays(f.Ahead)) {
					if err := row(*l.Next); err != nil {
						return err
					}
				}
			}
			return nil
		}}
	return a.writeExport(c, format, spec)
}
