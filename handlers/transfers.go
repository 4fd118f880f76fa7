package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

func transferFilter(c echo.Context) models.TransferFilter {
	return models.TransferFilter{AtRisk: c.QueryParam("risk") == "1", Page: pageParam(c), PerPage: perPage}
}

// transfers is the portfolio view of upcoming BOT transfers: readiness, planned
// date, days to go, gate decision and red flags. Route: transfers.index; an
// htmx request gets the #transfers-table partial.
func (a *App) transfers(c echo.Context) error {
	ctx := c.Request().Context()
	today := a.today()
	f := transferFilter(c)
	p := pages.TransfersProps{Chrome: web.Chrome(c, "Upcoming transfers", "transfers"), Today: today, Filter: f,
		Query: listQuery(c, "/transfers", "#transfers-table", "risk")}
	var err error
	if p.Rows, p.Total, err = models.ListTransfers(ctx, a.db, today, f); err != nil {
		return err
	}
	if !web.IsHTMX(c) {
		if p.Summary, err = models.SummariseTransfers(ctx, a.db, today); err != nil {
			return err
		}
	}
	return web.Render(c, http.StatusOK, pages.Transfers(p), pages.TransfersTable(p))
}

// transfersExport streams the upcoming transfers (as filtered, every page) as
// CSV or XLSX. Route: transfers.export (?format=csv|xlsx).
func (a *App) transfersExport(c echo.Context) error {
	today := a.today()
	f := transferFilter(c)
	return a.writeExport(c, exportFormatParam(c), exportSpec{
		Filename: "transfers-" + today.String(),
		Header:   []string{"Code", "Engagement", "Vendor", "Phase", "Planned transfer", "Days to go", "Readiness %", "Gate decision", "Gate date", "Red flag"},
		Types:    []cellType{tText, tText, tText, tText, tDate, tCount, tDecimal, tText, tDate, tText},
		Rows: func(yield func([]string) error) error {
			// A chunk at a time, so a large portfolio is never held whole.
			for f.Page, f.PerPage = 1, 500; ; f.Page++ {
				rows, _, err := models.ListTransfers(c.Request().Context(), a.db, today, f)
				if err != nil {
					return err
				}
				if err := yieldTransfers(rows, yield); err != nil || len(rows) < f.PerPage {
					return err
				}
			}
		},
	})
}

func yieldTransfers(rows []models.TransferRow, yield func([]string) error) error {
	for _, t := range rows {
		ready, gate, gateOn, vendor := "", "", "", ""
		if t.HasReadiness {
			ready = strconv.FormatFloat(t.Readiness, 'f', 1, 64)
		}
		if t.Gate != nil {
			gate, gateOn = t.Gate.Decision, t.Gate.DecidedOn.String()
		}
		if t.Engagement.Vendor != nil {
			vendor = t.Engagement.Vendor.Name
		}
		if err := yield([]string{t.Engagement.Code, t.Engagement.Name, vendor, t.Engagement.Phase,
			t.Engagement.PlannedTransfer.String(), fmt.Sprint(t.DaysToGo), ready, gate, gateOn, exportYesNo(t.RedFlag)}); err != nil {
			return err
		}
	}
	return nil
}
