package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/views/pages"
)

// importRisks serves the register's CSV import (the export's own format):
// route risks.import shows the upload form, risks.import.preview dry-runs a
// file, risks.import.apply writes it. A row with a known Ref updates that risk
// (only the columns the file has; a Version that is not the stored one refuses
// the row, so an edit made since the export is never overwritten); any other
// row raises a new risk. Owners are named by email, engagements by code.
func (a *App) importRisks(c echo.Context) error {
	act, err := a.riskActor(c)
	if err != nil {
		return err
	}
	rights, err := a.riskRights(c)
	if err != nil {
		return err
	}
	imp := &riskImporter{db: a.db, act: act, rights: rights}
	return runImport(c, a.db, imp, importPage{
		Title:  "Import risks",
		Intro:  "Upload a CSV in the register export's format. Rows with a known reference update that risk; other rows raise new risks. Nothing is written until you apply the dry run, and then the whole file or nothing.",
		Action: "/risks/import", Apply: "/risks/import/apply", Back: "/risks", BackLabel: "Risk register",
	})
}

// riskImporter imports risks for one request.
type riskImporter struct {
	db     *gorm.DB
	act    models.RiskActor
	rights pages.RiskRights

	existing map[string]models.Risk       // by ref, the risks the file names
	engs     map[string]models.Engagement // by code
	users    map[string]uint              // enabled users by lower-case email
	seen     map[string]int               // ref → the line that used it first
}

// Columns are the export's, with the import's meaning of each.
func (ri *riskImporter) Columns() []csvColumn {
	help := map[string]string{
		"Ref":                      "Blank: a new risk with the engagement's next reference. A known reference updates that risk.",
		"Title":                    "Required.",
		"Engagement":               "The engagement's code; blank for a portfolio-wide risk (administrators only).",
		"Category":                 "One of the register's categories.",
		"Inherent likelihood":      "1 to 5.",
		"Inherent impact":          "1 to 5.",
		"Residual likelihood":      "1 to 5.",
		"Residual impact":          "1 to 5.",
		"Status":                   "open, mitigating, accepted or closed.",
		"Owner email":              "The owner's email; blank for no owner.",
		"Next review":              "YYYY-MM-DD; blank on a new risk: the band's cadence from the raised date.",
		"Response":                 "avoid, reduce, transfer or accept.",
		"Raised on":                "YYYY-MM-DD; blank on a new risk: today.",
		"Closed on":                "YYYY-MM-DD, for a closed risk.",
		"Closed reason":            "For a closed risk.",
		"Accepted by":              "For an accepted risk.",
		"Acceptance justification": "For an accepted risk.",
		"Acceptance expiry":        "YYYY-MM-DD, for an accepted risk.",
		"Version":                  "As exported: the row is refused if the risk changed since.",
	}
	readOnly := map[string]bool{"Inherent score": true, "Inherent band": true, "Residual score": true, "Residual band": true,
		"Out of appetite": true, "Owner": true, "Review overdue": true}
	required := map[string]bool{"Title": true, "Category": true, "Inherent likelihood": true, "Inherent impact": true,
		"Residual likelihood": true, "Residual impact": true}
	var out []csvColumn
	for _, name := range riskColumns {
		col := csvColumn{Name: name, Help: help[name], ReadOnly: readOnly[name], Required: required[name]}
		switch name {
		case "Title":
			col.Aliases = []string{"Risk"}
		case "Mitigation plan":
			col.Aliases = []string{"Mitigation"}
		}
		out = append(out, col)
	}
	return out
}

// Prepare loads the risks, engagements and users the file names, in a few queries.
func (ri *riskImporter) Prepare(ctx context.Context, rows []csvRow) error {
	db := ri.db.WithContext(ctx)
	ri.existing, ri.engs, ri.users, ri.seen = map[string]models.Risk{}, map[string]models.Engagement{}, map[string]uint{}, map[string]int{}
	refs, codes := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		if v := r.Get("Ref"); v != "" {
			refs[v] = true
		}
		if v := r.Get("Engagement"); v != "" {
			codes[v] = true
		}
	}
	for _, chunk := range chunkStrings(refs) {
		var rs []models.Risk
		if err := db.Preload("Engagement").Where("ref IN ?", chunk).Find(&rs).Error; err != nil {
			return err
		}
		for _, r := range rs {
			ri.existing[r.Ref] = r
		}
	}
	for _, chunk := range chunkStrings(codes) {
		var es []models.Engagement
		if err := db.Select("id, code, name").Where("code IN ?", chunk).Find(&es).Error; err != nil {
			return err
		}
		for _, e := range es {
			ri.engs[e.Code] = e
		}
	}
	us, err := models.RiskOwnerChoices(ctx, ri.db)
	if err != nil {
		return err
	}
	for _, u := range us {
		ri.users[strings.ToLower(u.Email)] = u.ID
	}
	return nil
}

func chunkStrings(set map[string]bool) [][]string {
	var all []string
	for k := range set {
		all = append(all, k)
	}
	var out [][]string
	for len(all) > 0 {
		n := min(len(all), 500)
		out = append(out, all[:n])
		all = all[n:]
	}
	return out
}

// riskCSVNames maps risk columns (how the model names problems) to file columns.
var riskCSVNames = map[string]string{"ref": "Ref", "title": "Title", "engagement_id": "Engagement", "category": "Category",
	"inherent_likelihood": "Inherent likelihood", "inherent_impact": "Inherent impact", "residual_likelihood": "Residual likelihood",
	"residual_impact": "Residual impact", "status": "Status", "owner_id": "Owner email", "next_review": "Next review",
	"response": "Response", "description": "Description", "mitigation": "Mitigation plan", "raised_on": "Raised on",
	"closed_on": "Closed on", "closed_reason": "Closed reason", "accepted_by": "Accepted by",
	"accept_justification": "Acceptance justification", "accept_expiry": "Acceptance expiry"}

// Check builds the risk a row describes: the stored one with the file's columns
// over it, or a new one.
func (ri *riskImporter) Check(ctx context.Context, row csvRow) csvCheck[*models.Risk] {
	errs := map[string]string{}
	bad := func(col, msg string) {
		if _, ok := errs[col]; !ok {
			errs[col] = msg
		}
	}
	ref := row.Get("Ref")
	ch := csvCheck[*models.Risk]{Key: ref, Errors: errs}
	if first, ok := ri.seen[ref]; ok && ref != "" {
		bad("Ref", fmt.Sprintf("Also on line %d: a file names each risk once.", first))
	}
	ri.seen[ref] = row.Line
	var r models.Risk
	stored, update := ri.existing[ref]
	if update {
		r = stored
		ch.Outcome = outcomeUpdate
		if v := row.Get("Version"); row.Has("Version") && v != "" && v != strconv.Itoa(stored.Version) {
			bad("Version", fmt.Sprintf("The risk changed since this file was exported (version %s, now %d): export it again and redo this row's edits.", v, stored.Version))
		}
		if !ri.rights.CanEdit(stored) {
			bad("Ref", "You may not change this risk: it belongs to an engagement you do not manage.")
		}
	} else {
		r = models.Risk{Ref: ref, Status: models.StatusOpen, Response: "reduce"}
		ch.Outcome = outcomeCreate
		if ref == "" {
			ch.Key = "(new)"
		}
	}
	text := func(col string, dst *string) {
		if row.Has(col) {
			*dst = row.Get(col)
		}
	}
	level := func(col string, dst *int) {
		if !row.Has(col) {
			return
		}
		n, err := strconv.Atoi(row.Get(col))
		if err != nil || !models.ValidLevel(n) {
			bad(col, "Enter a level from 1 to 5.")
			return
		}
		*dst = n
	}
	date := func(col string, dst *models.Date) {
		if !row.Has(col) {
			return
		}
		v := row.Get(col)
		if v == "" {
			*dst = models.Date{}
			return
		}
		d, err := models.ParseDate(v)
		if err != nil || d.Year() < 1990 || d.Year() > 2100 {
			bad(col, "Enter a date as YYYY-MM-DD.")
			return
		}
		*dst = d
	}
	text("Title", &r.Title)
	text("Description", &r.Description)
	text("Mitigation plan", &r.Mitigation)
	text("Closed reason", &r.ClosedReason)
	text("Accepted by", &r.AcceptedBy)
	text("Acceptance justification", &r.AcceptJustification)
	if row.Has("Category") {
		r.Category = matchFold(row.Get("Category"), models.RiskCategories)
	}
	if row.Has("Status") {
		r.Status = strings.ToLower(row.Get("Status"))
	}
	if row.Has("Response") {
		r.Response = strings.ToLower(row.Get("Response"))
	}
	level("Inherent likelihood", &r.InherentLikelihood)
	level("Inherent impact", &r.InherentImpact)
	level("Residual likelihood", &r.ResidualLikelihood)
	level("Residual impact", &r.ResidualImpact)
	date("Next review", &r.NextReview)
	date("Raised on", &r.RaisedOn)
	date("Closed on", &r.ClosedOn)
	date("Acceptance expiry", &r.AcceptExpiry)
	if row.Has("Engagement") {
		if code := row.Get("Engagement"); code == "" {
			r.EngagementID, r.Engagement = nil, nil
		} else if e, ok := ri.engs[code]; ok {
			r.EngagementID, r.Engagement = &e.ID, &e
		} else {
			bad("Engagement", "No engagement has this code.")
		}
	}
	if row.Has("Owner email") {
		if email := strings.ToLower(row.Get("Owner email")); email == "" {
			r.OwnerID = nil
		} else if id, ok := ri.users[email]; ok {
			r.OwnerID = &id
		} else {
			bad("Owner email", "No active user has this email.")
		}
	}
	if errs["Engagement"] == "" && !ri.rights.CanEdit(r) {
		if r.EngagementID == nil {
			bad("Engagement", "Only administrators raise or change portfolio-wide risks.")
		} else {
			bad("Engagement", "You can change only the risks of engagements you manage.")
		}
	}
	check := r
	if !update && check.RaisedOn.IsZero() {
		check.RaisedOn = models.DateOf(ri.act.At) // filled in when written
	}
	check.Normalise()
	for col, msg := range check.Problems() {
		if name, ok := riskCSVNames[col]; ok {
			bad(name, msg)
		} else {
			bad("", msg)
		}
	}
	if ref != "" && !update {
		if _, taken := ri.existing[ref]; taken {
			bad("Ref", "Another risk has this reference.")
		}
	}
	r.Normalise()
	ch.Item = &r
	if update {
		changes := models.Diff(models.RiskEntity, r.ID, nil, ri.act.At, stored, r, riskDiffFields...)
		if len(changes) == 0 {
			ch.Outcome, ch.Summary = outcomeUnchanged, "No change."
		} else {
			var cols []string
			for _, c := range changes {
				cols = append(cols, strings.ReplaceAll(c.Field, "_", " "))
			}
			ch.Summary = "Changes " + strings.Join(cols, ", ") + "."
		}
	} else {
		ch.Summary = "New risk: " + r.Title
	}
	return ch
}

// riskDiffFields are the fields a dry run compares to say what a row changes.
var riskDiffFields = []string{"EngagementID", "Title", "Description", "Category", "InherentLikelihood", "InherentImpact",
	"ResidualLikelihood", "ResidualImpact", "Response", "Mitigation", "OwnerID", "Status", "NextReview", "RaisedOn",
	"ClosedOn", "ClosedReason", "AcceptedBy", "AcceptJustification", "AcceptExpiry"}

// matchFold returns the allowed value equal to v ignoring case, or v.
func matchFold(v string, allowed []string) string {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a
		}
	}
	return v
}

// Apply writes the rows through models.ImportRisks, in the caller's transaction.
func (ri *riskImporter) Apply(ctx context.Context, tx *gorm.DB, rows []csvCheck[*models.Risk]) error {
	risks := make([]*models.Risk, len(rows))
	for i, ch := range rows {
		risks[i] = ch.Item
		risks[i].Engagement, risks[i].Owner = nil, nil
	}
	err := models.ImportRisks(ctx, tx, ri.act, risks)
	if errors.Is(err, models.ErrStale) || errors.Is(err, models.ErrRefTaken) {
		return fmt.Errorf("%w (%v)", errImportConflict, err)
	}
	return err
}
