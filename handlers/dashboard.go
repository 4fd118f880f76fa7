package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// dashboard shows the portfolio at a glance. Route: dashboard (full page only).
func (a *App) dashboard(c echo.Context) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	d, err := models.LoadDashboard(c.Request().Context(), a.db, s, a.today())
	if err != nil {
		return err
	}
	p := pages.DashboardProps{Chrome: web.Chrome(c, "Dashboard", "dashboard"), D: d, Cur: s.Finance.ReportingCurrency, Risk: s.Risk}
	return web.Render(c, http.StatusOK, pages.Dashboard(p), nil)
}
