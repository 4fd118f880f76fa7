package handlers

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// An XLSX is a zip of a few XML parts, written here as the rows stream: each
// row goes through the sheet's XML into the zip and out to the response, so
// memory stays flat whatever the number of rows, and the first bytes leave at
// once. excelize's StreamWriter spills its rows to a temp file, but its only
// way out (File.Write/WriteTo) goes through WriteToBuffer, which builds the
// whole zip in memory before a byte is sent (and it has no autofilter).
// 100,000 register rows (BenchmarkXLSXWriters): 7 MB peak heap here, 60 MB with excelize's StreamWriter.
// Text is written as inline strings (no shared-string table, which would hold
// every string until the end); numbers, dates and amounts as numbers with a
// number format (the cell types of exportSpec.Types). The header is bold and
// frozen, with an autofilter over it; the columns are as wide as their first
// rows need (widthSample).
// The parts that depend on the rows (the workbook's filter name, the styles
// with a format per currency met) are written after the sheet.

const xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
	`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
	`</Types>`

const xlsxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`</Relationships>`

// xlsxWorkbook has one sheet; %s is the autofilter's range ($A$1:$C$10).
const xlsxWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
	`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>` +
	`<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Sheet1!%s</definedName></definedNames></workbook>`

const xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`</Relationships>`

// The cell formats of xlsxStyles, in order; an amount's format per currency
// follows them (xfMoney, xfMoney+1, … in the order the currencies are met).
const (
	xfPlain = iota
	xfHeader
	xfDate
	xfMonth
	xfInt
	xfCount
	xfDecimal
	xfMoney
)

// xlsxStyles writes the styles part: the formats above, then one per currency
// (curs, in xf order): "#,##0.00 "EUR"" shows thousands separators and the code.
func xlsxStyles(curs []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	fmt.Fprintf(&b, `<numFmts count="%d"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm"/>`, 2+len(curs))
	for i, c := range curs {
		fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="%s"/>`, 166+i, xmlAttr(moneyFormat(c)))
	}
	b.WriteString(`</numFmts>` +
		`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d">`, xfMoney+len(curs))
	b.WriteString(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>`)
	// date, month, whole number, count, decimal (General), then the amounts
	for _, id := range []int{164, 165, 1, 3, 0} {
		fmt.Fprintf(&b, `<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`, id)
	}
	for i := range curs {
		fmt.Fprintf(&b, `<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`, 166+i)
	}
	b.WriteString(`</cellXfs></styleSheet>`)
	return b.String()
}

// moneyFormat is the number format of amounts in currency code: two decimals,
// thousands separators, the code after the number ("1,234.50 EUR").
func moneyFormat(code string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, code)
	if clean == "" {
		return "#,##0.00"
	}
	return `#,##0.00 "` + clean + `"`
}

func xmlAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&quot;")
}

// xlsxSheetHead opens the sheet: the header row frozen; %s is its <cols>.
const xlsxSheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
	`%s<sheetData>`

// widthSample is how many rows the column widths are measured on: the
// widths come before the rows in the sheet, so the first rows are held (not
// every row: memory stays flat) and the columns fitted to them.
const widthSample = 200

// columnWidth is the width (in characters) of a column of type t headed
// header whose longest sampled value has longest characters: what the values
// shown need, never narrower than the header (with room for the filter's
// button), nor wider than maxColumnWidth unless the header is.
func columnWidth(header string, t cellType, longest int) float64 {
	const maxColumnWidth = 60
	need := float64(longest) + 2
	switch t.kind {
	case kindMoney: // thousands separators and the currency code
		need = float64(longest+longest/3) + 6
	case kindDate:
		need = 12
	case kindMonth:
		need = 10
	}
	w := min(max(need, 8), maxColumnWidth)
	return max(w, float64(utf8.RuneCountInString(header))+4)
}

// xlsxSheetTail closes the sheet with the autofilter over the header (%s: A1:C10).
const xlsxSheetTail = `</sheetData><autoFilter ref="%s"/></worksheet>`

// writeXLSX streams spec as a one-sheet workbook, its files dated now.
func writeXLSX(c echo.Context, spec exportSpec, now time.Time) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.xlsx"`, spec.Filename))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return streamXLSX(c.Response(), spec, now)
}

// streamXLSX writes spec as a workbook to w, flushing it every 1,000 rows
// when w is an http.Flusher.
func streamXLSX(w io.Writer, spec exportSpec, now time.Time) error {
	zw := zip.NewWriter(w)
	// Speed over size: the sheet XML compresses well even so.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
	}
	part := func(name, body string) error {
		w, err := create(name)
		if err == nil {
			_, err = io.WriteString(w, body)
		}
		return err
	}
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes}, {"_rels/.rels", xlsxRootRels}, {"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
	} {
		if err := part(p.name, p.body); err != nil {
			return err
		}
	}
	sheet, err := create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	sw := &sheetWriter{w: bufio.NewWriterSize(sheet, 64<<10), spec: spec, money: map[string]int{}}
	var sample [][]string
	started := false
	start := func() {
		started = true
		longest := make([]int, len(spec.Header))
		for _, row := range sample {
			for i, v := range row {
				if i < len(longest) {
					longest[i] = max(longest[i], utf8.RuneCountInString(v))
				}
			}
		}
		var cols strings.Builder
		if len(spec.Header) > 0 {
			cols.WriteString("<cols>")
			for i, name := range spec.Header {
				fmt.Fprintf(&cols, `<col min="%d" max="%d" width="%.1f" customWidth="1"/>`, i+1, i+1, columnWidth(name, spec.typeOf(i), longest[i]))
			}
			cols.WriteString("</cols>")
		}
		sw.WriteString(fmt.Sprintf(xlsxSheetHead, cols.String()))
		sw.header(spec.Header)
		for _, row := range sample {
			sw.row(row)
		}
		sample = nil
	}
	flusher, _ := w.(http.Flusher)
	err = spec.Rows(func(row []string) error {
		if !started {
			if sample = append(sample, append([]string(nil), row...)); len(sample) < widthSample {
				return nil
			}
			start()
			return sw.err
		}
		sw.row(row)
		if sw.n%1000 == 0 {
			if err := sw.w.Flush(); err != nil {
				return err
			}
			_ = zw.Flush()
			if flusher != nil {
				flusher.Flush()
			}
		}
		return sw.err
	})
	if err != nil {
		return err
	}
	if !started {
		start()
	}
	last := columnName(max(len(spec.Header), 1) - 1)
	sw.WriteString(fmt.Sprintf(xlsxSheetTail, "A1:"+last+strconv.Itoa(max(sw.n, 1))))
	if err := sw.w.Flush(); err != nil {
		return err
	}
	if sw.err != nil {
		return sw.err
	}
	if err := part("xl/workbook.xml", fmt.Sprintf(xlsxWorkbook, "$A$1:$"+last+"$"+strconv.Itoa(max(sw.n, 1)))); err != nil {
		return err
	}
	if err := part("xl/styles.xml", xlsxStyles(sw.curs)); err != nil {
		return err
	}
	return zw.Close()
}

// sheetWriter writes rows of cells as worksheet XML, keeping the first error.
type sheetWriter struct {
	w     *bufio.Writer
	spec  exportSpec
	n     int            // rows written
	curs  []string       // the currencies met, in the order of their formats
	money map[string]int // currency → its cell format (xfMoney + its index in curs)
	err   error
}

func (s *sheetWriter) WriteString(v string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(v)
	}
}

// header writes the header row, bold.
func (s *sheetWriter) header(cells []string) {
	s.n++
	r := strconv.Itoa(s.n)
	s.WriteString(`<row r="` + r + `">`)
	for i, v := range cells {
		s.text(columnName(i)+r, xfHeader, v)
	}
	s.WriteString(`</row>`)
}

// row writes one row, each cell as its column's type says (see cellKind);
// a value that is not what its type expects (a note in an amount's column)
// is neutralised text.
func (s *sheetWriter) row(cells []string) {
	s.n++
	r := strconv.Itoa(s.n)
	s.WriteString(`<row r="` + r + `">`)
	for i, v := range cells {
		if v == "" {
			continue
		}
		ref := columnName(i) + r
		t := s.spec.typeOf(i)
		switch t.kind {
		case kindText, kindLong:
		case kindDate, kindMonth:
			layout, xf := "2006-01-02", xfDate
			if t.kind == kindMonth {
				layout, xf = "2006-01", xfMonth
			}
			if d, err := time.Parse(layout, v); err == nil {
				s.number(ref, xf, strconv.Itoa(excelDay(d)))
				continue
			}
		default:
			if t.kind == kindAuto && !plainNumber(v) || !plainDecimal(v) {
				break
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				break
			}
			xf := xfPlain
			switch t.kind {
			case kindInt:
				xf = xfInt
			case kindCount:
				xf = xfCount
			case kindDecimal:
				xf = xfDecimal
			case kindMoney:
				code := t.code
				if t.cur >= 0 && t.cur < len(cells) {
					code = cells[t.cur]
				}
				xf = s.moneyXF(code)
			}
			s.number(ref, xf, v)
			continue
		}
		s.text(ref, xfPlain, neutraliseStart(v))
	}
	s.WriteString(`</row>`)
}

// moneyXF is the cell format of amounts in currency code, added when first met.
func (s *sheetWriter) moneyXF(code string) int {
	if xf, ok := s.money[code]; ok {
		return xf
	}
	xf := xfMoney + len(s.curs)
	s.curs = append(s.curs, code)
	s.money[code] = xf
	return xf
}

func (s *sheetWriter) number(ref string, xf int, v string) {
	style := ""
	if xf != xfPlain {
		style = ` s="` + strconv.Itoa(xf) + `"`
	}
	s.WriteString(`<c r="` + ref + `"` + style + ` t="n"><v>` + v + `</v></c>`)
}

func (s *sheetWriter) text(ref string, xf int, v string) {
	style := ""
	if xf != xfPlain {
		style = ` s="` + strconv.Itoa(xf) + `"`
	}
	s.WriteString(`<c r="` + ref + `"` + style + ` t="inlineStr"><is><t xml:space="preserve">`)
	if s.err == nil {
		s.err = xml.EscapeText(s.w, []byte(v))
	}
	s.WriteString(`</t></is></c>`)
}

// excelDay is a date's serial number in a spreadsheet (1900 date system:
// days since 1899-12-30, right from March 1900 on).
func excelDay(d time.Time) int {
	return int(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// columnName is the letters of the 0-based column i: A … Z, AA, AB ….
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
