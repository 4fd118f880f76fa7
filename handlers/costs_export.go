package handlers

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// costColumns are the cost-record export's columns; the import reads the same
// file (the derived figures, the name and costReportingColumns are read-only there).
var costColumns = append([]string{"Engagement", "Engagement name", "Month", "Currency", "Baseline", "Vendor fees", "Retained",
	"One-off", "Credits", "Planned savings", "Savings type", "Recurring cost", "Gross savings", "Net realised", "Version"},
	costReportingColumns...)

// costReportingColumns follow the record's own: its fiscal quarter, and its
// amounts in the reporting currency at the rate the savings page applies (a
// month without a rate of its own takes its currency's latest earlier rate,
// and is provisional), so the page's totals can be rebuilt from the file.
var costReportingColumns = []string{"Quarter", "Reporting currency", "Rate", "Rate month", "Provisional rate",
	"Baseline (reporting)", "Vendor fees (reporting)", "Retained (reporting)", "One-off (reporting)", "Credits (reporting)",
	"Planned savings (reporting)", "Recurring cost (reporting)", "Gross savings (reporting)", "Net realised (reporting)"}

// costTypes are costColumns' cell types in an XLSX; amounts converted are in
// the reporting currency.
func costTypes(reporting string) []cellType {
	own, conv := tMoneyIn(3), tMoneyOf(reporting)
	return []cellType{tText, tText, tMonth, tText, own, own, own, own, own, own, tText, own, own, own, tInt,
		tText, tText, tDecimal, tMonth, tText, conv, conv, conv, conv, conv, conv, conv, conv, conv}
}

// exportCosts streams the cost records of a slice of the portfolio (filters
// engagement, vendor, tower), by engagement and month, as CSV or XLSX. Amounts
// are plain decimals in each record's currency, then converted exactly (up to
// 12 decimal places: the rate's 10 and the cents) into the reporting currency.
// A currency with no rate at all has "no rate" and no converted amounts: the
// page counts them as nothing. Route: costs.export.
func (a *App) exportCosts(c echo.Context) error {
	ctx, engagement, vendor, tower := c.Request().Context(), uintQuery(c, "engagement"), uintQuery(c, "vendor"), oneOf(c.QueryParam("tower"), models.Towers...)
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	reporting, fiscal := s.Finance.ReportingCurrency, s.Fiscal()
	rates, err := models.LoadRates(ctx, a.db, reporting)
	if err != nil {
		return err
	}
	spec := exportSpec{Filename: "cost-records", Header: costColumns, Types: costTypes(reporting), Rows: func(yield func([]string) error) error {
		return models.EachCostRecord(ctx, a.db, engagement, vendor, tower, func(r models.CostExportRow) error {
			s := r.Sums()
			amounts := []int64{r.Baseline, r.VendorFees, r.Retained, r.OneOff, r.Credits, r.PlannedSavings, s.Recurring(), s.Gross(), s.Net()}
			row := []string{r.Code, r.EngagementName, r.Month.Format("2006-01"), r.Currency, plainAmount(r.Baseline), plainAmount(r.VendorFees),
				plainAmount(r.Retained), plainAmount(r.OneOff), plainAmount(r.Credits), plainAmount(r.PlannedSavings), r.SavingsType,
				plainAmount(s.Recurring()), plainAmount(s.Gross()), plainAmount(s.Net()), strconv.Itoa(r.Version),
				fiscal.QuarterOf(r.Month).String(), reporting}
			rate := rates.Applied(r.Currency, r.Month)
			if rate.Missing {
				row = append(row, "no rate", "", "")
				return yield(append(row, make([]string, len(amounts))...))
			}
			row = append(row, rate.Text, rate.From.Format("2006-01"), exportYesNo(rate.Carried))
			for _, m := range amounts {
				row = append(row, exactDecimal(rate.Convert(m)))
			}
			return yield(row)
		})
	}}
	return a.writeExport(c, c.QueryParam("format"), spec)
}

// exactDecimal writes an exact amount (in minor units) as major units with
// every decimal it has (at least two, at most twelve: a rate's ten and the
// cents), so that a spreadsheet's sum rounds as the page's does.
func exactDecimal(e models.Exact) string {
	r := e.Rat()
	s := r.Quo(r, big.NewRat(100, 1)).FloatString(12)
	s = strings.TrimRight(s, "0")
	if decimals := len(s) - strings.IndexByte(s, '.') - 1; decimals < 2 {
		s += strings.Repeat("0", 2-decimals)
	}
	return s
}
