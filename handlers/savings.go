package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// savingsRowsPerPage is the breakdown's page size: short enough for its chart.
const savingsRowsPerPage = 15

// savingsQuarters is how many quarters the period select offers.
const savingsQuarters = 12

// savings shows the portfolio's savings (or a vendor's, tower's or
// engagement's) as at a quarter, in the reporting currency. Route:
// savings.index; an htmx request gets the #savings-body partial.
func (a *App) savings(c echo.Context) error {
	sv, err := a.savingsOf(c)
	if err != nil {
		return err
	}
	s, filter, rates, scope, f, today, current := sv.settings, sv.filter, sv.rates, sv.scope, sv.settings.Fiscal(), sv.today, sv.current
	p := pages.SavingsProps{
		Chrome: web.Chrome(c, "Savings", "savings"), Cur: s.Finance.ReportingCurrency, Today: today, Filter: filter, Rates: rates,
		Query:   listQuery(c, "/savings", "#savings-body", "vendor", "tower", "engagement", "quarter", "by"),
		F:       sv.figures,
		IsAdmin: isAdmin(c),
	}
	for q, i := current, 0; i < savingsQuarters; q, i = q.Prev(), i+1 {
		p.Quarters = append(p.Quarters, q)
	}
	if err := a.savingsBreakdown(c, &p, scope, rates, f, today); err != nil {
		return err
	}
	if !web.IsHTMX(c) {
		if err := a.savingsChoices(c, &p); err != nil {
			return err
		}
	}
	return web.Render(c, http.StatusOK, pages.Savings(p), pages.SavingsBody(p))
}

// savingsQuery is the savings page's figures for its query: the scope (an
// engagement, vendor or tower, or the portfolio) and the quarter (?quarter=,
// at most the current one). The JSON API's savings read it too, so both give
// the same figures.
type savingsQuery struct {
	settings models.Settings
	filter   pages.SavingsFilter
	rates    *models.Rates
	scope    models.CostScope
	figures  models.SavingsFigures
	today    models.Date
	current  models.Quarter
}

func (a *App) savingsOf(c echo.Context) (savingsQuery, error) {
	var sv savingsQuery
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return sv, err
	}
	f, today := s.Fiscal(), a.today()
	current := f.QuarterOf(today)
	filter := pages.SavingsFilter{
		VendorID:     uintQuery(c, "vendor"),
		EngagementID: uintQuery(c, "engagement"),
		Tower:        oneOf(c.QueryParam("tower"), models.Towers...),
		AsAt:         current,
		By:           oneOf(c.QueryParam("by"), models.Breakdowns...),
		Page:         pageParam(c),
	}
	if q, err := models.ParseQuarter(c.QueryParam("quarter")); err == nil && !current.Before(q) {
		filter.AsAt = q // a later quarter has no figures yet
	}
	if filter.By == "" {
		filter.By = "engagement"
	}
	rates, err := models.LoadRates(ctx, a.db, s.Finance.ReportingCurrency)
	if err != nil {
		return sv, err
	}
	scope := models.CostScope{EngagementID: filter.EngagementID, VendorID: filter.VendorID, Tower: filter.Tower, To: f.End(filter.AsAt)}
	var sums []models.CostSums
	if scope == (models.CostScope{To: scope.To}) { // the whole portfolio: its monthly totals, maintained on write
		sums, err = models.PortfolioCostSums(ctx, a.db, models.Date{}, scope.To)
	} else {
		sums, err = models.SumCosts(ctx, a.db, scope)
	}
	if err != nil {
		return sv, err
	}
	return savingsQuery{settings: s, filter: filter, rates: rates, scope: scope, figures: models.NewSavingsFigures(sums, rates, f, filter.AsAt, today),
		today: today, current: current}, nil
}

// savingsBreakdown figures one page of the engagements, vendors or towers in
// scope: one grouped query for the page's keys, then each key's months.
func (a *App) savingsBreakdown(c echo.Context, p *pages.SavingsProps, scope models.CostScope, rates *models.Rates, f models.Fiscal, today models.Date) error {
	ctx := c.Request().Context()
	keys, total, err := models.CostBreakdownKeys(ctx, a.db, p.Filter.By, scope, p.Filter.Page, savingsRowsPerPage)
	if err != nil {
		return err
	}
	p.Pages = components.Pages{Page: p.Filter.Page, PerPage: savingsRowsPerPage, Total: total}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.Key
	}
	if p.Filter.By != "engagement" {
		// A vendor or tower spans many engagements: its rows read the fiscal year
		// (and the run-rate quarter) only, not every month since the first record,
		// so the page stays quick on a large portfolio. Cumulative figures and
		// payback are shown per engagement.
		scope.From = f.YearStart(p.Filter.AsAt.Year)
		if rr := f.Start(p.F.RunRateQ); rr.Before(scope.From) {
			scope.From = rr
		}
	}
	rows, err := models.SumCostsBy(ctx, a.db, p.Filter.By, scope, ids)
	if err != nil {
		return err
	}
	per := map[string][]models.CostSums{}
	for _, r := range rows {
		per[r.Key] = append(per[r.Key], r.Sums())
	}
	for _, k := range keys {
		r := pages.SavingsRow{Key: k, F: models.NewSavingsFigures(per[k.Key], rates, f, p.Filter.AsAt, today)}
		switch p.Filter.By {
		case "engagement":
			r.Link = "/engagements/" + k.Key + "/costs"
			// One engagement's months are in its own currency: payback needs no conversion.
			r.Payback, r.HasPayback = models.Payback(per[k.Key])
			r.OneOffs = r.F.Cumulative.Hard.OneOff.Sign() > 0 || r.F.Cumulative.Avoidance.OneOff.Sign() > 0
		case "vendor":
			r.Link = p.Query.WithAll("vendor", k.Key, "by", "engagement")
		case "tower":
			r.Link = p.Query.WithAll("tower", k.Key, "by", "engagement")
		}
		p.Rows = append(p.Rows, r)
	}
	return nil
}

// savingsChoices loads the filter selects' options.
func (a *App) savingsChoices(c echo.Context, p *pages.SavingsProps) error {
	ctx := c.Request().Context()
	var err error
	if p.Vendors, err = models.VendorChoices(ctx, a.db, p.Filter.VendorID, false); err != nil {
		return err
	}
	engs, tooMany, err := models.EngagementChoices(ctx, a.db, maxEngagementOptions)
	if !tooMany && engs == nil {
		engs = []models.Engagement{}
	}
	p.Engagements = engs
	return err
}
