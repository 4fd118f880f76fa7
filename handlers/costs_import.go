package handlers

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/web"
)

// importCosts serves the cost-record import (the export's own format) through
// the generic CSV import: route costs.import shows the upload form,
// costs.import.preview dry-runs a file, costs.import.apply writes it whole or
// not at all. A row names an engagement by code and a month; a month already
// recorded is updated (only the cells the row fills: blank leaves an amount as
// it is, "(clear)" sets an optional one to zero), never duplicated.
// Managers import only for the engagements they manage.
func (a *App) importCosts(c echo.Context) error {
	u := web.CurrentUser(c)
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	imp := &costImporter{db: a.db, userID: u.ID, admin: u.Role == models.RoleAdmin, today: a.today(),
		write: models.Actor{Settings: s, Today: a.today(), UserID: userID(c)}}
	return runImport(c, a.db, imp, importPage{
		Title: "Import cost records",
		Intro: "Upload a CSV in the cost-record export's format: one row per engagement (by code) and month, amounts as decimals in the engagement's currency (1234.56, or 1234,56 in a file separated by semicolons). " +
			"A month already recorded is updated; other rows record new months. Nothing is written until you apply the dry run, and then the whole file or nothing.",
		Action: "/costs/import", Apply: "/costs/import/apply", Back: "/savings", BackLabel: "Savings",
	})
}

// costImporter imports cost records for one request.
type costImporter struct {
	db     *models.DB
	userID uint
	admin  bool
	today  models.Date
	write  models.Actor

	engs     map[string]models.Engagement // by code
	managed  map[uint]bool                // engagements the (manager) user may edit
	existing map[string]models.CostRecord // by "engagementID month"
	seen     map[string]int               // "code month" → first line
	unrated  map[string]bool              // the file's currencies with no exchange rate at all
}

func costKey(engagementID uint, month models.Date) string {
	return fmt.Sprintf("%d %s", engagementID, month.MonthStart())
}

// costRequired are the columns a file must have and a new month must fill.
var costRequired = map[string]bool{"Engagement": true, "Month": true, "Baseline": true, "Planned savings": true}

// Columns are the export's, with the import's meaning of each.
func (ci *costImporter) Columns() []csvColumn {
	help := map[string]string{
		"Engagement":      "The engagement's code.",
		"Month":           "YYYY-MM (or a date in the month); not later than this month.",
		"Currency":        "Optional; when given it must be the engagement's currency.",
		"Baseline":        "A decimal (1234.56 or 1234,56), not negative, at most two decimal places.",
		"Vendor fees":     "Not negative; blank on a new month is 0; (clear) sets a recorded month's to 0.",
		"Retained":        "Retained organisation cost; not negative; blank on a new month is 0; (clear) sets it to 0.",
		"One-off":         "One-off transition cost; not negative; blank on a new month is 0; (clear) sets it to 0.",
		"Credits":         "Service credits received; not negative; blank on a new month is 0; (clear) sets it to 0.",
		"Planned savings": "May be negative.",
		"Savings type":    "hard or avoidance; blank on a new month is hard.",
		"Version":         "As exported: the row is refused if the month changed since.",
	}
	readOnly := map[string]bool{"Engagement name": true, "Recurring cost": true, "Gross savings": true, "Net realised": true}
	for _, name := range costReportingColumns {
		readOnly[name] = true
	}
	// Nothing to empty: a month is always in a currency and of a savings type.
	noClear := map[string]bool{"Currency": true, "Savings type": true, "Version": true}
	out := make([]csvColumn, 0, len(costColumns))
	for _, name := range costColumns {
		col := csvColumn{Name: name, Help: help[name], ReadOnly: readOnly[name], Required: costRequired[name], NoClear: noClear[name]}
		switch name {
		case "Engagement":
			col.Aliases = []string{"Code", "Engagement code"}
		case "One-off":
			col.Aliases = []string{"One-off transition cost", "One off"}
		case "Credits":
			col.Aliases = []string{"Service credits"}
		case "Retained":
			col.Aliases = []string{"Retained organisation"}
		}
		out = append(out, col)
	}
	return out
}

// readMonth parses a row's month cell, or reports why it cannot.
func (ci *costImporter) readMonth(v string) (models.Date, string) {
	ch := web.Checker{}
	d := parseMonth(ch, "m", v, ci.today)
	return d, ch["m"]
}

// Prepare loads the engagements the file names, which of them the user manages,
// and the months already recorded, in a few queries.
func (ci *costImporter) Prepare(ctx context.Context, rows []csvRow) error {
	ci.engs, ci.managed, ci.existing, ci.seen = map[string]models.Engagement{}, map[uint]bool{}, map[string]models.CostRecord{}, map[string]int{}
	codes, months := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		codes[r.Get("Engagement")] = true
		if d, msg := ci.readMonth(r.Get("Month")); msg == "" {
			months[d.String()] = true
		}
	}
	es, err := models.EngagementsByCode(ctx, ci.db, keys(codes))
	if err != nil {
		return err
	}
	var ids []uint
	var currencies []string
	for _, e := range es {
		ci.engs[e.Code] = e
		ids = append(ids, e.ID)
		currencies = append(currencies, e.Currency)
	}
	if len(ids) == 0 {
		return nil
	}
	if ci.unrated, err = models.CurrenciesWithoutRates(ctx, ci.db, ci.write.Settings.Finance.ReportingCurrency, currencies); err != nil {
		return err
	}
	if !ci.admin {
		mine, err := models.ManagedAmong(ctx, ci.db, ci.userID, ids)
		if err != nil {
			return err
		}
		for _, id := range mine {
			ci.managed[id] = true
		}
	}
	var ms []models.Date
	for m := range months {
		d, _ := models.ParseDate(m)
		ms = append(ms, d)
	}
	recs, err := models.CostRecordsIn(ctx, ci.db, ids, ms)
	for _, r := range recs {
		ci.existing[costKey(r.EngagementID, r.Month)] = r
	}
	return err
}

// Check builds the month a row describes: the stored record with the cells the
// row fills over it, or a new one, and says what applying it changes.
func (ci *costImporter) Check(ctx context.Context, row csvRow) csvCheck[models.CostImportRow] {
	errs := web.Checker{}
	code := row.Get("Engagement")
	ch := csvCheck[models.CostImportRow]{Key: code + " " + row.Get("Month"), Errors: errs}
	e, ok := ci.engs[code]
	switch {
	case code == "":
		errs.Add("Engagement", "Required.")
	case !ok:
		errs.Add("Engagement", "No engagement has this code.")
	case !ci.admin && !ci.managed[e.ID]:
		errs.Add("Engagement", "You can import costs only for the engagements you manage.")
	}
	month, msg := ci.readMonth(row.Get("Month"))
	if msg != "" {
		errs.Add("Month", msg)
	} else {
		ch.Key = code + " " + month.Format("2006-01")
		if first, dup := ci.seen[ch.Key]; dup {
			errs.Add("Month", fmt.Sprintf("Also on line %d: a file names each engagement's month once.", first))
		} else {
			ci.seen[ch.Key] = row.Line
		}
	}
	if cur := row.Get("Currency"); ok && cur != "" && !strings.EqualFold(cur, e.Currency) {
		errs.Add("Currency", "The engagement's costs are in "+e.Currency+"; convert the amounts to it.")
	}
	if ok && ci.unrated[e.Currency] {
		errs.Add("Engagement", models.NoRateMessage(e.Currency, ci.write.Settings.Finance.ReportingCurrency))
	}
	old, update := ci.existing[costKey(e.ID, month)]
	rec := old
	if !update {
		rec = models.CostRecord{EngagementID: e.ID, Month: month, Currency: e.Currency, SavingsType: models.SavingsHard}
	}
	// A blank cell leaves the amount as it is (0 on a new month); "(clear)"
	// sets it to 0, which the required amounts refuse before this (parseCSV).
	amount := func(col string, dst *int64, allowNegative bool) {
		v, set := row.Value(col)
		switch {
		case !set:
			if !update && costRequired[col] {
				errs.Add(col, "Required.")
			}
		case v == "":
			*dst = 0
		default:
			n, err := models.ParseImportAmount(v, row.DecimalMark())
			switch {
			case err != nil:
				errs.Add(col, web.Sentence(err.Error()))
			case n < 0 && !allowNegative:
				errs.Add(col, "Must not be negative.")
			default:
				*dst = n
			}
		}
	}
	amount("Baseline", &rec.Baseline, false)
	amount("Vendor fees", &rec.VendorFees, false)
	amount("Retained", &rec.Retained, false)
	amount("One-off", &rec.OneOff, false)
	amount("Credits", &rec.Credits, false)
	amount("Planned savings", &rec.PlannedSavings, true)
	if v, set := row.Value("Savings type"); set {
		rec.SavingsType = errs.OneOf("Savings type", strings.ToLower(v), models.SavingsTypes)
	}
	if update {
		if v := row.Get("Version"); v != "" && v != strconv.Itoa(old.Version) {
			errs.Add("Version", fmt.Sprintf("The month changed since this file was exported (version %s, now %d): export again and redo this row.", v, old.Version))
		}
	}
	ch.Item = models.CostImportRow{New: rec, Old: old}
	net := func(r models.CostRecord) string {
		return models.Money{Minor: r.Sums().Net(), Currency: r.Currency}.String()
	}
	fields := costFields(e)
	switch {
	case !update:
		ch.Outcome, ch.Summary, ch.Changes = outcomeCreate, "New month: net realised "+net(rec)+".", fieldValues(rec, fields)
	default:
		ch.Outcome, ch.Changes = outcomeUpdate, fieldChanges(old, rec, fields)
		switch {
		case len(ch.Changes) == 0:
			ch.Outcome, ch.Summary = outcomeUnchanged, "No change."
		case net(old) != net(rec):
			// What the amounts come to, as the savings pages will show it.
			ch.Changes = append(ch.Changes, components.ImportChange{Field: "Net realised", Old: net(old), New: net(rec)})
		}
	}
	return ch
}

// costFields are a month's fields as the dry run shows them: the engagement by
// name, the month as the records table names it, amounts in the record's
// currency with separators. A new month lists them all; an update, the amounts
// and type that change.
func costFields(e models.Engagement) []importField[models.CostRecord] {
	money := func(name, label string) importField[models.CostRecord] {
		return importField[models.CostRecord]{Name: name, Label: label, Show: func(r models.CostRecord) string {
			return models.Money{Minor: reflect.ValueOf(r).FieldByName(name).Int(), Currency: r.Currency}.String()
		}}
	}
	return []importField[models.CostRecord]{
		{Name: "EngagementID", Label: "Engagement", Show: func(models.CostRecord) string { return engagementLabel(e) }},
		{Name: "Month", Label: "Month", Show: func(r models.CostRecord) string { return r.Month.Format("January 2006") }},
		money("Baseline", "Baseline"),
		money("VendorFees", "Vendor fees"),
		money("Retained", "Retained"),
		money("OneOff", "One-off"),
		money("Credits", "Credits"),
		money("PlannedSavings", "Planned savings"),
		{Name: "SavingsType", Label: "Savings type", Show: func(r models.CostRecord) string { return models.SavingsTypeLabel(r.SavingsType) }},
	}
}

// Apply writes the months through models.ImportCosts, in the caller's transaction.
func (ci *costImporter) Apply(ctx context.Context, tx *models.DB, rows []csvCheck[models.CostImportRow]) error {
	items := make([]models.CostImportRow, len(rows))
	for i, r := range rows {
		items[i] = r.Item
	}
	err := models.ImportCosts(ctx, tx, ci.write, items)
	if models.IsConflict(err) || models.IsDuplicate(err) {
		return fmt.Errorf("%w (a month was recorded or changed meanwhile)", errImportConflict)
	}
	return err
}
