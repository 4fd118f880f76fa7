package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// maxEngagementOptions is the most engagements a filter select lists; past it
// the engagement filter comes from links (engagement and vendor pages) instead.
const maxEngagementOptions = 400

// riskFilter reads the register's filters from the query, ignoring bad values.
func riskFilter(c echo.Context) models.RiskFilter {
	f := models.RiskFilter{
		EngagementID:  uintQuery(c, "engagement"),
		VendorID:      uintQuery(c, "vendor"),
		OwnerID:       uintQuery(c, "owner"),
		Category:      oneOf(c.QueryParam("category"), models.RiskCategories...),
		Status:        oneOf(c.QueryParam("status"), append([]string{"all"}, models.RiskStatuses...)...),
		Band:          oneOf(c.QueryParam("band"), models.Bands...),
		BandKind:      oneOf(c.QueryParam("kind"), "residual", "inherent"),
		Overdue:       c.QueryParam("overdue") == "1",
		OutOfAppetite: c.QueryParam("appetite") == "out",
		Q:             c.QueryParam("q"),
		Sort:          c.QueryParam("sort"),
		Dir:           dirParam(c),
		Page:          pageParam(c),
		PerPage:       50,
	}
	if f.BandKind == "" {
		f.BandKind = "residual"
	}
	if _, ok := models.RiskSorts[f.Sort]; !ok {
		f.Sort = ""
	}
	l, i := int(uintQuery(c, "l")), int(uintQuery(c, "i"))
	if models.ValidLevel(l) && models.ValidLevel(i) {
		f.Likelihood, f.Impact = l, i
	}
	return f
}

// risks is the portfolio-wide register. Route: risks.index; an htmx request gets
// the #risk-register partial (heat maps, table, pager).
func (a *App) risks(c echo.Context) error {
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	today := a.today()
	f := riskFilter(c)
	rows, total, err := models.ListRisks(ctx, a.db, s.Risk, today, f)
	if err != nil {
		return err
	}
	p := pages.RisksProps{
		Chrome: web.Chrome(c, "Risk register", "risks"),
		Query:  listQuery(c, "/risks", "#risk-register", "engagement", "vendor", "owner", "category", "status", "band", "kind", "overdue", "appetite", "l", "i", "q"),
		Filter: f, Rows: rows, Total: total, Risk: s.Risk, Today: today,
	}
	if p.Inherent, err = models.HeatCounts(ctx, a.db, "inherent", f); err != nil {
		return err
	}
	if p.Residual, err = models.HeatCounts(ctx, a.db, "residual", f); err != nil {
		return err
	}
	if !web.IsHTMX(c) {
		if err := a.filterChoices(c, &p); err != nil {
			return err
		}
	}
	return web.Render(c, http.StatusOK, pages.Risks(p), pages.RiskRegister(p))
}

// filterChoices loads the options of the register's filter selects.
func (a *App) filterChoices(c echo.Context, p *pages.RisksProps) error {
	db := a.db.WithContext(c.Request().Context())
	var n int64
	if err := db.Model(&models.Engagement{}).Count(&n).Error; err != nil {
		return err
	}
	if n <= maxEngagementOptions {
		if err := db.Select("id, code, name").Order("code").Find(&p.Engagements).Error; err != nil {
			return err
		}
	}
	if err := db.Select("id, name").Order("name").Find(&p.Vendors).Error; err != nil {
		return err
	}
	return db.Select("id, name").Where("id IN (SELECT DISTINCT owner_id FROM risks WHERE owner_id IS NOT NULL)").Order("name").Find(&p.Owners).Error
}

// risk shows one risk with its actions and history. Route: risks.show.
func (a *App) risk(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	db := a.db.WithContext(c.Request().Context())
	p := pages.RiskProps{Risk: s.Risk, Today: a.today()}
	if err := db.Preload("Engagement").Preload("Owner").First(&p.R, id).Error; err != nil {
		return err
	}
	if err := db.Preload("User").Where("entity = ? AND entity_id = ?", "risk", id).Order("at DESC, id DESC").Find(&p.History).Error; err != nil {
		return err
	}
	if err := db.Preload("Owner").Where("risk_id = ?", id).Order("due, id").Find(&p.Actions).Error; err != nil {
		return err
	}
	p.Chrome = web.Chrome(c, p.R.Ref+" "+p.R.Title, "risks")
	return web.Render(c, http.StatusOK, pages.RiskPage(p), nil)
}
