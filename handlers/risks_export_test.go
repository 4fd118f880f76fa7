package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// readCSV reads an export's CSV, which starts with a UTF-8 byte order mark
// (for Excel on Windows) and parses after it.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	body, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Fatalf("the CSV export does not start with a UTF-8 BOM: %.20q", body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	return rows
}

func readXLSX(t *testing.T, body string) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("export is not XLSX: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The export holds every risk the filter matches (not one page), in the
// register's order, as CSV and as XLSX, with formula-like text neutralised.
func TestRiskExportMatchesFilteredRegister(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		// Text a spreadsheet would run.
		e.db.Model(&models.Risk{}).Where("id = ?", f.theirs.ID).Updates(map[string]any{"title": "=HYPERLINK(\"http://x\")", "mitigation": "@SUM(A1:A9)"})
		c := e.client()
		c.login(models.RoleExecutive)
		for _, q := range []string{"status=all&sort=ref", "band=High&kind=inherent&sort=owner&dir=desc", "q=data&overdue=1", "as_at=2026-06-30&status=all"} {
			query, _ := url.ParseQuery(q)
			r := c.get("/risks/export?format=csv&" + q)
			if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("CSV export %s: %d %s", q, r.StatusCode, r.Header.Get("Content-Type"))
			}
			rows := readCSV(t, r.Body)
			if len(rows) < 2 || rows[0][0] != "Ref" || rows[0][len(rows[0])-1] != "Version" {
				t.Fatalf("CSV export %s: header %v, %d rows", q, rows[0], len(rows))
			}
			// The same filter through the register's query, every page.
			filt := register.RiskFilter{Status: query.Get("status"), Band: query.Get("band"), BandKind: query.Get("kind"), Q: query.Get("q"),
				Overdue: query.Get("overdue") == "1", Sort: query.Get("sort"), Dir: query.Get("dir")}
			day := models.DateOf(dbtest.Now())
			if a := query.Get("as_at"); a != "" {
				filt.AsAt, _ = models.ParseDate(a)
				day = filt.AsAt
			}
			want, total, err := register.ListRisks(context.Background(), e.db, models.DefaultRiskSettings(), day, filt)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(rows)-1) != total || len(want) != len(rows)-1 {
				t.Fatalf("export %s has %d rows, the register %d", q, len(rows)-1, total)
			}
			for i, w := range want {
				got := rows[i+1]
				if got[0] != w.Ref || got[10] != fmt.Sprint(w.ResidualScore) || got[27] != fmt.Sprint(w.Version) {
					t.Fatalf("export %s row %d: %v, want %s score %d", q, i+1, got[:3], w.Ref, w.ResidualScore)
				}
			}
			x := c.get("/risks/export?format=xlsx&" + q)
			if x.StatusCode != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("XLSX export %s: %d", q, x.StatusCode)
			}
			xrows := readXLSX(t, x.Body)
			if len(xrows) != len(rows) {
				t.Fatalf("XLSX %s has %d rows, CSV %d", q, len(xrows), len(rows))
			}
			for i := range rows {
				a, b := rows[i], xrows[i]
				for len(b) < len(a) { // GetRows drops trailing empty cells
					b = append(b, "")
				}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("XLSX %s row %d differs from CSV:\n%v\n%v", q, i, b, a)
				}
			}
		}
		rows := readCSV(t, c.get("/risks/export?format=csv&status=all&q="+url.QueryEscape(f.theirs.Ref)).Body)
		if len(rows) != 2 || rows[1][1] != "'=HYPERLINK(\"http://x\")" || rows[1][20] != "'@SUM(A1:A9)" {
			t.Errorf("formula text not neutralised: %q", rows[1])
		}
		if r := c.get("/risks/export?format=pdf"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown format: %d", r.StatusCode)
		}
	})
}

// uploadImport posts a CSV file to the import as a browser form would.
func uploadImport(t *testing.T, c *client, content string) resp {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.token())
	fw, _ := w.CreateFormFile("file", "risks.csv")
	fw.Write([]byte(content))
	w.Close()
	return c.do(http.MethodPost, "/risks/import", &body, map[string]string{"Content-Type": w.FormDataContentType()})
}

// applyImport submits the dry run's apply form.
func applyImport(t *testing.T, c *client, preview resp, hdr map[string]string) resp {
	t.Helper()
	doc := preview.Doc(t)
	form := doc.Find(`[data-testid="apply-form"]`)
	if form.Length() == 0 {
		t.Fatalf("the dry run offers no apply form (status %d)", preview.StatusCode)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", form.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	_ = w.WriteField("filename", form.Find(`input[name="filename"]`).AttrOr("value", ""))
	_ = w.WriteField("content", form.Find(`textarea[name="content"]`).Text())
	w.Close()
	h := map[string]string{"Content-Type": w.FormDataContentType()}
	for k, v := range hdr {
		h[k] = v
	}
	return c.do(http.MethodPost, "/risks/import/apply", &body, h)
}

func writeCSV(rows [][]string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.String()
}

func countRows(t *testing.T, e *env) (risks, changes int64) {
	t.Helper()
	e.db.Model(&models.Risk{}).Count(&risks)
	e.db.Model(&models.Change{}).Count(&changes)
	return
}

// The export's own file round-trips through the import: a dry run first, then
// apply, updating known references and raising new ones, each with history.
func TestRiskImportRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		me := demoUser(t, e, models.RoleManager)
		rows := readCSV(t, c.get(fmt.Sprintf("/risks/export?format=csv&status=all&engagement=%d", f.mineEng.ID)).Body)
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		var edited string
		for _, r := range rows[1:] {
			if r[col["Ref"]] == f.mine.Ref {
				r[col["Title"]] = "Imported: " + r[col["Title"]]
				r[col["Residual likelihood"]] = "1"
				r[col["Residual impact"]] = "1"
				edited = r[col["Title"]]
			}
		}
		fresh := make([]string, len(rows[0]))
		fresh[col["Engagement"]] = f.mineEng.Code
		fresh[col["Title"]] = "=Raised from a spreadsheet"
		fresh[col["Category"]] = "financial" // case-insensitive
		fresh[col["Inherent likelihood"]], fresh[col["Inherent impact"]] = "3", "4"
		fresh[col["Residual likelihood"]], fresh[col["Residual impact"]] = "2", "4"
		fresh[col["Status"]], fresh[col["Response"]] = "open", "reduce"
		fresh[col["Owner email"]] = strings.ToUpper(me.Email)
		rows = append(rows, fresh)
		beforeRisks, beforeChanges := countRows(t, e)

		preview := uploadImport(t, c, writeCSV(rows))
		if preview.StatusCode != http.StatusOK {
			t.Fatalf("dry run: %d\n%.2000s", preview.StatusCode, preview.Body)
		}
		doc := preview.Doc(t)
		counts := doc.Find(`[data-testid="import-counts"]`).Text()
		if !strings.Contains(counts, "1 to create") || !strings.Contains(counts, "1 to update") {
			t.Errorf("dry run counts: %q", counts)
		}
		if r, ch := countRows(t, e); r != beforeRisks || ch != beforeChanges {
			t.Fatal("the dry run wrote")
		}
		applied := applyImport(t, c, preview, nil)
		if applied.StatusCode != http.StatusSeeOther || applied.Header.Get("Location") != "/risks" {
			t.Fatalf("apply: %d %q\n%.1500s", applied.StatusCode, applied.Header.Get("Location"), applied.Body)
		}
		got := storedRisk(t, e, f.mine.ID)
		if got.Title != edited || got.ResidualScore != 1 || got.Version != f.mine.Version+1 {
			t.Errorf("updated risk: %q %d v%d", got.Title, got.ResidualScore, got.Version)
		}
		if ch := lastChange(t, e, f.mine.ID, "title"); ch.Action != "import" || ch.New != edited {
			t.Errorf("update history: %+v", ch)
		}
		var nr models.Risk
		e.db.Where("title = ?", "=Raised from a spreadsheet").First(&nr)
		if nr.ID == 0 || nr.OwnerID == nil || *nr.OwnerID != me.ID || nr.Category != "Financial" || !strings.HasPrefix(nr.Ref, "R-"+f.mineEng.Code+"-") || nr.ResidualScore != 8 {
			t.Errorf("new risk: %+v", nr)
		}
		if len(changesOf(t, e, "risk", nr.ID)) < 5 {
			t.Error("the new risk has no creation history")
		}
		if r, _ := countRows(t, e); r != beforeRisks+1 {
			t.Errorf("risks %d → %d, want one more", beforeRisks, r)
		}
		// Importing the same file again changes nothing more than the version rows would allow: it is refused row by row.
		again := uploadImport(t, c, writeCSV(rows))
		if again.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(again.Body, "changed since this file was exported") {
			t.Errorf("re-import of a stale export: %d", again.StatusCode)
		}
		// A fresh export imports as "unchanged" with nothing to apply.
		same := uploadImport(t, c, c.get(fmt.Sprintf("/risks/export?format=csv&status=all&engagement=%d", f.mineEng.ID)).Body)
		if same.StatusCode != http.StatusOK || same.Doc(t).Find(`[data-testid="apply-form"]`).Length() != 0 ||
			!strings.Contains(same.Doc(t).Find(`[data-testid="import-counts"]`).Text(), "0 to update") {
			t.Errorf("a fresh export should import as unchanged: %d", same.StatusCode)
		}
	})
}

// A file with any invalid row is refused whole: 422 with every row's errors,
// and nothing written, neither on the dry run nor on apply.
func TestRiskImportRejectsInvalidFile(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		var theirs models.Engagement
		e.db.First(&theirs, *f.theirs.EngagementID)
		header := []string{"Ref", "Title", "Engagement", "Category", "Inherent likelihood", "Inherent impact", "Residual likelihood", "Residual impact", "Owner email", "Status"}
		good := []string{"", "A valid new risk", f.mineEng.Code, "Financial", "2", "2", "1", "2", "", "open"}
		rows := [][]string{header, good,
			{"", "Bad level", f.mineEng.Code, "Financial", "7", "2", "1", "2", "", "open"},
			{"", "Unknown owner", f.mineEng.Code, "Financial", "2", "2", "1", "2", "nobody@example.com", "open"},
			{"", "Not my engagement", theirs.Code, "Financial", "2", "2", "1", "2", "", "open"},
			{"", "Closed without reason", f.mineEng.Code, "Financial", "2", "2", "1", "2", "", "closed"},
			{"", "", "NO-SUCH", "Astrology", "2", "2", "1", "2", "", "open"},
		}
		beforeRisks, beforeChanges := countRows(t, e)
		r := uploadImport(t, c, writeCSV(rows))
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid file: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		if n := doc.Find(`[data-testid="import-row"][data-outcome="error"]`).Length(); n != 5 {
			t.Errorf("%d error rows, want 5", n)
		}
		text := doc.Find(`[data-testid="import-rows"]`).Text()
		for _, want := range []string{"Inherent likelihood: Enter a level from 1 to 5.", "Owner email: No active user has this email.",
			"Engagement: You can change only the risks of engagements you manage.", "Closed reason: Required.", "Title: Required.",
			"Engagement: No engagement has this code.", "Category: Choose one of the listed categories."} {
			if !strings.Contains(text, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		if doc.Find(`[data-testid="apply-form"]`).Length() != 0 {
			t.Error("an invalid file offers to apply")
		}
		// Forcing the apply step with the same file is refused too.
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("_csrf", c.token())
		_ = w.WriteField("content", writeCSV(rows))
		w.Close()
		if r := c.do(http.MethodPost, "/risks/import/apply", &body, map[string]string{"Content-Type": w.FormDataContentType()}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("forced apply: %d", r.StatusCode)
		}
		if rk, ch := countRows(t, e); rk != beforeRisks || ch != beforeChanges {
			t.Errorf("a refused file wrote: risks %d → %d, changes %d → %d", beforeRisks, rk, beforeChanges, ch)
		}
		// Problems with the file itself.
		for name, content := range map[string]string{
			"unknown column": "Ref,Title,Colour\nR-1,x,red\n",
			"missing column": "Ref,Title\n,x\n",
			"no rows":        strings.Join(header, ",") + "\n",
			"not csv":        "Ref,Title,\"Engagement\n",
			"short row":      writeCSV([][]string{header, good[:3]}),
		} {
			r := uploadImport(t, c, content)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", name, r.StatusCode)
			}
			if name != "short row" && r.Doc(t).Find(`[data-testid="file-error"]`).Length() != 1 {
				t.Errorf("%s: no file error shown", name)
			}
		}
		// The upload form and the apply step with htmx: a redirect header.
		if r := c.get("/risks/import"); r.StatusCode != http.StatusOK || r.Doc(t).Find(`[data-testid="upload-form"]`).Length() != 1 {
			t.Errorf("import page: %d", r.StatusCode)
		}
		ok := uploadImport(t, c, writeCSV([][]string{header, good}))
		if h := applyImport(t, c, ok, hxHeaders); h.StatusCode != http.StatusNoContent || h.Header.Get("HX-Redirect") != "/risks" {
			t.Errorf("htmx apply: %d %q", h.StatusCode, h.Header.Get("HX-Redirect"))
		}
		var n int64
		e.db.Model(&models.Risk{}).Where("title = ?", "A valid new risk").Count(&n)
		if n != 1 {
			t.Errorf("the valid file created %d risks", n)
		}
	})
}
