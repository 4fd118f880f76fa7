package handlers

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// slaResultsExport streams every recorded result of an engagement's service
// levels as CSV or XLSX. Route: slas.export_results (?format=csv|xlsx).
func (a *App) slaResultsExport(c echo.Context) error {
	e, err := a.engagementFromPath(c)
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	f := s.Fiscal()
	return a.writeExport(c, exportFormatParam(c), exportSpec{
		Filename: fmt.Sprintf("sla-results-%s", e.Code),
		Header:   []string{"Engagement", "Service level", "Month", "Quarter", "Direction", "Target", "Unit", "Result", "Met", "Note"},
		Types:    []cellType{tText, tText, tMonth, tText, tText, tDecimal, tText, tDecimal, tText, tLong},
		Rows: func(yield func([]string) error) error {
			return models.EachSLAResult(c.Request().Context(), a.db, e.ID, func(r models.SLAResultRow) error {
				return yield([]string{e.Code, r.SLAName, yearMonth(r.Month), f.QuarterOf(r.Month).String(), r.Direction,
					exportMilli(r.Target), r.Unit, exportMilli(r.Actual), exportYesNo(r.Met), r.Note})
			})
		},
	})
}

// slaBreachesExport streams an engagement's breaches with the credits due as
// CSV or XLSX. Route: slas.export_breaches (?format=csv|xlsx).
func (a *App) slaBreachesExport(c echo.Context) error {
	e, err := a.engagementFromPath(c)
	if err != nil {
		return err
	}
	return a.writeExport(c, exportFormatParam(c), exportSpec{
		Filename: fmt.Sprintf("sla-breaches-%s", e.Code),
		Header:   []string{"Engagement", "Month", "Service level", "Direction", "Target", "Unit", "Result", "Credit %", "Currency", "Vendor fees", "Credit due", "Note"},
		Types:    []cellType{tText, tMonth, tText, tText, tDecimal, tText, tDecimal, tInt, tText, tMoneyIn(8), tMoneyIn(8), tLong},
		Rows: func(yield func([]string) error) error {
			return models.EachSLABreach(c.Request().Context(), a.db, e.ID, func(b models.SLABreach) error {
				cur, fees, due := "", "", "no cost record"
				if m, ok := b.Credit(); ok {
					cur, fees, due = b.Currency, exportMinor(b.VendorFees), exportMinor(m.Minor)
				}
				return yield([]string{e.Code, yearMonth(b.Month), b.SLAName, b.Direction, exportMilli(b.Target), b.Unit,
					exportMilli(b.Actual), strconv.Itoa(b.CreditPct), cur, fees, due, b.Note})
			})
		},
	})
}
