package handlers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// importRisks serves the register's CSV import (the export's own format):
// route risks.import shows the upload form, risks.import.preview dry-runs a
// file, risks.import.apply writes it. A row with a known Ref updates that risk
// (only the cells it fills: blank leaves a field as it is, "(clear)" empties
// it; a Version that is not the stored one refuses the row, so an edit made
// since the export is never overwritten); any other row raises a new risk.
// Owners are named by email, engagements by code.
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
	db     *models.DB
	act    models.Actor
	rights models.Rights

	existing   map[string]models.Risk       // by ref, the risks the file names
	engs       map[string]models.Engagement // by code
	users      map[string]uint              // enabled users by lower-case email
	engNames   map[uint]string              // engagements the rows name or hold, as the dry run shows them
	ownerNames map[uint]string              // users the rows name or hold, by id
	seen       map[string]int               // ref → the line that used it first
}

// Columns are the export's, with the import's meaning of each.
func (ri *riskImporter) Columns() []csvColumn {
	help := map[string]string{
		"Ref":                      "Blank: a new risk with the engagement's next reference. A known reference updates that risk.",
		"Title":                    "Required.",
		"Engagement":               "The engagement's code. A new risk without one, or (clear) on a risk, is portfolio-wide (administrators only).",
		"Category":                 "One of the register's categories.",
		"Inherent likelihood":      "1 to 5.",
		"Inherent impact":          "1 to 5.",
		"Residual likelihood":      "1 to 5.",
		"Residual impact":          "1 to 5.",
		"Status":                   "open, mitigating, accepted or closed; blank on a new risk: open.",
		"Owner email":              "The owner's email; (clear) for no owner.",
		"Next review":              "YYYY-MM-DD; blank on a new risk: the band's cadence from the raised date.",
		"Response":                 "avoid, reduce, transfer or accept; blank on a new risk: reduce.",
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
	// A risk always has these: emptying one is refused on its cell.
	noClear := map[string]bool{"Ref": true, "Status": true, "Response": true, "Raised on": true, "Version": true}
	var out []csvColumn
	for _, name := range riskColumns {
		col := csvColumn{Name: name, Help: help[name], ReadOnly: readOnly[name], Required: required[name], NoClear: noClear[name]}
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
	ri.existing, ri.engs, ri.users, ri.seen = map[string]models.Risk{}, map[string]models.Engagement{}, map[string]uint{}, map[string]int{}
	ri.engNames, ri.ownerNames = map[uint]string{}, map[uint]string{}
	refs, codes := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		if v := r.Get("Ref"); v != "" {
			refs[v] = true
		}
		if v := r.Get("Engagement"); v != "" {
			codes[v] = true
		}
	}
	// The owner's name, for the dry run: a stored owner may be disabled, so not among the choices.
	rs, err := models.RisksByRef(ctx, ri.db, keys(refs))
	if err != nil {
		return err
	}
	for _, r := range rs {
		ri.existing[r.Ref] = r
		if r.Engagement != nil {
			ri.engNames[r.Engagement.ID] = engagementLabel(*r.Engagement)
		}
		if r.Owner != nil {
			ri.ownerNames[r.Owner.ID] = r.Owner.Name
		}
	}
	es, err := models.EngagementsByCode(ctx, ri.db, keys(codes))
	if err != nil {
		return err
	}
	for _, e := range es {
		ri.engs[e.Code] = e
		ri.engNames[e.ID] = engagementLabel(e)
	}
	us, err := models.RiskOwnerChoices(ctx, ri.db)
	if err != nil {
		return err
	}
	for _, u := range us {
		ri.users[strings.ToLower(u.Email)] = u.ID
		ri.ownerNames[u.ID] = u.Name
	}
	return nil
}

// engagementLabel names an engagement in a dry run: its name and the code the file uses.
func engagementLabel(e models.Engagement) string {
	return e.Name + " (" + e.Code + ")"
}

// keys lists a set's members.
func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
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

// Check builds the risk a row describes: the stored one with the cells the row
// fills over it, or a new one, and says what applying it changes.
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
	old, update := ri.existing[ref]
	if update {
		r = old
		ch.Outcome = outcomeUpdate
		if v := row.Get("Version"); v != "" && v != strconv.Itoa(old.Version) {
			bad("Version", fmt.Sprintf("The risk changed since this file was exported (version %s, now %d): export it again and redo this row's edits.", v, old.Version))
		}
		if !ri.rights.May(old.EngagementID) {
			bad("Ref", "You may not change this risk: it belongs to an engagement you do not manage.")
		}
	} else {
		r = models.Risk{Ref: ref, Status: models.StatusOpen, Response: "reduce"}
		ch.Outcome = outcomeCreate
		if ref == "" {
			ch.Key = "(new)"
		}
	}
	// Each reader leaves its field as it is unless the row sets it (row.Value).
	text := func(col string, dst *string) {
		if v, set := row.Value(col); set {
			*dst = v
		}
	}
	level := func(col string, dst *int) {
		v, set := row.Value(col)
		if !set {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || !models.ValidLevel(n) {
			bad(col, "Enter a level from 1 to 5.")
			return
		}
		*dst = n
	}
	date := func(col string, dst *models.Date) {
		v, set := row.Value(col)
		if !set {
			return
		}
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
	if v, set := row.Value("Category"); set {
		r.Category = matchFold(v, models.RiskCategories)
	}
	if v, set := row.Value("Status"); set {
		r.Status = strings.ToLower(v)
	}
	if v, set := row.Value("Response"); set {
		r.Response = strings.ToLower(v)
	}
	level("Inherent likelihood", &r.InherentLikelihood)
	level("Inherent impact", &r.InherentImpact)
	level("Residual likelihood", &r.ResidualLikelihood)
	level("Residual impact", &r.ResidualImpact)
	date("Next review", &r.NextReview)
	date("Raised on", &r.RaisedOn)
	date("Closed on", &r.ClosedOn)
	date("Acceptance expiry", &r.AcceptExpiry)
	if code, set := row.Value("Engagement"); set {
		if code == "" {
			r.EngagementID, r.Engagement = nil, nil
		} else if e, ok := ri.engs[code]; ok {
			r.EngagementID, r.Engagement = &e.ID, &e
		} else {
			bad("Engagement", "No engagement has this code.")
		}
	}
	if email, set := row.Value("Owner email"); set {
		if email == "" {
			r.OwnerID = nil
		} else if id, ok := ri.users[strings.ToLower(email)]; ok {
			r.OwnerID = &id
		} else {
			bad("Owner email", "No active user has this email.")
		}
	}
	if errs["Engagement"] == "" && !ri.rights.May(r.EngagementID) {
		if r.EngagementID == nil {
			bad("Engagement", "Only administrators raise or change portfolio-wide risks.")
		} else {
			bad("Engagement", "You can change only the risks of engagements you manage.")
		}
	}
	r.Normalise()
	if !update {
		// What models.ImportRisks fills in, here so that the dry run shows it.
		if r.RaisedOn.IsZero() {
			r.RaisedOn = models.DateOf(ri.act.At)
		}
		if r.NextReview.IsZero() && r.Status != models.StatusClosed {
			r.NextReview = ri.act.Settings.Risk.NextReview(r.RaisedOn, r.ResidualScore)
		}
	}
	for col, msg := range r.Problems() {
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
	ch.Item = &r
	fields := ri.fields()
	switch {
	case !update:
		ch.Summary, ch.Changes = "New risk.", fieldValues(r, fields)
	default:
		ch.Changes = fieldChanges(old, r, fields)
		if len(ch.Changes) == 0 {
			ch.Outcome, ch.Summary = outcomeUnchanged, "No change."
		}
	}
	return ch
}

// fields are the risk's fields a row can change, as the dry run shows them:
// engagements and owners by name, levels with the scores they make, statuses
// and responses as words, dates as the register shows them.
func (ri *riskImporter) fields() []importField[models.Risk] {
	text := func(name, label string) importField[models.Risk] {
		return importField[models.Risk]{Name: name, Label: label, Show: func(r models.Risk) string {
			return fmt.Sprint(reflect.ValueOf(r).FieldByName(name).Interface())
		}}
	}
	date := func(name, label string) importField[models.Risk] {
		return importField[models.Risk]{Name: name, Label: label, Show: func(r models.Risk) string {
			return reflect.ValueOf(r).FieldByName(name).Interface().(models.Date).Human()
		}}
	}
	word := func(name, label string) importField[models.Risk] {
		return importField[models.Risk]{Name: name, Label: label, Show: func(r models.Risk) string {
			return capitalised(reflect.ValueOf(r).FieldByName(name).String())
		}}
	}
	return []importField[models.Risk]{
		text("Ref", "Ref"),
		{Name: "EngagementID", Label: "Engagement", Show: func(r models.Risk) string {
			if r.EngagementID == nil {
				return "Portfolio-wide"
			}
			return ri.engNames[*r.EngagementID]
		}},
		text("Title", "Title"),
		text("Category", "Category"),
		text("InherentLikelihood", "Inherent likelihood"),
		text("InherentImpact", "Inherent impact"),
		text("InherentScore", "Inherent score"),
		text("ResidualLikelihood", "Residual likelihood"),
		text("ResidualImpact", "Residual impact"),
		text("ResidualScore", "Residual score"),
		word("Status", "Status"),
		{Name: "OwnerID", Label: "Owner", Show: func(r models.Risk) string {
			if r.OwnerID == nil {
				return ""
			}
			return ri.ownerNames[*r.OwnerID]
		}},
		date("NextReview", "Next review"),
		word("Response", "Response"),
		text("Description", "Description"),
		text("Mitigation", "Mitigation plan"),
		date("RaisedOn", "Raised on"),
		date("ClosedOn", "Closed on"),
		text("ClosedReason", "Closed reason"),
		text("AcceptedBy", "Accepted by"),
		text("AcceptJustification", "Acceptance justification"),
		date("AcceptExpiry", "Acceptance expiry"),
	}
}

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
func (ri *riskImporter) Apply(ctx context.Context, tx *models.DB, rows []csvCheck[*models.Risk]) error {
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
