package handlers

// Reading an uploaded import file: its encoding, its delimiter, its header and
// its rows. Spreadsheets write CSV in their user's locale, so the file is
// taken as Excel saves it: UTF-8 with or without a byte order mark (or UTF-16
// "Unicode text"), separated by commas, semicolons or tabs.

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

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
		content = decodeText(b)
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

// decodeText turns a file into text: UTF-16 with its byte order mark (what
// Excel's "Unicode text" writes) is converted to UTF-8; anything else is
// returned as it is, for the UTF-8 check to judge.
func decodeText(b []byte) string {
	var be bool
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		be = true
	default:
		return string(b)
	}
	b = b[2:]
	units := make([]uint16, len(b)/2)
	for i := range units {
		if be {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(units))
}

// headerKey normalises a header for matching.
func headerKey(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// importDelimiters are the separators a spreadsheet writes: comma, the
// semicolon of locales whose decimal mark is a comma, and tab.
var importDelimiters = []rune{',', ';', '\t'}

// detectComma picks the delimiter that splits the header into the most known
// column names (comma on a tie, so a one-column file reads as before). known
// maps headerKey forms to column names.
func detectComma(content string, known map[string]string) rune {
	best, bestKnown := ',', 0
	for _, d := range importDelimiters {
		r := csv.NewReader(strings.NewReader(content))
		r.Comma, r.FieldsPerRecord = d, -1
		header, err := r.Read()
		if err != nil {
			continue
		}
		n := 0
		for _, h := range header {
			if _, ok := known[headerKey(h)]; ok {
				n++
			}
		}
		if n > bestKnown {
			best, bestKnown = d, n
		}
	}
	return best
}

// delimiterName names a delimiter for people.
func delimiterName(d rune) string {
	switch d {
	case ';':
		return "semicolons"
	case '\t':
		return "tabs"
	}
	return "commas"
}

// parseCSV reads the file's header and rows, separated by the delimiter its
// header line uses. A problem with the file as a whole (not CSV, a required
// column missing, an unknown or repeated column, no data rows, too many rows)
// is returned as fileErr; a row with the wrong number of cells is kept with no
// cells and reported by dryRun. A "(clear)" in a column that cannot be emptied
// is refused on its row here, and the cell read as blank, so that the importer
// leaves the field as it is and reports nothing else about it.
func parseCSV(content string, cols []csvColumn) (rows []csvRow, comma rune, fileErr string) {
	content = strings.TrimPrefix(content, "\uFEFF")
	byKey := map[string]string{}
	noClear := map[string]string{}
	for _, col := range cols {
		byKey[headerKey(col.Name)] = col.Name
		for _, a := range col.Aliases {
			byKey[headerKey(a)] = col.Name
		}
		switch {
		case col.ReadOnly:
		case col.Required:
			noClear[col.Name] = "Required, so it cannot be cleared. Leave the cell blank to keep the value, or enter a new one."
		case col.NoClear:
			noClear[col.Name] = "This column cannot be cleared. Leave the cell blank to keep the value, or enter a new one."
		}
	}
	comma = detectComma(content, byKey)
	r := csv.NewReader(strings.NewReader(content))
	r.Comma, r.FieldsPerRecord = comma, -1
	header, err := r.Read()
	if err != nil {
		return nil, comma, "The first line is not a CSV header: " + csvErr(err)
	}
	names := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name, ok := byKey[headerKey(h)]
		switch {
		case headerKey(h) == "":
			return nil, comma, fmt.Sprintf("Column %d of the header has no name.", i+1)
		case !ok:
			return nil, comma, fmt.Sprintf("Unknown column “%s”. The columns are listed below; cells are separated by commas, semicolons or tabs.", strings.TrimSpace(h))
		case seen[name]:
			return nil, comma, fmt.Sprintf("The column “%s” appears twice.", name)
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
		return nil, comma, "Required columns are missing: " + strings.Join(missing, ", ") + "."
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, comma, "The file is not valid CSV (cells separated by " + delimiterName(comma) + "): " + csvErr(err)
		}
		line, _ := r.FieldPos(0) // of the record just read (before Read it is the previous one's)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rows) == maxImportRows {
			return nil, comma, fmt.Sprintf("The file has more than %d rows: split it into smaller files.", maxImportRows)
		}
		row := csvRow{Line: line, Comma: comma}
		if len(rec) == len(names) {
			row.cells = make(map[string]string, len(names))
			for i, v := range rec {
				v = unneutralise(strings.TrimSpace(v))
				if msg, ok := noClear[names[i]]; ok && isClear(v) {
					if row.refused == nil {
						row.refused = map[string]string{}
					}
					row.refused[names[i]], v = msg, ""
				}
				row.cells[names[i]] = v
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, comma, "The file has a header but no rows."
	}
	return rows, comma, ""
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %v.", pe.Line, pe.Err)
	}
	return err.Error() + "."
}
