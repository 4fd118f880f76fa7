package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/models"
)

// exportRows streams a query's rows into yield, one scanned struct at a time,
// never holding the whole result.
func exportRows[T any](q *gorm.DB, yield func([]string) error, row func(T) []string) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := q.ScanRows(rows, &v); err != nil {
			return err
		}
		if err := yield(row(v)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// plainAmount writes minor units as a plain decimal ("-1234.50"): a number to
// spreadsheets, and what the imports read back.
func plainAmount(minor int64) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(100+minor%100, 10)[1:]
	if neg {
		s = "-" + s
	}
	return s
}

type engagementExportRow struct {
	models.Engagement
	VendorName, ManagerName string
}

// exportEngagements streams the engagements list as filtered (every page) as
// CSV or XLSX. Route: engagements.export (?format=csv|xlsx).
func (a *App) exportEngagements(c echo.Context) error {
	f := engagementFilter(c)
	db := a.db.WithContext(c.Request().Context())
	q := f.Scope(db.Model(&models.Engagement{}).Joins(`JOIN vendors "Vendor" ON "Vendor".id = engagements.vendor_id`)).
		Joins("LEFT JOIN users m ON m.id = engagements.manager_id").
		Select(`engagements.*, "Vendor".name AS vendor_name, m.name AS manager_name`).Order("engagements.code")
	spec := exportSpec{
		Filename: "engagements",
		Header: []string{"Code", "Name", "Model", "Tower", "Vendor", "Business unit", "Delivery location", "Sponsor", "Manager",
			"Phase", "Start", "Contract end", "Planned transfer", "Actual transfer", "Contract value", "Currency", "Pricing model",
			"Vendor headcount", "Client headcount", "Health", "Health reasons", "Closed on"},
		Rows: func(yield func([]string) error) error {
			return exportRows(q, yield, func(r engagementExportRow) []string {
				return []string{r.Code, r.Name, r.Model, r.Tower, r.VendorName, r.BusinessUnit, r.DeliveryLocation, r.Sponsor, r.ManagerName,
					r.Phase, r.StartDate.String(), r.ContractEnd.String(), r.PlannedTransfer.String(), r.ActualTransfer.String(),
					plainAmount(r.ContractValue), r.Currency, r.PricingModel, strconv.Itoa(r.VendorHeadcount), strconv.Itoa(r.ClientHeadcount),
					r.Health, joinLines(r.Reasons()), r.ClosedOn.String()}
			})
		},
	}
	return a.writeExport(c, c.QueryParam("format"), spec)
}

func joinLines(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}
