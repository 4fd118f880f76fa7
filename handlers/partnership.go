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

// surveyForm is a partnership survey as typed: a score and a comment a dimension.
type surveyForm struct {
	Communication       string `form:"communication" label:"Communication"`
	CulturalFit         string `form:"cultural_fit" label:"Cultural fit"`
	ServiceQuality      string `form:"service_quality" label:"Service quality"`
	Responsiveness      string `form:"responsiveness" label:"Responsiveness"`
	Innovation          string `form:"innovation" label:"Innovation"`
	ControlAutonomy     string `form:"control_autonomy" label:"Balance of control and autonomy"`
	CommunicationNote   string `form:"communication_note" label:"Communication: comment"`
	CulturalFitNote     string `form:"cultural_fit_note" label:"Cultural fit: comment"`
	ServiceQualityNote  string `form:"service_quality_note" label:"Service quality: comment"`
	ResponsivenessNote  string `form:"responsiveness_note" label:"Responsiveness: comment"`
	InnovationNote      string `form:"innovation_note" label:"Innovation: comment"`
	ControlAutonomyNote string `form:"control_autonomy_note" label:"Balance of control and autonomy: comment"`
	Version             string
}

// scores and notes are the form's fields in models.SurveyDimensions' order.
func (f *surveyForm) scores() []*string {
	return []*string{&f.Communication, &f.CulturalFit, &f.ServiceQuality, &f.Responsiveness, &f.Innovation, &f.ControlAutonomy}
}

func (f *surveyForm) notes() []*string {
	return []*string{&f.CommunicationNote, &f.CulturalFitNote, &f.ServiceQualityNote, &f.ResponsivenessNote, &f.InnovationNote, &f.ControlAutonomyNote}
}

func surveyValues(s models.Survey) surveyForm {
	var f surveyForm
	for i, v := range s.Scores() {
		if v > 0 {
			*f.scores()[i] = strconv.Itoa(v)
		}
	}
	for i, n := range s.Notes() {
		*f.notes()[i] = n
	}
	f.Version = strconv.Itoa(s.Version)
	return f
}

// validate parses the form: every score 1–5, comments up to 1,000 characters.
func (f surveyForm) validate(e uint, q string) (models.Survey, map[string]string) {
	ck := web.Checker{}
	s := models.Survey{EngagementID: e, Quarter: q}
	scores := []*int{&s.Communication, &s.CulturalFit, &s.ServiceQuality, &s.Responsiveness, &s.Innovation, &s.ControlAutonomy}
	notes := []*string{&s.CommunicationNote, &s.CulturalFitNote, &s.ServiceQualityNote, &s.ResponsivenessNote, &s.InnovationNote, &s.ControlAutonomyNote}
	for i, d := range models.SurveyDimensions {
		if *f.scores()[i] == "" {
			ck.Add(d.Key, "Score "+d.Label+" from 1 to 5.")
		} else {
			*scores[i] = ck.Int(d.Key, *f.scores()[i], 1, 5)
		}
		*notes[i] = ck.Text(d.Key+"_note", *f.notes()[i], false, 1000)
	}
	return s, ck
}

// partnershipTarget reads the engagement of the path and the quarter of
// ?quarter= (or the form's), the current quarter by default.
func (a *App) partnershipTarget(c echo.Context) (models.Engagement, models.Quarter, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, models.Quarter{}, err
	}
	e, err := models.EngagementByID(c.Request().Context(), a.db, id)
	if err != nil {
		return e, models.Quarter{}, err
	}
	s, err := a.settings(c)
	if err != nil {
		return e, models.Quarter{}, err
	}
	q := s.Fiscal().QuarterOf(a.today())
	if v := c.QueryParam("quarter"); v != "" {
		if q, err = models.ParseQuarter(v); err != nil || s.Fiscal().QuarterOf(a.today()).Before(q) {
			return e, q, web.BadRequest("A quarter such as 2026-Q3, not later than this one.")
		}
	}
	return e, q, nil
}

// partnership shows an engagement's partnership health: its surveys of the
// last 8 quarters, the risks they suggest, and (to an admin or a manager of
// the engagement) the survey of the quarter. Route: partnership.show.
func (a *App) partnership(c echo.Context) error {
	e, q, err := a.partnershipTarget(c)
	if err != nil {
		return err
	}
	s, _, err := models.SurveyOf(c.Request().Context(), a.db, e.ID, q.String())
	if err != nil {
		return err
	}
	f := surveyValues(s)
	return a.renderPartnership(c, http.StatusOK, e, q, web.EditState[surveyForm]{Values: f, Version: s.Version, Shown: web.EncodeShown(f)})
}

func (a *App) renderPartnership(c echo.Context, status int, e models.Engagement, q models.Quarter, st web.EditState[surveyForm]) error {
	ctx := c.Request().Context()
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	p := pages.PartnershipProps{Engagement: e, Quarter: q.String(), Editable: may, Errors: st.Errors, Version: strconv.Itoa(st.Version), Shown: st.Shown}
	surveys, err := models.SurveysOf(ctx, a.db, e.ID, 8)
	if err != nil {
		return err
	}
	settings, err := a.settings(c)
	if err != nil {
		return err
	}
	byQuarter := map[string]*models.Survey{}
	for i := range surveys {
		byQuarter[surveys[i].Quarter] = &surveys[i]
	}
	first := settings.Fiscal().QuarterOf(a.today())
	for range 7 {
		first = first.Prev()
	}
	for tq := first; len(p.Trend) < 8; tq = tq.Next() {
		p.Trend = append(p.Trend, pages.TrendQuarter{Quarter: tq.String(), Survey: byQuarter[tq.String()]})
	}
	if p.Suggestions, err = models.OpenSuggestions(ctx, a.db, e.ID); err != nil {
		return err
	}
	v := st.Values
	for i, d := range models.SurveyDimensions {
		p.Scores = append(p.Scores, pages.SurveyField{Key: d.Key, Label: d.Label, Score: *v.scores()[i], Note: *v.notes()[i],
			Error: st.Errors[d.Key], NoteError: st.Errors[d.Key+"_note"]})
	}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	p.ConflictBy = st.ConflictBy
	p.Chrome = web.Chrome(c, "Partnership "+e.Code, "engagements")
	return web.Render(c, status, pages.Partnership(p), pages.SurveyForm(p))
}

// partnershipSave stores the survey of the quarter through the edit forms'
// cycle: 422 with the input kept, merged field by field over someone
// else's save, 409 only for a field both changed. Route: partnership.save.
func (a *App) partnershipSave(c echo.Context) error {
	e, q, err := a.partnershipTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var mine surveyForm
	web.ReadForm(c, &mine)
	mine.Version = c.FormValue("version")
	var current models.Survey
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[surveyForm]{
		Load: func() (surveyForm, int, error) {
			var err error
			current, _, err = models.SurveyOf(ctx, a.db, e.ID, q.String())
			return surveyValues(current), current.Version, err
		},
		Save: func(v surveyForm, version int) (map[string]string, error) {
			next, errs := v.validate(e.ID, q.String())
			if len(errs) > 0 {
				return errs, nil
			}
			_, err := models.SaveSurvey(ctx, a.db, userID(c), a.Now(), next, version)
			return nil, err
		},
		Render: func(status int, st web.EditState[surveyForm]) error {
			return a.renderPartnership(c, status, e, q, st)
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged(fmt.Sprintf("The partnership survey of %s for %s saved.", e.Code, q), merged))
			return web.Redirect(c, fmt.Sprintf("/engagements/%d/partnership?quarter=%s", e.ID, q))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.SurveyEntity, current.ID) },
	})
}

// partnershipDecide accepts a suggested risk into the register (and opens
// it, for its owner to assess) or dismisses it. Route: partnership.decide.
func (a *App) partnershipDecide(c echo.Context) error {
	e, _, err := a.partnershipTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	sid, err := idParam(c, "sid")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	open, err := models.OpenSuggestions(ctx, a.db, e.ID)
	if err != nil {
		return err
	}
	found := false
	for _, sg := range open {
		found = found || sg.ID == sid
	}
	decision := c.FormValue("decision")
	if decision != "accept" && decision != "dismiss" {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Accept or dismiss the suggested risk.")
	}
	if !found {
		web.AddFlash(c, "info", "That suggestion is decided already.")
		return web.Redirect(c, fmt.Sprintf("/engagements/%d/partnership", e.ID))
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	risk, err := models.DecideSuggestion(ctx, a.db, models.Actor{UserID: userID(c), At: a.Now(), Today: a.today(), Settings: s}, sid, decision == "accept")
	switch {
	case errors.Is(err, models.ErrSuggestionDecided):
		web.AddFlash(c, "info", "That suggestion is decided already.")
		return web.Redirect(c, fmt.Sprintf("/engagements/%d/partnership", e.ID))
	case err != nil:
		return err
	case risk.ID != 0:
		web.AddFlash(c, "success", "Risk "+risk.Ref+" added to the register: assess it and plan its mitigation.")
		return web.Redirect(c, fmt.Sprintf("/risks/%d", risk.ID))
	}
	web.AddFlash(c, "success", "Suggestion dismissed.")
	return web.Redirect(c, fmt.Sprintf("/engagements/%d/partnership", e.ID))
}

// partnerships lists every cooling partnership. Route: partnership.index.
func (a *App) partnerships(c echo.Context) error {
	rows, _, err := models.CoolingPartnerships(c.Request().Context(), a.db, 0)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Partnerships(pages.PartnershipsProps{Rows: rows, Chrome: web.Chrome(c, "Partnerships cooling", "engagements")}), nil)
}

// exportPartnerships writes the cooling partnerships as CSV or XLSX.
// Route: partnership.export.
func (a *App) exportPartnerships(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "csv" && format != "xlsx" {
		return web.BadRequest("Export as csv or xlsx.")
	}
	rows, _, err := models.CoolingPartnerships(c.Request().Context(), a.db, 0)
	if err != nil {
		return err
	}
	spec := exportSpec{Filename: "partnerships-cooling",
		Header: []string{"Code", "Engagement", "Survey", "Average", "Change since the survey before", "What fell or scored low", "Risks to decide"},
		Types:  []cellType{tText, tText, tText, tDecimal, tDecimal, tText, tCount},
		Rows: func(yield func([]string) error) error {
			for _, r := range rows {
				if err := yield([]string{r.Code, r.Name, r.Quarter, fmt.Sprintf("%.2f", r.Average), fmt.Sprintf("%.2f", r.Change), r.Why,
					strconv.FormatInt(r.Open, 10)}); err != nil {
					return err
				}
			}
			return nil
		}}
	return a.writeExport(c, format, spec)
}
