package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// slaBreachQuarters is how many quarters back the breaches page offers.
const slaBreachQuarters = 8

// slaBreaches lists the portfolio's missed service-level results in a fiscal
// quarter (?quarter=2026-Q3; the last complete quarter by default, as the
// dashboard's SLA card), with the quarter's attainment: the list that explains
// that card. Route: slas.breaches; an htmx request gets the #breaches-body partial.
func (a *App) slaBreaches(c echo.Context) error {
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	f, today := s.Fiscal(), a.today()
	current := f.QuarterOf(today)
	q := f.LastComplete(today)
	if x, err := models.ParseQuarter(c.QueryParam("quarter")); err == nil && !current.Before(x) {
		q = x // a later quarter has no results yet
	}
	p := pages.BreachesProps{Chrome: web.Chrome(c, "Missed service levels", "dashboard"), Quarter: q, InProgress: q == current,
		Query: listQuery(c, "/slas/breaches", "#breaches-body", "quarter")}
	for x, i := current, 0; i < slaBreachQuarters; x, i = x.Prev(), i+1 {
		p.Quarters = append(p.Quarters, x)
	}
	from, to := f.Start(q), f.End(q)
	if p.Met, p.Measured, err = models.SLATotals(ctx, a.db, from, to); err != nil {
		return err
	}
	page := pageParam(c)
	if p.Rows, p.Pages.Total, err = models.ListPortfolioBreaches(ctx, a.db, from, to, page, perPage); err != nil {
		return err
	}
	p.Pages.Page, p.Pages.PerPage = page, perPage
	return web.Render(c, http.StatusOK, pages.Breaches(p), pages.BreachesBody(p))
}
