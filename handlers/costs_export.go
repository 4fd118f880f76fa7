package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// costColumns are the cost-record export's columns; the import reads the same
// file (the derived figures and the name are read-only there).
var costColumns = []string{"Engagement", "Engagement name", "Month", "Currency", "Baseline", "Vendor fees", "Retained",
	"One-off", "Credits", "Planned savings", "Savings type", "Recurring cost", "Gross savings", "Net realised", "Version"}

// exportCosts streams the cost records of a slice of the portfolio (filters
// engagement, vendor, tower), by engagement and month, as CSV or XLSX. Amounts
// are plain decimals in each record's currency. Route: costs.export.
func (a *App) exportCosts(c echo.Context) error {
	ctx, engagement, vendor, tower := c.Request().Context(), uintQuery(c, "engagement"), uintQuery(c, "vendor"), oneOf(c.QueryParam("tower"), models.Towers...)
	spec := exportSpec{Filename: "cost-records", Header: costColumns, Rows: func(yield func([]string) error) error {
		return models.EachCostRecord(ctx, a.db, engagement, vendor, tower, func(r models.CostExportRow) error {
			s := r.Sums()
			return yield([]string{r.Code, r.EngagementName, r.Month.Format("2006-01"), r.Currency, plainAmount(r.Baseline), plainAmount(r.VendorFees),
				plainAmount(r.Retained), plainAmount(r.OneOff), plainAmount(r.Credits), plainAmount(r.PlannedSavings), r.SavingsType,
				plainAmount(s.Recurring()), plainAmount(s.Gross()), plainAmount(s.Net()), strconv.Itoa(r.Version)})
		})
	}}
	return a.writeExport(c, c.QueryParam("format"), spec)
}
