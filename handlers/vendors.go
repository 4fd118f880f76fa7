package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/register"
	"portfolio/views/pages"
	"portfolio/web"
)

// vendors lists the partners in use, or the archived ones (?archived=1). Route: vendors.index.
func (a *App) vendors(c echo.Context) error {
	archived := c.QueryParam("archived") == "1"
	rows, err := models.ListVendorsArchived(c.Request().Context(), a.db, archived)
	if err != nil {
		return err
	}
	p := pages.VendorsProps{Chrome: web.Chrome(c, "Vendors", "vendors"), Rows: rows, IsAdmin: isAdmin(c), Archived: archived}
	if p.Dep, p.Rates, p.Cur, err = a.dependency(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Vendors(p), nil)
}

// dependency loads the vendors' shares of spend and engagements as at
// today, converted to the reporting currency at the stored rates.
func (a *App) dependency(c echo.Context) (*models.Dependency, *models.Rates, string, error) {
	s, err := a.settings(c)
	if err != nil {
		return nil, nil, "", err
	}
	ctx := c.Request().Context()
	cur := s.Finance.ReportingCurrency
	rates, err := models.LoadRates(ctx, a.db, cur)
	if err != nil {
		return nil, nil, "", err
	}
	d, err := models.LoadDependency(ctx, a.db, rates, a.today())
	return d, rates, cur, err
}

// vendor shows a vendor's scorecard, engagements and their live risks. Route: vendors.show.
func (a *App) vendor(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.renderVendorPage(c, id, http.StatusOK, "")
}

// renderVendorPage renders a vendor's page with a status, and the reason an
// administrator's archive or restore was refused (if any).
func (a *App) renderVendorPage(c echo.Context, id uint, status int, adminError string) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := pages.VendorProps{Risk: s.Risk, Today: a.today(), IsAdmin: isAdmin(c), AdminError: adminError}
	if p.V, err = models.First[models.Vendor](ctx, a.db, id); err != nil {
		return err
	}
	if p.Engagements, _, err = models.ListEngagements(ctx, a.db, models.EngagementFilter{VendorID: id, Sort: "health", Page: 1, PerPage: 200}); err != nil {
		return err
	}
	var ito []uint
	for _, e := range p.Engagements {
		if e.Model == models.ModelITO {
			ito = append(ito, e.ID)
		}
	}
	if p.Exit, err = models.ExitReadinessOf(ctx, a.db, ito); err != nil {
		return err
	}
	if p.Risks, p.RiskTotal, err = register.ListRisks(ctx, a.db, s.Risk, p.Today, register.RiskFilter{VendorID: id, Page: 1, PerPage: 20}); err != nil {
		return err
	}
	var quarters []string
	q := s.Fiscal().QuarterOf(p.Today)
	for range 7 {
		q = q.Prev()
	}
	for range 8 {
		quarters, q = append(quarters, q.String()), q.Next()
	}
	if p.Partnership, err = models.VendorSurveyTrend(ctx, a.db, id, quarters); err != nil {
		return err
	}
	if p.Dep, _, p.Cur, err = a.dependency(c); err != nil {
		return err
	}
	p.Chrome = web.Chrome(c, p.V.Name, "vendors")
	return web.Render(c, status, pages.VendorPage(p), nil)
}

// tenthsDecimal writes tenths of a percent as a plain decimal: 633 is "63.3".
func tenthsDecimal(n int) string { return fmt.Sprintf("%d.%d", n/10, n%10) }

// exportVendors streams the vendor list (in use, or archived with ?archived=1)
// with scorecards and portfolio counts as CSV or XLSX. Route: vendors.export.
func (a *App) exportVendors(c echo.Context) error {
	archived := c.QueryParam("archived") == "1"
	format := c.QueryParam("format")
	if format != "csv" && format != "xlsx" {
		return web.BadRequest("Export as csv or xlsx.")
	}
	// The vendor list is small (one row per partner) and ListVendorsArchived counts with
	// two grouped queries; it is read whole, then written.
	rows, err := models.ListVendorsArchived(c.Request().Context(), a.db, archived)
	if err != nil {
		return err
	}
	dep, _, cur, err := a.dependency(c)
	if err != nil {
		return err
	}
	header := []string{"Name", "Country", "Delivery locations", "Tier"}
	for _, w := range models.ScoreWeights {
		header = append(header, fmt.Sprintf("%s (%d%%)", w.Name, w.Weight))
	}
	header = append(header, "Weighted score", "References checked", "Engagements", "Active", "Red", "Open risks", "Archived", "Notes",
		fmt.Sprintf("Spend %s – %s (%s)", dep.From.Format("2006-01"), dep.To.Format("2006-01"), cur), "Share of spend (%)", "Spend provisional",
		"Engagements in delivery", "Share of engagements in delivery (%)")
	types := []cellType{tText, tText, tText, tInt}
	for range models.ScoreWeights {
		types = append(types, tInt)
	}
	types = append(types, tDecimal, tText, tCount, tCount, tCount, tCount, tText, tLong, tMoneyOf(cur), tDecimal, tText, tCount, tDecimal)
	spec := exportSpec{Filename: "vendors", Header: header, Types: types, Rows: func(yield func([]string) error) error {
		for _, v := range rows {
			r := []string{v.Name, v.Country, v.DeliveryLocations, strconv.Itoa(v.Tier)}
			for _, w := range models.ScoreWeights {
				r = append(r, strconv.Itoa(w.Get(v.Vendor)))
			}
			r = append(r, fmt.Sprintf("%.2f", v.WeightedScore()), boolWord(v.ReferencesChecked), strconv.Itoa(v.Engagements),
				strconv.Itoa(v.Active), strconv.Itoa(v.Red), strconv.Itoa(v.OpenRisks), boolWord(v.Archived), v.Notes)
			d := dep.Vendor(v.ID)
			r = append(r, plainAmount(d.Spend.Minor()), tenthsDecimal(d.SpendShare), strings.Join(d.Provisional, "; "),
				strconv.Itoa(d.Engagements), tenthsDecimal(d.EngagementShare))
			if err := yield(r); err != nil {
				return err
			}
		}
		// The portfolio's row: the shares above add up to it only with every
		// vendor listed (archived ones are on the other list).
		total := make([]string, len(header))
		total[0] = "Portfolio (every vendor)"
		n := len(header)
		total[n-5], total[n-4], total[n-3] = plainAmount(dep.Spend.Minor()), tenthsDecimal(1000), strings.Join(dep.Provisional, "; ")
		total[n-2], total[n-1] = strconv.Itoa(dep.Engagements), tenthsDecimal(1000)
		if !dep.HasSpend() {
			total[n-4] = ""
		}
		if dep.Engagements == 0 {
			total[n-1] = ""
		}
		return yield(total)
	}}
	return a.writeExport(c, format, spec)
}
