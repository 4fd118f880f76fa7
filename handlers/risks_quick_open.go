package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/views/pages"
	"portfolio/web"
)

// riskQuick shows a risk's quick actions, which return to ?back= (the
// register page they were opened from). Route: risks.quick (editors of the
// risk's engagement). An htmx request gets the panel of forms (#quick-risk-ID)
// that a register row's disclosure fetches when it is opened (the register
// renders the forms of no row: most are never opened); anything else gets a page
// with the row and its quick actions open, which the disclosure links to
// without JavaScript.
func (a *App) riskQuick(c echo.Context) error {
	r, err := a.loadRisk(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
		return err
	}
	back := web.LocalPath(c.QueryParam("back"))
	if back == "/" {
		back = "/risks"
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	rc := a.quickRow(c, back, s)
	rc.Open = true
	p := pages.RiskQuickProps{Chrome: web.Chrome(c, "Update "+r.Ref, "risks"), R: r, Row: rc}
	return web.Render(c, http.StatusOK, pages.RiskQuickPage(p), pages.QuickForms(r, rc))
}
