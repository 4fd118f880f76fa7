package handlers_test

import (
	"archive/zip"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"portfolio/models"
	"portfolio/views/components"
)

// A column's expected cell format in an XLSX export: "date" (yyyy-mm-dd),
// "month" (yyyy-mm), "int" (0), "count" (#,##0), "decimal" (General, a
// number), or "money:COLUMN", an amount in the currency named by the row's
// COLUMN, shown with thousands separators and the code (#,##0.00 "EUR").
type xlsxFormats map[string]string

// checkExport fetches path as CSV and as XLSX and checks both: the CSV starts
// with a UTF-8 BOM and parses; the XLSX has the CSV's header (bold, frozen,
// under an autofilter over every row, columns at least as wide as their
// header and their first rows' values) and rows, and in the columns of want
// numbers as numbers with their format (dates as date serials). It returns
// the CSV's rows.
func checkExport(t *testing.T, c *client, path string, want xlsxFormats) [][]string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	r := c.get(path + sep + "format=csv")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s as CSV: %d", path, r.StatusCode)
	}
	if !utf8.ValidString(r.Body) {
		t.Fatalf("%s: the CSV is not UTF-8", path)
	}
	rows := readCSV(t, r.Body)
	x := c.get(path + sep + "format=xlsx")
	if x.StatusCode != http.StatusOK {
		t.Fatalf("%s as XLSX: %d", path, x.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatalf("%s: not an XLSX: %v", path, err)
	}
	defer f.Close()
	const sheet = "Sheet1"
	cell := func(col, row int) string { n, _ := excelize.CoordinatesToCellName(col+1, row+1); return n }
	header := rows[0]
	last := cell(len(header)-1, len(rows)-1)

	// The header: the CSV's, bold; frozen; an autofilter over every row.
	for j, h := range header {
		if v, _ := f.GetCellValue(sheet, cell(j, 0)); v != h {
			t.Errorf("%s: header %d is %q, want %q", path, j, v, h)
		}
	}
	if id, _ := f.GetCellStyle(sheet, "A1"); true {
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s: the header is not bold", path)
		}
	}
	p, err := f.GetPanes(sheet)
	if err != nil || !p.Freeze || p.YSplit != 1 || p.XSplit != 0 || p.TopLeftCell != "A2" {
		t.Errorf("%s: the header row is not frozen: %+v %v", path, p, err)
	}
	filter := false
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && strings.ReplaceAll(d.RefersTo, "$", "") == sheet+"!A1:"+last {
			filter = true
		}
	}
	if !filter || !strings.Contains(sheetXML(t, x.Body), `<autoFilter ref="A1:`+last+`"/>`) {
		t.Errorf("%s: no autofilter over A1:%s (%v)", path, last, f.GetDefinedName())
	}
	// Columns fit their header and their first rows' values (up to a point: 58 characters).
	for j, h := range header {
		longest := 0
		for _, r := range rows[1:min(len(rows), 201)] {
			longest = max(longest, utf8.RuneCountInString(r[j]))
		}
		name, _ := excelize.ColumnNumberToName(j + 1)
		if w, _ := f.GetColWidth(sheet, name); w < float64(utf8.RuneCountInString(h)) || w < float64(min(longest, 58)) {
			t.Errorf("%s: column %q is %.1f wide for values up to %d characters", path, h, w, longest)
		}
	}

	// Every row as in the CSV; the typed columns as numbers with their format.
	got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil || len(got) != len(rows) {
		t.Fatalf("%s: the XLSX has %d rows, the CSV %d (%v)", path, len(got), len(rows), err)
	}
	for name, format := range want {
		j := indexOf(header, name)
		if j < 0 {
			t.Fatalf("%s: no column %q", path, name)
		}
		numbers := 0
		for i := 1; i < len(rows); i++ {
			v, ref := rows[i][j], cell(j, i)
			if v == "" {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil && format != "date" && format != "month" {
				// A note where an amount would be ("no rate"): text.
				if ct, _ := f.GetCellType(sheet, ref); ct != excelize.CellTypeInlineString {
					t.Errorf("%s %s (%q): type %v, want text", path, ref, v, ct)
				}
				continue
			}
			numbers++
			if ct, _ := f.GetCellType(sheet, ref); ct != excelize.CellTypeNumber {
				t.Errorf("%s %s %q (%q): type %v, want a number", path, ref, name, v, ct)
				continue
			}
			id, _ := f.GetCellStyle(sheet, ref)
			st, err := f.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			custom := ""
			if st.CustomNumFmt != nil {
				custom = *st.CustomNumFmt
			}
			raw := got[i][j]
			switch kind, curCol, _ := strings.Cut(format, ":"); kind {
			case "date", "month":
				layout := map[string]string{"date": "yyyy-mm-dd", "month": "yyyy-mm"}[kind]
				shown, _ := f.GetCellValue(sheet, ref)
				if custom != layout || shown != v {
					t.Errorf("%s %s %q: shown %q in format %q, want %q in %q", path, ref, name, shown, custom, v, layout)
				}
				if _, err := strconv.Atoi(raw); err != nil {
					t.Errorf("%s %s %q: %q is not a date serial", path, ref, name, raw)
				}
			case "money":
				cur := rows[i][indexOf(header, curCol)]
				if wantFmt := `#,##0.00 "` + cur + `"`; custom != wantFmt {
					t.Errorf("%s %s %q: format %q, want %q", path, ref, name, custom, wantFmt)
				}
				sameNumber(t, path+" "+ref, raw, v)
			default:
				wantID := map[string]int{"int": 1, "count": 3, "decimal": 0}[kind]
				if st.NumFmt != wantID || custom != "" {
					t.Errorf("%s %s %q: format %d %q, want %d", path, ref, name, st.NumFmt, custom, wantID)
				}
				sameNumber(t, path+" "+ref, raw, v)
			}
		}
		if numbers == 0 {
			t.Errorf("%s: the fixture has no value in column %q", path, name)
		}
	}
	return rows
}

func sameNumber(t *testing.T, where, raw, want string) {
	t.Helper()
	a, err1 := strconv.ParseFloat(raw, 64)
	b, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil || math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(b)) {
		t.Errorf("%s: %q, want %q", where, raw, want)
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// sheetXML is the worksheet part of an XLSX, as written.
func sheetXML(t *testing.T, body string) string {
	t.Helper()
	z, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := z.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

// Every export is a real spreadsheet as XLSX (dates as dates, amounts as
// numbers in their currency's format, the header frozen under an
// autofilter) and a BOM-led CSV, and "Bogotá" and "Wrocław" survive it.
func TestExportsAreRealSpreadsheets(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	var sla, ms struct{ EngagementID uint }
	must(t, e.db.Model(&models.SLAMeasurement{}).Select("engagement_id").Group("engagement_id").Order("COUNT(*) DESC").Limit(1).Scan(&sla).Error)
	must(t, e.db.Model(&models.Milestone{}).Select("engagement_id").Where("actual IS NOT NULL").Group("engagement_id").Order("COUNT(*) DESC").Limit(1).Scan(&ms).Error)

	checkExport(t, c, "/risks/export?status=all", xlsxFormats{"Inherent score": "int", "Residual likelihood": "int", "Next review": "date",
		"Raised on": "date", "Closed on": "date", "Version": "int"})
	eng := checkExport(t, c, "/engagements/export", xlsxFormats{"Start": "date", "Contract end": "date", "Contract value": "money:Currency",
		"Vendor headcount": "count"})
	checkExport(t, c, "/costs/export", xlsxFormats{"Month": "month", "Baseline": "money:Currency", "Net realised": "money:Currency",
		"Version": "int", "Rate": "decimal", "Rate month": "month", "Baseline (reporting)": "money:Reporting currency",
		"Net realised (reporting)": "money:Reporting currency"})
	vendors := checkExport(t, c, "/vendors/export", xlsxFormats{"Tier": "int", "Weighted score": "decimal", "Engagements": "count"})
	checkExport(t, c, fmt.Sprintf("/engagements/%d/slas/results/export", sla.EngagementID), xlsxFormats{"Month": "month", "Target": "decimal", "Result": "decimal"})
	checkExport(t, c, fmt.Sprintf("/engagements/%d/slas/breaches/export", sla.EngagementID), xlsxFormats{"Month": "month"})
	checkExport(t, c, fmt.Sprintf("/engagements/%d/milestones/export", ms.EngagementID), xlsxFormats{"Planned": "date", "Actual": "date", "Days late": "count"})
	checkExport(t, c, "/transfers/export", xlsxFormats{"Planned transfer": "date", "Days to go": "count"})
	checkExport(t, c, "/lessons/export", xlsxFormats{"Learned on": "date"})

	text := fmt.Sprint(eng, vendors)
	for _, name := range []string{"Bogotá", "Wrocław"} {
		if !strings.Contains(text, name) {
			t.Errorf("%q is not in the CSV exports as written", name)
		}
	}
}

// The cost export carries each record's amounts in the reporting currency at
// the rate the savings page applies (a month without a rate of its own at its
// currency's latest earlier one, flagged provisional), exactly: summing them
// by quarter gives the savings page's figures.
func TestCostExportRebuildsSavingsFigures(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	// sums adds up a reporting-currency column of the export by fiscal quarter and savings type.
	sums := func(rows [][]string, column string) map[string]*big.Rat {
		h := rows[0]
		q, typ, amt := indexOf(h, "Quarter"), indexOf(h, "Savings type"), indexOf(h, column)
		out := map[string]*big.Rat{}
		for _, r := range rows[1:] {
			if r[amt] == "" {
				continue // no rate at all: the page counts it as nothing
			}
			v, ok := new(big.Rat).SetString(r[amt])
			if !ok {
				t.Fatalf("%s %q is not a decimal", column, r[amt])
			}
			k := r[q] + " " + r[typ]
			if out[k] == nil {
				out[k] = new(big.Rat)
			}
			out[k].Add(out[k], v)
		}
		return out
	}
	whole := func(major *big.Rat, cur string) string {
		var x models.Exact
		if major != nil {
			x.Add(100, major) // major units → minor, exactly
		}
		return components.Whole(x, cur)
	}

	// The whole demo portfolio: this quarter's hard and avoided net, as the page shows them.
	s, err := models.LoadSettings(t.Context(), e.db)
	must(t, err)
	cur, quarter := s.Finance.ReportingCurrency, s.Fiscal().QuarterOf(today()).String()
	all := sums(readCSV(t, c.get("/costs/export?format=csv").Body), "Net realised (reporting)")
	doc := c.get("/savings").Doc(t)
	if got, want := figure(doc, "sav-quarter"), whole(all[quarter+" "+models.SavingsHard], cur); got != want {
		t.Errorf("portfolio: the export's hard net for %s is %s, the page's %s", quarter, want, got)
	}
	if got, want := figure(doc, "avoid-quarter"), whole(all[quarter+" "+models.SavingsAvoidance], cur); got != want {
		t.Errorf("portfolio: the export's avoided net for %s is %s, the page's %s", quarter, want, got)
	}

	// One vendor, exactly (savingsFixture: CHF at 1.10 in a; b's rate removed, so b takes a's).
	vendor := savingsFixture(t, e)
	a, b := savingsMonths()
	must(t, e.db.Where("currency = ? AND month = ?", "CHF", b).Delete(&models.FXRate{}).Error)
	path := "/costs/export?format=csv&vendor=" + strconv.Itoa(int(vendor))
	rows := readCSV(t, c.get(path).Body)
	h := rows[0]
	for _, r := range rows[1:] {
		rate, from, prov := r[indexOf(h, "Rate")], r[indexOf(h, "Rate month")], r[indexOf(h, "Provisional rate")]
		want := map[string][3]string{"CHF " + ym(a): {"1.10", ym(a), "no"}, "CHF " + ym(b): {"1.10", ym(a), "yes"}, "USD " + ym(b): {"1", ym(b), "no"}}[r[3]+" "+r[2]]
		if [3]string{rate, from, prov} != want || r[indexOf(h, "Reporting currency")] != "USD" {
			t.Errorf("%s %s: rate %s of %s, provisional %s; want %v", r[3], r[2], rate, from, prov, want)
		}
	}
	fy := s.Fiscal()
	qa, qb := fy.QuarterOf(a).String(), fy.QuarterOf(b).String()
	net := sums(rows, "Net realised (reporting)")
	for _, tc := range []struct{ quarter, want string }{{qb, "430"}, {qa, "440"}} { // CHF 300 × 1.10 + $100; CHF 400 × 1.10
		if got := net[tc.quarter+" "+models.SavingsHard]; got == nil || got.Cmp(mustRat(t, tc.want)) != 0 {
			t.Errorf("the export's net for %s sums to %v, want %s", tc.quarter, got, tc.want)
		}
		page := c.get("/savings?quarter=" + tc.quarter + "&vendor=" + strconv.Itoa(int(vendor))).Doc(t)
		if got, want := figure(page, "sav-quarter"), whole(net[tc.quarter+" "+models.SavingsHard], "USD"); got != want {
			t.Errorf("%s: the page shows %s, the export sums to %s", tc.quarter, got, want)
		}
	}
	// The same sums from the XLSX, whose converted amounts are numbers.
	x := c.get(strings.Replace(path, "format=csv", "format=xlsx", 1))
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	must(t, err)
	defer f.Close()
	xrows, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	must(t, err)
	var total float64
	for _, r := range xrows[1:] {
		if r[indexOf(h, "Quarter")] == qb {
			v, _ := strconv.ParseFloat(r[indexOf(h, "Net realised (reporting)")], 64)
			total += v
		}
	}
	if math.Abs(total-430) > 0.005 {
		t.Errorf("the XLSX's net for %s sums to %v, want 430", qb, total)
	}
}

func mustRat(t *testing.T, s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("%q", s)
	}
	return r
}
