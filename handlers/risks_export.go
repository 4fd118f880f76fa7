package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/register"
)

// riskColumns are the columns of a register export, in order: the screen's
// columns first, then what an import needs to round-trip a risk. Derived
// columns (scores, bands, flags, owner name) are read-only on import.
var riskColumns = []string{"Ref", "Title", "Engagement", "Category",
	"Inherent likelihood", "Inherent impact", "Inherent score", "Inherent band",
	"Residual likelihood", "Residual impact", "Residual score", "Residual band", "Out of appetite",
	"Status", "Owner", "Owner email", "Next review", "Review overdue", "Response",
	"Description", "Mitigation plan", "Raised on", "Closed on", "Closed reason",
	"Accepted by", "Acceptance justification", "Acceptance expiry", "Version"}

// riskTypes are riskColumns' cell types in an XLSX.
var riskTypes = []cellType{tText, tText, tText, tText,
	tInt, tInt, tInt, tText,
	tInt, tInt, tInt, tText, tText,
	tText, tText, tText, tDate, tText, tText,
	tLong, tLong, tDate, tDate, tText,
	tText, tLong, tDate, tInt}

// riskExportRow writes one risk in riskColumns order.
func riskExportRow(r register.RiskExportRow, s models.RiskSettings, day models.Date) []string {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	return []string{r.Ref, r.Title, r.EngagementCode, r.Category,
		strconv.Itoa(r.InherentLikelihood), strconv.Itoa(r.InherentImpact), strconv.Itoa(r.InherentScore), s.Band(r.InherentScore),
		strconv.Itoa(r.ResidualLikelihood), strconv.Itoa(r.ResidualImpact), strconv.Itoa(r.ResidualScore), s.Band(r.ResidualScore),
		yes(r.IsOpen() && s.OutOfAppetite(r.ResidualScore)),
		r.Status, r.OwnerName, r.OwnerEmail, r.NextReview.String(),
		yes(r.IsOpen() && !r.NextReview.IsZero() && r.NextReview.Before(day)), r.Response,
		r.Description, r.Mitigation, r.RaisedOn.String(), r.ClosedOn.String(), r.ClosedReason,
		r.AcceptedBy, r.AcceptJustification, r.AcceptExpiry.String(), strconv.Itoa(r.Version)}
}

// exportRisks downloads every risk of the register's current filters (all
// pages, in its order) as CSV or XLSX (?format=), streamed from the database.
// It honours ?as_at= like the page. Route: risks.export.
func (a *App) exportRisks(c echo.Context) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	today := a.today()
	f := riskFilter(c, today)
	day, name := today, "risks-"+today.String()
	if !f.AsAt.IsZero() {
		day, name = f.AsAt, "risks-as-at-"+f.AsAt.String()
	}
	ctx := c.Request().Context()
	return a.writeExport(c, c.QueryParam("format"), exportSpec{
		Filename: name,
		Header:   riskColumns,
		Types:    riskTypes,
		Rows: func(yield func([]string) error) error {
			return register.EachRisk(ctx, a.db, s.Risk, day, f, func(r register.RiskExportRow) error {
				return yield(riskExportRow(r, s.Risk, day))
			})
		},
	})
}
