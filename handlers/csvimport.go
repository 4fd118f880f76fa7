package handlers

// Generic CSV import: upload → dry run (every row checked, nothing written) →
// apply (the file is checked again and written whole, in one transaction, or not
// at all). A resource is imported by implementing csvImporter; runImport does
// the rest. The uploaded file travels from the dry run to the apply step in the
// page itself, so nothing is kept on the server between the two requests (any
// instance can answer either) and the apply step re-checks against the database
// as it is then.
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
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

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
type csvColumn struct {
	Name     string
	Aliases  []string
	Required bool
	ReadOnly bool
	Help     string
}

// csvRow is one data row: its line in the file and its cells by column Name,
// trimmed, with formula neutralisation undone.
type csvRow struct {
	Line  int
	cells map[string]string
}

// Get is the cell of a column ("" when the file lacks the column).
func (r csvRow) Get(name string) string { return r.cells[name] }

// Has reports whether the file has the column: a blank cell in a present column
// clears a field, an absent column leaves it as it is.
func (r csvRow) Has(name string) bool {
	_, ok := r.cells[name]
	return ok
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
	Outcome string            // outcomeCreate, outcomeUpdate or outcomeUnchanged (errors decide outcomeError)
	Key     string            // what identifies the record to people
	Summary string            // what applying it does, in words
	Errors  map[string]string // by column Name; "" for the row as a whole
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
	Apply(ctx context.Context, tx *gorm.DB, rows []csvCheck[T]) error
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
func runImport[T any](c echo.Context, db *gorm.DB, imp csvImporter[T], page importPage) error {
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
		rows, fileErr := parseCSV(content, imp.Columns())
		preview.FileError = fileErr
		if fileErr == "" {
			var err error
			if preview, checks, err = dryRun(c.Request().Context(), imp, rows); err != nil {
				return err
			}
			preview.Filename = filename
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
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return imp.Apply(ctx, tx, write) })
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

// readCSVUpload reads the uploaded file (field "file") or, on the apply step,
// the file the dry run carried (field "content"). It returns a message for
// the user when there is no usable file.
func readCSVUpload(c echo.Context) (content, filename, problem string) {
	if s := c.FormValue("content"); s != "" {
		content, filename = s, c.FormValue("filename")
	} else {
		fh, err := c.FormFile("file")
		if err != nil {
			return "", "", "Choose a CSV file to upload."
		}
		filename = fh.Filename
		if fh.Size > maxImportBytes {
			return "", filename, fmt.Sprintf("The file is larger than %d MB: split it into smaller files.", maxImportBytes>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return "", filename, "The file could not be read. Upload it again."
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
		if err != nil {
			return "", filename, "The file could not be read. Upload it again."
		}
		content = string(b)
	}
	if len(content) > maxImportBytes {
		return "", filename, fmt.Sprintf("The file is larger than %d MB: split it into smaller files.", maxImportBytes>>20)
	}
	content = strings.TrimPrefix(content, "\uFEFF") // Excel's UTF-8 byte order mark
	if !utf8.ValidString(content) {
		return "", filename, "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
	}
	if strings.TrimSpace(content) == "" {
		return "", filename, "The file is empty."
	}
	return content, filename, ""
}

// headerKey normalises a header for matching.
func headerKey(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// parseCSV reads the file's header and rows. A problem with the file as a
// whole (not CSV, a required column missing, an unknown or repeated column,
// no data rows, too many rows) is returned as fileErr; a row with the wrong
// number of cells is kept with no cells and reported by dryRun.
func parseCSV(content string, cols []csvColumn) (rows []csvRow, fileErr string) {
	r := csv.NewReader(strings.NewReader(content))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, "The first line is not a CSV header: " + csvErr(err)
	}
	byKey := map[string]string{}
	for _, col := range cols {
		byKey[headerKey(col.Name)] = col.Name
		for _, a := range col.Aliases {
			byKey[headerKey(a)] = col.Name
		}
	}
	names := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name, ok := byKey[headerKey(h)]
		switch {
		case headerKey(h) == "":
			return nil, fmt.Sprintf("Column %d of the header has no name.", i+1)
		case !ok:
			return nil, fmt.Sprintf("Unknown column “%s”. The columns are listed below.", strings.TrimSpace(h))
		case seen[name]:
			return nil, fmt.Sprintf("The column “%s” appears twice.", name)
		}
		seen[name], names[i] = true, name
	}
	var missing []string
	for _, col := range cols {
		if col.Required && !seen[col.Name] {
			missing = append(missing, col.Name)
		}
	}
	if len(missing) > 0 {
		return nil, "Required columns are missing: " + strings.Join(missing, ", ") + "."
	}
	for {
		line, _ := r.FieldPos(0)
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "The file is not valid CSV: " + csvErr(err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rows) == maxImportRows {
			return nil, fmt.Sprintf("The file has more than %d rows: split it into smaller files.", maxImportRows)
		}
		row := csvRow{Line: line}
		if len(rec) == len(names) {
			row.cells = make(map[string]string, len(names))
			for i, v := range rec {
				row.cells[names[i]] = unneutralise(strings.TrimSpace(v))
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, "The file has a header but no rows."
	}
	return rows, ""
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %v.", pe.Line, pe.Err)
	}
	return err.Error() + "."
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
		ch.Line = r.Line
		if len(ch.Errors) > 0 {
			ch.Outcome = outcomeError
		}
		checks = append(checks, ch)
		ir := components.ImportRow{Line: r.Line, Outcome: ch.Outcome, Key: ch.Key, Summary: ch.Summary}
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
