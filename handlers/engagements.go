package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// engagementFilter reads the list's filters from the query, ignoring bad values.
// "mine=1" narrows a manager's list to the engagements they manage.
func engagementFilter(c echo.Context) models.EngagementFilter {
	f := models.EngagementFilter{
		Model:    oneOf(c.QueryParam("model"), models.ModelITO, models.ModelBOT),
		Tower:    oneOf(c.QueryParam("tower"), models.Towers...),
		Phase:    oneOf(c.QueryParam("phase"), append(models.PhasesBOT, models.PhasesITO...)...),
		Health:   oneOf(c.QueryParam("health"), models.Red, models.Amber, models.Green),
		VendorID: uintQuery(c, "vendor"),
		Q:        c.QueryParam("q"),
		Sort:     c.QueryParam("sort"),
		Dir:      dirParam(c),
		Page:     pageParam(c),
		PerPage:  perPage,
		Status:   oneOf(c.QueryParam("status"), "active", "closed"),
	}
	if _, ok := models.EngagementSorts[f.Sort]; !ok {
		f.Sort = ""
	}
	if u := web.CurrentUser(c); u != nil && c.QueryParam("mine") == "1" {
		f.ManagerID = u.ID
	}
	return f
}

// engagements lists engagements with filters, sort, search and pages, each
// contract value also in the reporting currency, with the total of every
// engagement the filters match. Route: engagements.index; an htmx request gets
// the #engagements-table partial.
func (a *App) engagements(c echo.Context) error {
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	f := engagementFilter(c)
	f.Reporting, f.Today = s.Finance.ReportingCurrency, a.today()
	rows, total, err := models.ListEngagements(ctx, a.db, f)
	if err != nil {
		return err
	}
	rates, err := models.LoadValueRates(ctx, a.db, s.Finance.ReportingCurrency, a.today())
	if err != nil {
		return err
	}
	models.ConvertContractValues(rows, rates)
	value, err := models.ContractValueTotal(ctx, a.db, f, rates)
	if err != nil {
		return err
	}
	vendors, err := models.VendorChoices(ctx, a.db, 0, true)
	if err != nil {
		return err
	}
	p := pages.EngagementsProps{
		Chrome:  web.Chrome(c, "Engagements", "engagements"),
		Query:   listQuery(c, "/engagements", "#engagements-table", "model", "tower", "vendor", "phase", "health", "status", "mine", "q"),
		Filter:  f,
		Rows:    rows,
		Total:   total,
		Value:   value,
		Vendors: vendors,
		IsAdmin: isAdmin(c),
		Mine:    f.ManagerID != 0,
	}
	if u := web.CurrentUser(c); u != nil {
		p.IsManager = u.Role == models.RoleManager
	}
	return web.Render(c, http.StatusOK, pages.Engagements(p), pages.EngagementsTable(p))
}

// engagementActionsShown is how many open actions the engagement's page lists.
const engagementActionsShown = 5

// engagement shows one engagement: overview, costs, service levels, risks,
// milestones, transfer readiness, governance reviews and meetings (the last
// one, the open actions), and relevant lessons. Route: engagements.show.
func (a *App) engagement(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := models.LoadEngagement(ctx, a.db, id)
	if err != nil {
		return err
	}
	today := a.today()
	facts, err := models.HealthFacts(ctx, a.db, s, today, id)
	if err != nil {
		return err
	}
	health, reasons := models.Health(*facts[id])
	if e := d.Engagement; !e.ClosedOn.IsZero() { // as RefreshHealth judges a closed engagement
		health, reasons = models.Green, []string{"closed on " + e.ClosedOn.Human()}
	}
	canEdit, err := a.canEdit(c, &id)
	if err != nil {
		return err
	}
	p := pages.EngagementProps{
		CanEdit: canEdit,
		IsAdmin: isAdmin(c),
		Chrome:  web.Chrome(c, d.Engagement.Name, "engagements"),
		D:       d,
		Today:   today,
		Risk:    s.Risk,
		Fiscal:  s.Fiscal(),
		Health:  health,
		Reasons: reasons,
	}
	if p.Obligations, err = models.ObligationLines(ctx, a.db, models.ObligationFilter{EngagementIDs: []uint{id}, AsAt: today, Ahead: 30, OnlyPending: true}); err != nil {
		return err
	}
	if last, ok, err := models.LastMeeting(ctx, a.db, id); err != nil {
		return err
	} else if ok {
		p.LastMeeting = &last
	}
	if p.OpenActions, p.Actions, err = models.OpenActions(ctx, a.db, id, today, engagementActionsShown); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Engagement(p), nil)
}
