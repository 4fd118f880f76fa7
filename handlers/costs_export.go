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

type costExportRow struct {
	models.CostRecord
	Code, EngagementName string
}

// exportCosts streams the cost records of a slice of the portfolio (filters
// engagement, vendor, tower), by engagement and month, as CSV or XLSX. Amounts
// are plain decimals in each record's currency. Route: costs.export.
func (a *App) exportCosts(c echo.Context) error {
	q := a.db.WithContext(c.Request().Context()).Table("cost_records").
		Joins("JOIN engagements e ON e.id = cost_records.engagement_id").
		Select("cost_records.*, e.code AS code, e.name AS engagement_name").Order("e.code, cost_records.month")
	if id := uintQuery(c, "engagement"); id != 0 {
		q = q.Where("e.id = ?", id)
	}
	if id := uintQuery(c, "vendor"); id != 0 {
		q = q.Where("e.vendor_id = ?", id)
	}
	if t := oneOf(c.QueryParam("tower"), models.Towers...); t != "" {
		q = q.Where("e.tower = ?", t)
	}
	spec := exportSpec{Filename: "cost-records", Header: costColumns, Rows: func(yield func([]string) error) error {
		return exportRows(q, yield, func(r costExportRow) []string {
			s := r.Sums()
			return []string{r.Code, r.EngagementName, r.Month.Format("2006-01"), r.Currency, plainAmount(r.Baseline), plainAmount(r.VendorFees),
				plainAmount(r.Retained), plainAmount(r.OneOff), plainAmount(r.Credits), plainAmount(r.PlannedSavings), r.SavingsType,
				plainAmount(s.Recurring()), plainAmount(s.Gross()), plainAmount(s.Net()), strconv.Itoa(r.Version)}
		})
	}}
	return a.writeExport(c, c.QueryParam("format"), spec)
}
