package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

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

// exportEngagements streams the engagements list as filtered (every page) as
// CSV or XLSX. Route: engagements.export (?format=csv|xlsx).
func (a *App) exportEngagements(c echo.Context) error {
	f, ctx := engagementFilter(c), c.Request().Context()
	spec := exportSpec{
		Filename: "engagements",
		Header: []string{"Code", "Name", "Model", "Tower", "Vendor", "Business unit", "Delivery location", "Sponsor", "Manager",
			"Phase", "Start", "Contract end", "Planned transfer", "Actual transfer", "Contract value", "Currency", "Pricing model",
			"Vendor headcount", "Client headcount", "Health", "Health reasons", "Closed on"},
		Types: []cellType{tText, tText, tText, tText, tText, tText, tText, tText, tText,
			tText, tDate, tDate, tDate, tDate, tMoneyIn(15), tText, tText,
			tCount, tCount, tText, tLong, tDate},
		Rows: func(yield func([]string) error) error {
			return models.EachEngagement(ctx, a.db, f, func(r models.EngagementExportRow) error {
				return yield([]string{r.Code, r.Name, r.Model, r.Tower, r.VendorName, r.BusinessUnit, r.DeliveryLocation, r.Sponsor, r.ManagerName,
					r.Phase, r.StartDate.String(), r.ContractEnd.String(), r.PlannedTransfer.String(), r.ActualTransfer.String(),
					plainAmount(r.ContractValue), r.Currency, r.PricingModel, strconv.Itoa(r.VendorHeadcount), strconv.Itoa(r.ClientHeadcount),
					r.Health, joinLines(r.Reasons()), r.ClosedOn.String()})
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
