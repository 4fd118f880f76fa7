package handlers

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/web"
)

// exportSpec is a table to export: the header, and a function that yields
// every row in order, streaming from the database (never all rows in memory).
// Types says what each column holds, for the XLSX (a column past its end, or
// tAuto, is a number when its text is a plain number, text otherwise); the CSV
// writes the same text whatever the type.
type exportSpec struct {
	Filename string // without extension
	Header   []string
	Types    []cellType
	Rows     func(yield func([]string) error) error
}

// cellKind is what a column of an export holds.
type cellKind uint8

const (
	kindAuto    cellKind = iota // a plain number as a number, anything else as text
	kindText                    // text, even when it looks like a number
	kindLong                    // text that runs long (descriptions): a wide column
	kindInt                     // a whole number ("3")
	kindCount                   // a whole number that may run to thousands ("1,250")
	kindDecimal                 // a decimal ("99.5", a rate)
	kindMoney                   // an amount ("-1234.50") in a currency
	kindDate                    // YYYY-MM-DD
	kindMonth                   // YYYY-MM
)

// cellType is a column's kind; an amount's currency is either fixed (code)
// or that of each row, named in column cur.
type cellType struct {
	kind cellKind
	cur  int
	code string
}

var (
	tAuto    = cellType{}
	tText    = cellType{kind: kindText}
	tLong    = cellType{kind: kindLong}
	tInt     = cellType{kind: kindInt}
	tCount   = cellType{kind: kindCount}
	tDecimal = cellType{kind: kindDecimal}
	tDate    = cellType{kind: kindDate}
	tMonth   = cellType{kind: kindMonth}
)

// tMoneyIn is an amount in the currency named by the row's column cur.
func tMoneyIn(cur int) cellType { return cellType{kind: kindMoney, cur: cur} }

// tMoneyOf is an amount always in currency code (the reporting currency).
func tMoneyOf(code string) cellType { return cellType{kind: kindMoney, cur: -1, code: code} }

// typeOf is the type of column i of spec.
func (spec exportSpec) typeOf(i int) cellType {
	if i < len(spec.Types) {
		return spec.Types[i]
	}
	return tAuto
}

// csvBOM starts every CSV export: without it Excel on Windows reads UTF-8
// as its ANSI code page ("BogotÃ¡"). The imports skip it.
const csvBOM = "\uFEFF"

// writeExport streams spec as CSV or XLSX, chosen by format ("csv" or "xlsx").
// It streams for seconds on a large register, so it takes a stream slot for
// its read slot first (web.StreamAdmission): pages are not held behind it.
//
// A stream that fails once its 200 has gone out (the database, or the user's
// connection) aborts the connection: ending the response as usual would hand
// the user a cut file that looks whole.
func (a *App) writeExport(c echo.Context, format string, spec exportSpec) error {
	if err := web.StreamAdmission(c); err != nil {
		return err
	}
	var err error
	switch format {
	case "csv":
		err = writeCSV(c, spec)
	case "xlsx":
		err = writeXLSX(c, spec, a.Server.Now())
	default:
		return web.BadRequest("Export as csv or xlsx.")
	}
	if err != nil && c.Response().Committed {
		a.Log().Error("export cut short: connection aborted", "path", c.Request().URL.Path, "err", err, "request_id", web.RequestID(c))
		panic(http.ErrAbortHandler)
	}
	return err
}

func writeCSV(c echo.Context, spec exportSpec) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, spec.Filename))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.WriteString(c.Response(), csvBOM); err != nil {
		return err
	}
	w := csv.NewWriter(c.Response())
	if err := w.Write(spec.Header); err != nil {
		return err
	}
	n := 0
	err := spec.Rows(func(row []string) error {
		for i := range row {
			row[i] = neutralise(row[i])
		}
		if err := w.Write(row); err != nil {
			return err
		}
		if n++; n%1000 == 0 {
			w.Flush()
			c.Response().Flush()
		}
		return w.Error()
	})
	w.Flush()
	if err != nil {
		return err
	}
	return w.Error()
}

// plainNumber reports a decimal number as people write it (no exponent, hex
// or spaces) short enough to be a number rather than a code: a column of
// unknown type (tAuto) holds it as a number.
func plainNumber(s string) bool {
	return len(s) <= 15 && plainDecimal(s)
}

// plainDecimal reports digits with at most one point and a leading minus,
// of any length (an amount converted exactly: "-1234.5678901234"): never a
// formula, and a number where a column holds numbers.
func plainDecimal(s string) bool {
	if s == "" || strings.Count(s, ".") > 1 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || (r == '-' && i == 0)) {
			return false
		}
	}
	return true
}

// formulaStart are the characters that make a spreadsheet read a cell as a
// formula; cellBreaks those at which one may split a cell into cells (the
// list separator of its locale: a semicolon, a tab, a comma, a pipe).
const (
	formulaStart = "=+-@\t\r"
	cellBreaks   = ";,\t|"
)

// neutralise stops a spreadsheet from running any part of a cell as a
// formula: an apostrophe goes before a formula character at the start of the
// text and after any character a spreadsheet might split the cell at
// ("Budget;=1+1" is two cells to Excel in a semicolon locale). Plain numbers,
// negative ones included, are left alone.
func neutralise(s string) string {
	if s == "" || plainDecimal(s) {
		return s
	}
	var b strings.Builder
	split := true // the start of the text counts as a split
	for _, r := range s {
		if split && strings.ContainsRune(formulaStart, r) {
			b.WriteByte('\'')
		}
		b.WriteRune(r)
		split = strings.ContainsRune(cellBreaks, r)
	}
	return b.String()
}

// neutraliseStart is neutralise at the start of the text only: an XLSX
// cell is never split (and its inline text is never a formula; the
// apostrophe guards a copy saved as CSV).
func neutraliseStart(s string) string {
	if s == "" || plainDecimal(s) || !strings.ContainsRune(formulaStart, rune(s[0])) {
		return s
	}
	return "'" + s
}

// unneutralise undoes neutralise on import, so an export round-trips.
func unneutralise(s string) string {
	if !strings.Contains(s, "'") {
		return s
	}
	var b strings.Builder
	split := true
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if split && rs[i] == '\'' && i+1 < len(rs) && strings.ContainsRune(formulaStart, rs[i+1]) {
			continue // the apostrophe neutralise put there
		}
		b.WriteRune(rs[i])
		split = strings.ContainsRune(cellBreaks, rs[i])
	}
	return b.String()
}
