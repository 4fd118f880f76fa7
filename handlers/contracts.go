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

// contractForm is an engagement's contract terms as typed.
type contractForm struct {
	NoticeDays                string `form:"notice_days" label:"Notice period (days)"`
	AutoRenews                string `form:"auto_renews" label:"Renews by itself"`
	RenewalMonths             string `form:"renewal_months" label:"Each renewal (months)"`
	TerminationForConvenience string `form:"termination_for_convenience" label:"Termination for convenience"`
	TerminationNoticeDays     string `form:"termination_notice_days" label:"Its notice (days)"`
	AssistanceMonths          string `form:"assistance_months" label:"Termination assistance (months)"`
	InitialTermEnd            string `form:"initial_term_end" label:"Initial term ends"`
	RenewalOptions            string `form:"renewal_options" label:"Renewal options"`
	PriceReviews              string `form:"price_reviews" label:"Price reviews"`
	Documents                 string `form:"documents" label:"Governing documents"`
	Version                   string
}

func readContractForm(c echo.Context) contractForm {
	var f contractForm
	web.ReadForm(c, &f)
	f.AutoRenews, f.TerminationForConvenience = checkbox(c, "auto_renews"), checkbox(c, "termination_for_convenience")
	f.Version = c.FormValue("version")
	return f
}

// contractValues are stored terms as the form shows them.
func contractValues(t models.ContractTerms) contractForm {
	n, b := strconv.Itoa, func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	return contractForm{NoticeDays: n(t.NoticeDays), AutoRenews: b(t.AutoRenews), RenewalMonths: n(t.RenewalMonths),
		TerminationForConvenience: b(t.TerminationForConvenience), TerminationNoticeDays: n(t.TerminationNoticeDays),
		AssistanceMonths: n(t.AssistanceMonths), InitialTermEnd: t.InitialTermEnd.String(), RenewalOptions: t.RenewalOptions,
		PriceReviews: t.PriceReviews, Documents: t.Documents, Version: n(t.Version)}
}

// validate parses the form: day and month counts within sense, a renewal
// length when it renews by itself, the initial term ending after the
// contract starts, renewal options, price-review dates and documents one
// a line.
func (f contractForm) validate(e models.Engagement) (models.ContractTerms, map[string]string) {
	ck := web.Checker{}
	count := func(field, v string, max int) int {
		if v == "" {
			return 0
		}
		return ck.Int(field, v, 0, max)
	}
	t := models.ContractTerms{
		NoticeDays: count("notice_days", f.NoticeDays, models.MaxNoticeDays), AutoRenews: f.AutoRenews == "1",
		RenewalMonths: count("renewal_months", f.RenewalMonths, 120), TerminationForConvenience: f.TerminationForConvenience == "1",
		TerminationNoticeDays: count("termination_notice_days", f.TerminationNoticeDays, models.MaxNoticeDays),
		AssistanceMonths:      count("assistance_months", f.AssistanceMonths, 60),
		InitialTermEnd:        ck.Date("initial_term_end", f.InitialTermEnd, false),
		RenewalOptions:        ck.Text("renewal_options", f.RenewalOptions, false, 2000),
		PriceReviews:          ck.Text("price_reviews", f.PriceReviews, false, 2000),
		Documents:             ck.Text("documents", f.Documents, false, 4000),
	}
	if !t.InitialTermEnd.IsZero() && !e.StartDate.IsZero() && !t.InitialTermEnd.After(e.StartDate) && ck["initial_term_end"] == "" {
		ck.Add("initial_term_end", "The initial term ends after the contract starts ("+e.StartDate.Human()+").")
	}
	if _, err := models.ParseRenewalOptions(t.RenewalOptions); err != nil && ck["renewal_options"] == "" {
		ck.Add("renewal_options", "Renewal options: "+err.Error()+".")
	}
	if _, err := models.ParsePriceReviews(t.PriceReviews); err != nil && ck["price_reviews"] == "" {
		ck.Add("price_reviews", "Price reviews: "+err.Error()+".")
	}
	if t.AutoRenews && t.RenewalMonths == 0 && ck["renewal_months"] == "" {
		ck.Add("renewal_months", "Say for how many months it renews each time.")
	}
	if _, err := models.ParseDocuments(t.Documents); err != nil && ck["documents"] == "" {
		ck.Add("documents", "Governing documents: "+err.Error()+".")
	}
	return t, ck
}

// contractTarget reads the engagement of the path.
func (a *App) contractTarget(c echo.Context) (models.Engagement, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, err
	}
	return models.EngagementByID(c.Request().Context(), a.db, id)
}

// contract shows an engagement's contract: its dates and notice deadline,
// its terms (the form, to an admin or a manager of the engagement) and the
// decisions taken at its deadlines. Route: contracts.show.
func (a *App) contract(c echo.Context) error {
	e, err := a.contractTarget(c)
	if err != nil {
		return err
	}
	t, _, err := models.ContractTermsOf(c.Request().Context(), a.db, e.ID)
	if err != nil {
		return err
	}
	f := contractValues(t)
	return a.renderContract(c, http.StatusOK, e, web.EditState[contractForm]{Values: f, Version: t.Version, Shown: web.EncodeShown(f)})
}

// decisionTyped is the decision form as typed, and why it was refused.
type decisionTyped struct{ Decision, Note, Error string }

// renderContract renders the page with the terms' form of st's values.
func (a *App) renderContract(c echo.Context, status int, e models.Engagement, st web.EditState[contractForm]) error {
	return a.renderContractDecision(c, status, e, st, decisionTyped{})
}

// renderContractDecision renders the page with the terms' form of st's
// values and the decision form as typed (with why it was refused).
func (a *App) renderContractDecision(c echo.Context, status int, e models.Engagement, st web.EditState[contractForm], typed decisionTyped) error {
	ctx := c.Request().Context()
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	stored, _, err := models.ContractTermsOf(ctx, a.db, e.ID)
	if err != nil {
		return err
	}
	p := pages.ContractProps{Engagement: e, Terms: stored, Editable: may, Today: a.today(), Errors: st.Errors,
		Version: strconv.Itoa(st.Version), Shown: st.Shown, Decision: typed.Decision, DecisionNote: typed.Note, DecisionError: typed.Error}
	p.Deadline = models.NoticeDeadline(e.ContractEnd, stored.NoticeDays)
	p.Documents, _ = models.ParseDocuments(stored.Documents)
	p.Options, _ = models.ParseRenewalOptions(stored.RenewalOptions)
	p.PriceReviews, _ = models.ParsePriceReviews(stored.PriceReviews)
	if p.Decisions, err = models.DecisionsOf(ctx, a.db, e.ID); err != nil {
		return err
	}
	if p.History, err = models.HistoryOf(ctx, a.db, models.ContractEntity, stored.ID); err != nil {
		return err
	}
	v, errs := st.Values, st.Errors
	p.Fields = map[string]components.Field{
		"notice_days": {Name: "notice_days", Label: "Notice period (days)", Type: "number", Value: v.NoticeDays, Error: errs["notice_days"],
			Hint: "Notice to end or renegotiate is given this many days before the contract ends: its last day is the notice deadline."},
		"auto_renews":    {Name: "auto_renews", Label: "Renews by itself unless notice is given", Type: "checkbox", Value: v.AutoRenews},
		"renewal_months": {Name: "renewal_months", Label: "Each renewal (months)", Type: "number", Value: v.RenewalMonths, Error: errs["renewal_months"]},
		"termination_for_convenience": {Name: "termination_for_convenience", Label: "Either party may terminate for convenience",
			Type: "checkbox", Value: v.TerminationForConvenience},
		"termination_notice_days": {Name: "termination_notice_days", Label: "Notice to terminate for convenience (days)", Type: "number",
			Value: v.TerminationNoticeDays, Error: errs["termination_notice_days"]},
		"assistance_months": {Name: "assistance_months", Label: "Termination assistance (months)", Type: "number", Value: v.AssistanceMonths,
			Error: errs["assistance_months"], Hint: "How long the vendor must help hand over after the end."},
		"initial_term_end": {Name: "initial_term_end", Label: "Initial term ends", Type: "date", Value: v.InitialTermEnd, Error: errs["initial_term_end"],
			Hint: "The end of the first term; the contract's current end is the engagement's."},
		"renewal_options": {Name: "renewal_options", Label: "Renewal options", Type: "textarea", Value: v.RenewalOptions, Error: errs["renewal_options"],
			Hint: "One a line, in order: its length | the last day to take it up, e.g. 12 months | 2027-03-31"},
		"price_reviews": {Name: "price_reviews", Label: "Price reviews", Type: "textarea", Value: v.PriceReviews, Error: errs["price_reviews"],
			Hint: "The dates prices are reviewed, one a line, e.g. 2027-04-01"},
		"documents": {Name: "documents", Label: "Governing documents", Type: "textarea", Value: v.Documents, Error: errs["documents"],
			Hint: "One a line: title | reference | link, e.g. Master services agreement | MSA-2024-07 | https://…"},
	}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	p.ConflictBy = st.ConflictBy
	p.Chrome = web.Chrome(c, "Contract "+e.Code, "engagements")
	return web.Render(c, status, pages.Contract(p), pages.ContractForm(p))
}

// contractSave stores the terms with their history through the edit forms'
// cycle (web.SaveEdit): invalid → 422 with the input kept; a form rendered
// before someone else saved is merged field by field, 409 only for a field
// both changed. Route: contracts.save (an admin or a manager of the engagement).
func (a *App) contractSave(c echo.Context) error {
	e, err := a.contractTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	ctx := c.Request().Context()
	mine := readContractForm(c)
	var current models.ContractTerms
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[contractForm]{
		Load: func() (contractForm, int, error) {
			var err error
			current, _, err = models.ContractTermsOf(ctx, a.db, e.ID)
			return contractValues(current), current.Version, err
		},
		Save: func(v contractForm, version int) (map[string]string, error) {
			next, errs := v.validate(e)
			if len(errs) > 0 {
				return errs, nil
			}
			_, err := models.SaveContractTerms(ctx, a.db, userID(c), a.Now(), e.ID, next, version)
			return nil, err
		},
		Render: func(status int, st web.EditState[contractForm]) error {
			return a.renderContract(c, status, e, st)
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged("Contract terms of "+e.Code+" saved.", merged))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/contract", e.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.ContractEntity, current.ID) },
	})
}

// contractDecide records the decision at the engagement's notice deadline
// as it stands (the contract's end less its notice period). Route:
// contracts.decide. No deadline (no end or notice period recorded), or a
// decision that is not one of the three → 422 with the page.
func (a *App) contractDecide(c echo.Context) error {
	e, err := a.contractTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	ctx := c.Request().Context()
	terms, _, err := models.ContractTermsOf(ctx, a.db, e.ID)
	if err != nil {
		return err
	}
	decision, note, was := c.FormValue("decision"), c.FormValue("note"), c.FormValue("was")
	ck := web.Checker{}
	ck.OneOf("decision", decision, models.Decisions)
	note = ck.Text("note", note, false, 1000)
	deadline := models.NoticeDeadline(e.ContractEnd, terms.NoticeDays)
	if deadline.IsZero() {
		ck.Add("decision", "Record the contract's end and its notice period first: a decision is taken at the notice deadline.")
	}
	again := func(status int, msg string) error {
		f := contractValues(terms)
		return a.renderContractDecision(c, status, e, web.EditState[contractForm]{Values: f, Version: terms.Version, Shown: web.EncodeShown(f)},
			decisionTyped{Decision: decision, Note: c.FormValue("note"), Error: msg})
	}
	if !ck.OK() {
		msg := ck["decision"]
		if msg == "" {
			msg = ck["note"]
		}
		return again(http.StatusUnprocessableEntity, msg)
	}
	err = models.DecideContract(ctx, a.db, userID(c), a.Now(), e.ID, e.ContractEnd, deadline, decision, note, was)
	if errors.Is(err, models.ErrDecidedMeanwhile) {
		return again(http.StatusConflict, "Someone else recorded a decision meanwhile: it is shown above. Yours, as typed, is below: record it again to replace theirs.")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Decision at the notice deadline of %s (%s): %s.", e.Code, deadline.Human(), decision))
	return web.Redirect(c, fmt.Sprintf("/engagements/%d/contract", e.ID))
}

// contractsMax bounds the list page: a window of two years over a large
// portfolio is read in its first rows, with their count.
const contractsMax = 500

// contracts lists the notice deadlines within ?days= (90, 180, 365 or 730;
// 180 by default). Route: contracts.index.
func (a *App) contracts(c echo.Context) error {
	days := contractDays(c)
	today := a.today()
	rows, all, err := models.NoticeDeadlines(c.Request().Context(), a.db, today, days, contractsMax)
	if err != nil {
		return err
	}
	p := pages.ContractsProps{Days: days, Rows: rows, All: all, Today: today, Chrome: web.Chrome(c, "Contract notice deadlines", "engagements")}
	if p.Exit, err = a.exitReadinessOf(c, rows); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Contracts(p), nil)
}

// exitReadinessOf is the exit readiness of the ITO contracts among rows that have an exit checklist.
func (a *App) exitReadinessOf(c echo.Context, rows []models.NoticeRow) (map[uint]float64, error) {
	var ids []uint
	for _, n := range rows {
		if n.Model == models.ModelITO {
			ids = append(ids, n.EngagementID)
		}
	}
	return models.ExitReadinessOf(c.Request().Context(), a.db, ids)
}

// exportContracts writes the notice deadlines of ?days= as CSV or XLSX, every
// one of them (the page shows the first contractsMax). Route: contracts.export.
func (a *App) exportContracts(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "csv" && format != "xlsx" {
		return web.BadRequest("Export as csv or xlsx.")
	}
	days := contractDays(c)
	today := a.today()
	rows, _, err := models.NoticeDeadlines(c.Request().Context(), a.db, today, days, 0)
	if err != nil {
		return err
	}
	exit, err := a.exitReadinessOf(c, rows)
	if err != nil {
		return err
	}
	spec := exportSpec{Filename: fmt.Sprintf("notice-deadlines-%d-days", days),
		Header: []string{"Code", "Engagement", "Contract end", "Notice period (days)", "Last day to give notice", "Days left",
			"Renews by itself", "Each renewal (months)", "Decision", "Decided by", "Decided on", "Model", "Exit readiness (%)"},
		Types: []cellType{tText, tText, tDate, tCount, tDate, tInt, tText, tCount, tText, tText, tDate, tText, tDecimal},
		Rows: func(yield func([]string) error) error {
			for _, n := range rows {
				decision, on := n.Decision, ""
				if decision == "" && n.Missed(today) {
					decision = "passed undecided"
				}
				if n.DecidedAt != nil {
					on = models.DateOf(*n.DecidedAt).String()
				}
				ready := "" // a BOT programme, or an ITO contract with no exit checklist
				if pct, ok := exit[n.EngagementID]; ok {
					ready = strconv.FormatFloat(pct, 'f', 1, 64)
				}
				if err := yield([]string{n.Code, n.Name, n.ContractEnd.String(), strconv.Itoa(n.NoticeDays), n.Deadline.String(),
					strconv.Itoa(n.DaysLeft(today)), boolWord(n.AutoRenews), strconv.Itoa(n.RenewalMonths), decision, n.DecidedBy, on,
					n.Model, ready}); err != nil {
					return err
				}
			}
			return nil
		}}
	return a.writeExport(c, format, spec)
}

// contractDays reads ?days= (90, 180, 365 or 730; 180 otherwise).
func contractDays(c echo.Context) int {
	if n, err := strconv.Atoi(c.QueryParam("days")); err == nil {
		for _, w := range pages.ContractsWindows {
			if n == w {
				return n
			}
		}
	}
	return models.NoticeWindowDays
}
