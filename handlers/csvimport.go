package handlers

// Generic CSV import: upload → dry run (every row checked, nothing written) →
// apply (the file is checked again and written whole, in one transaction, or not
// at all). A resource is imported by implementing csvImporter; runImport does
// the rest. The uploaded file travels from the dry run to the apply step in the
// page itself, so nothing is kept on the server between the two requests (any
// instance can answer either) and the apply step re-checks against the database
// as it is then.
//
// A row that updates a record changes only the cells it fills: a blank cell
// leaves its field as it is, and "(clear)" empties it. People fill in a
// column for a few rows and leave the rest blank; reading blank as "empty"
// wiped every field they did not mean to touch. The dry run lists each change
// as field: old → new, in the words and formats the app shows.
//
// Using it for another resource (cost records, say):
//
//	type costImporter struct{ ... }                          // per request: lookups, the actor, keys seen
//	func (ci *costImporter) Columns() []csvColumn           { ... }  // as the export writes them
//	func (ci *costImporter) Prepare(ctx, rows []csvRow) error { ... } // batch-load what rows refer to
//	func (ci *costImporter) Check(ctx, row csvRow) csvCheck[costItem] { ... } // never writes
//	func (ci *costImporter) Apply(ctx, tx, items []csvCheck[costItem]) error { ... } // history in tx
//
//	func (a *App) importCosts(c echo.Context) error {   // GET form, POST dry run, POST apply
//		return runImport(c, a.db, &costImporter{...}, importPage{Title: ..., Action: "/costs/import", ...})
//	}

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// Limits of one import file.
const (
	maxImportBytes = 5 << 20
	maxImportRows  = 20000
	maxPreviewRows = 500 // valid rows listed in a dry run; errors are always listed
)

// csvColumn is one column an import reads. Name is the header the export
// writes; Aliases are other accepted spellings. Headers match ignoring case,
// spaces, dashes and underscores. ReadOnly columns (figures the export derives,
// such as a score or a band) are accepted and ignored, so an export imports as is.
// Required columns must be in the file and cannot be cleared; NoClear columns
// may be left out but cannot be cleared either (a status, a key, a version).
type csvColumn struct {
	Name     string
	Aliases  []string
	Required bool
	NoClear  bool
	ReadOnly bool
	Help     string
}

// clearMarker in a cell empties its field. A blank cell cannot mean that: in a
// row that updates a record it leaves the field as it is, so a file with
// only some cells filled in changes only those.
const clearMarker = "(clear)"

// isClear reports a cell asking to empty its field (any case, spaces ignored).
func isClear(v string) bool { return strings.EqualFold(strings.TrimSpace(v), clearMarker) }

// csvRow is one data row: its line in the file and its cells by column Name,
// trimmed, with formula neutralisation undone.
type csvRow struct {
	Line    int
	Comma   rune // the file's delimiter, which hints at its decimal mark
	cells   map[string]string
	refused map[string]string // "(clear)" in a column that cannot be cleared: the message, by column
}

// Get is the cell of a column as written ("" when blank or when the file lacks the column).
func (r csvRow) Get(name string) string { return r.cells[name] }

// Value is what the row asks of a field: set is false for a blank cell or an
// absent column (leave the field as it is; a new record keeps its default),
// and v is "" for "(clear)" (empty the field) or the value otherwise.
func (r csvRow) Value(name string) (v string, set bool) {
	c := r.cells[name]
	switch {
	case c == "":
		return "", false
	case isClear(c):
		return "", true
	}
	return c, true
}

// DecimalMark is the decimal mark the file's delimiter suggests: a semicolon
// is the list separator of locales whose decimal mark is a comma; a tab says
// nothing (0).
func (r csvRow) DecimalMark() rune {
	switch r.Comma {
	case ',':
		return '.'
	case ';':
		return ','
	}
	return 0
}

// Import outcomes of a row.
const (
	outcomeCreate    = "create"
	outcomeUpdate    = "update"
	outcomeUnchanged = "unchanged"
	outcomeError     = "error"
)

// csvCheck is the verdict on one row: what applying it would do, or what is wrong.
type csvCheck[T any] struct {
	Line    int
	Item    T
	Outcome string                    // outcomeCreate, outcomeUpdate or outcomeUnchanged (errors decide outcomeError)
	Key     string                    // what identifies the record to people
	Summary string                    // what applying it does, in words
	Changes []components.ImportChange // an update's fields old → new; a new record's values
	Errors  map[string]string         // by column Name; "" for the row as a whole
}

// csvImporter is what a resource implements to be imported from CSV. A value is
// made per request, so it may hold the request's lookups and state.
type csvImporter[T any] interface {
	// Columns are the columns the file may have, in the export's order.
	Columns() []csvColumn
	// Prepare loads, in a few queries, what the rows refer to (existing keys,
	// related records), before any Check.
	Prepare(ctx context.Context, rows []csvRow) error
	// Check parses and validates one row without writing. Rows are checked in
	// file order, so Check may refuse a key seen on an earlier line.
	Check(ctx context.Context, row csvRow) csvCheck[T]
	// Apply writes the rows to create and update (never called when a row has
	// errors) inside tx, with their history. An error rolls everything back.
	Apply(ctx context.Context, tx *models.DB, rows []csvCheck[T]) error
}

// importPage describes an import's page around the generic machinery.
type importPage struct {
	Title, Intro    string
	Action          string // GET: the form; POST: dry run
	Apply           string // POST: apply
	Back, BackLabel string // the list the import feeds
}

// errImportConflict marks an Apply refused because the database changed
// between the dry run and the write (a stale version, a key taken meanwhile).
var errImportConflict = errors.New("the records changed while the file was being applied")

// runImport serves an import: GET shows the upload form; POST to page.Action
// uploads and dry-runs the file (200 with the preview, or 422 with the rows'
// errors); POST to page.Apply checks the carried file again and writes it whole
// (303 back to the list with a flash), or writes nothing: 422 when a row is
// invalid now, 409 when the records changed meanwhile.
func runImport[T any](c echo.Context, db *models.DB, imp csvImporter[T], page importPage) error {
	props := pages.ImportProps{Chrome: web.Chrome(c, page.Title, ""), Title: page.Title, Intro: page.Intro,
		Action: page.Action, Apply: page.Apply, Back: page.Back, BackLabel: page.BackLabel}
	for _, col := range imp.Columns() {
		help := col.Help
		if col.ReadOnly {
			help = "Exported for reading; ignored on import."
		}
		props.Columns = append(props.Columns, pages.ImportColumn{Name: col.Name, Required: col.Required, Help: help})
	}
	if c.Request().Method == http.MethodGet {
		return web.Render(c, http.StatusOK, pages.ImportPage(props), nil)
	}
	apply := c.Request().URL.Path == page.Apply
	content, filename, readErr := readCSVUpload(c)
	preview := components.ImportPreview{Filename: filename, FileError: readErr}
	var checks []csvCheck[T]
	if readErr == "" {
		rows, comma, fileErr := parseCSV(content, imp.Columns())
		preview.FileError = fileErr
		if fileErr == "" {
			var err error
			if preview, checks, err = dryRun(c.Request().Context(), imp, rows); err != nil {
				return err
			}
			preview.Filename, preview.Delimiter = filename, delimiterName(comma)
		}
	}
	props.Preview, props.Content = &preview, content
	if preview.FileError != "" || preview.Errors > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, pages.ImportPage(props), nil)
	}
	if !apply || preview.Creates+preview.Updates == 0 {
		return web.Render(c, http.StatusOK, pages.ImportPage(props), nil)
	}
	var write []csvCheck[T]
	for _, ch := range checks {
		if ch.Outcome == outcomeCreate || ch.Outcome == outcomeUpdate {
			write = append(write, ch)
		}
	}
	ctx := c.Request().Context()
	err := models.InTransaction(ctx, db, func(tx *models.DB) error { return imp.Apply(ctx, tx, write) })
	if errors.Is(err, errImportConflict) {
		preview.FileError = "Nothing was written: " + err.Error() + ". Check the file again to see the records as they are now."
		return web.Render(c, http.StatusConflict, pages.ImportPage(props), nil)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Imported %s: %d created, %d updated, %d unchanged.", filename, preview.Creates, preview.Updates, preview.Unchanged))
	return web.Redirect(c, page.Back)
}

// dryRun checks every row and summarises the file; errors are listed first.
func dryRun[T any](ctx context.Context, imp csvImporter[T], rows []csvRow) (components.ImportPreview, []csvCheck[T], error) {
	var p components.ImportPreview
	var good []csvRow
	for _, r := range rows {
		if r.cells != nil {
			good = append(good, r)
		}
	}
	if err := imp.Prepare(ctx, good); err != nil {
		return p, nil, err
	}
	width := len(imp.Columns())
	checks := make([]csvCheck[T], 0, len(rows))
	var errRows, okRows []components.ImportRow
	for _, r := range rows {
		var ch csvCheck[T]
		if r.cells == nil {
			ch = csvCheck[T]{Errors: map[string]string{"": fmt.Sprintf("The row does not have one cell per column of the header (%d or fewer).", width)}}
		} else {
			ch = imp.Check(ctx, r)
		}
		for col, msg := range r.refused {
			if ch.Errors == nil {
				ch.Errors = map[string]string{}
			}
			ch.Errors[col] = msg
		}
		ch.Line = r.Line
		if len(ch.Errors) > 0 {
			ch.Outcome = outcomeError
		}
		checks = append(checks, ch)
		ir := components.ImportRow{Line: r.Line, Outcome: ch.Outcome, Key: ch.Key, Summary: ch.Summary, Changes: ch.Changes}
		switch ch.Outcome {
		case outcomeError:
			p.Errors++
			ir.Errors = rowErrors(ch.Errors, imp.Columns())
			errRows = append(errRows, ir)
			continue
		case outcomeCreate:
			p.Creates++
		case outcomeUpdate:
			p.Updates++
		default:
			p.Unchanged++
		}
		if len(okRows) < maxPreviewRows {
			okRows = append(okRows, ir)
		} else {
			p.Hidden++
		}
	}
	p.Rows = append(errRows, okRows...)
	return p, checks, nil
}

// rowErrors orders a row's errors by the file's columns: "Column: message".
func rowErrors(errs map[string]string, cols []csvColumn) []string {
	order := map[string]int{"": -1}
	for i, c := range cols {
		order[c.Name] = i
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return order[keys[i]] < order[keys[j]] })
	out := make([]string, len(keys))
	for i, k := range keys {
		if k == "" {
			out[i] = errs[k]
		} else {
			out[i] = k + ": " + errs[k]
		}
	}
	return out
}
