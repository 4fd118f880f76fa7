package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// vendors lists the partners. Route: vendors.index.
func (a *App) vendors(c echo.Context) error {
	rows, err := models.ListVendors(c.Request().Context(), a.db)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Vendors(pages.VendorsProps{Chrome: web.Chrome(c, "Vendors", "vendors"), Rows: rows}), nil)
}

// vendor shows a vendor's scorecard, engagements and their live risks. Route: vendors.show.
func (a *App) vendor(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := pages.VendorProps{Risk: s.Risk, Today: a.today()}
	if err := a.db.WithContext(ctx).First(&p.V, id).Error; err != nil {
		return err
	}
	if p.Engagements, _, err = models.ListEngagements(ctx, a.db, models.EngagementFilter{VendorID: id, Sort: "health", Page: 1, PerPage: 200}); err != nil {
		return err
	}
	if p.Risks, p.RiskTotal, err = models.ListRisks(ctx, a.db, s.Risk, p.Today, models.RiskFilter{VendorID: id, Page: 1, PerPage: 20}); err != nil {
		return err
	}
	p.Chrome = web.Chrome(c, p.V.Name, "vendors")
	return web.Render(c, http.StatusOK, pages.VendorPage(p), nil)
}
