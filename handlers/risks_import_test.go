package handlers_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
)

// previewRow is the dry run's row for a record key (a risk's ref, a cost's "CODE 2026-01").
func previewRow(t *testing.T, doc *goquery.Document, key string) *goquery.Selection {
	t.Helper()
	row := doc.Find(`[data-testid="import-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Find("td").Eq(1).Text()) == key
	})
	if row.Length() != 1 {
		t.Fatalf("the dry run has %d rows for %s", row.Length(), key)
	}
	return row
}

// changeLines are a dry-run row's change lines as a reader sees them.
func changeLines(row *goquery.Selection) []string {
	var out []string
	row.Find(`[data-testid="import-change"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(s.Text()), " "))
	})
	return out
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// exportRows exports an engagement's risks and indexes the header.
func exportRows(t *testing.T, c *client, eng models.Engagement) ([][]string, map[string]int) {
	t.Helper()
	rows := readCSV(t, c.get(fmt.Sprintf("/risks/export?format=csv&status=all&engagement=%d", eng.ID)).Body)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	return rows, col
}

func rowOf(t *testing.T, rows [][]string, col map[string]int, ref string) []string {
	t.Helper()
	for _, r := range rows[1:] {
		if r[col["Ref"]] == ref {
			return append([]string(nil), r...)
		}
	}
	t.Fatalf("the export has no row for %s", ref)
	return nil
}

// An update row's blank cell leaves its field as it is, "(clear)" empties it
// (with history), and the dry run lists each row's changes as field: old → new
// in the words the register uses, "No change" for a row that changes nothing.
func TestRiskImportBlankKeepsAndClearEmpties(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		exec := demoUser(t, e, models.RoleExecutive)
		const oldDesc = "Supplier may miss the cut-over date."
		e.db.Model(&models.Risk{}).Where("id = ?", f.mine.ID).Update("description", oldDesc)
		var other models.Risk
		if err := e.db.Where("engagement_id = ? AND id <> ? AND status = ?", f.mineEng.ID, f.mine.ID, models.StatusOpen).Order("id").First(&other).Error; err != nil {
			t.Fatalf("no second open risk on %s: %v", f.mineEng.Code, err)
		}
		rows, col := exportRows(t, c, f.mineEng)

		// Line 2: only Description blanked. Line 3: Description blanked and four fields changed.
		mine := rowOf(t, rows, col, f.mine.Ref)
		mine[col["Description"]] = ""
		second := rowOf(t, rows, col, other.Ref)
		second[col["Description"]] = ""
		second[col["Title"]] = "Renamed by import"
		second[col["Status"]] = "mitigating"
		second[col["Owner email"]] = exec.Email
		nextReview := today().AddDays(40)
		second[col["Next review"]] = nextReview.String()
		fresh := make([]string, len(rows[0]))
		fresh[col["Engagement"]], fresh[col["Title"]], fresh[col["Category"]] = f.mineEng.Code, "Raised with blank cells", models.RiskCategories[0]
		fresh[col["Inherent likelihood"]], fresh[col["Inherent impact"]], fresh[col["Residual likelihood"]], fresh[col["Residual impact"]] = "3", "3", "2", "2"
		mineBefore, otherBefore := rowText(t, e, "risks", f.mine.ID), storedRisk(t, e, other.ID)

		preview := uploadImport(t, c, writeCSV([][]string{rows[0], mine, second, fresh}))
		if preview.StatusCode != http.StatusOK {
			t.Fatalf("dry run: %d\n%.2000s", preview.StatusCode, preview.Body)
		}
		doc := preview.Doc(t)
		r := previewRow(t, doc, f.mine.Ref)
		if r.AttrOr("data-outcome", "") != "unchanged" || !strings.Contains(r.Text(), "No change") || len(changeLines(r)) != 0 {
			t.Errorf("a row with only a blank Description: %s %q", r.AttrOr("data-outcome", ""), strings.TrimSpace(r.Text()))
		}
		lines := changeLines(previewRow(t, doc, other.Ref))
		var ownerWas string
		if otherBefore.OwnerID != nil {
			var u models.User
			e.db.First(&u, *otherBefore.OwnerID)
			ownerWas = u.Name
		}
		if ownerWas == "" {
			ownerWas = "—"
		}
		for _, want := range []string{
			"Title: " + otherBefore.Title + " → Renamed by import",
			"Status: Open → Mitigating",
			"Owner: " + ownerWas + " → " + exec.Name,
			"Next review: " + otherBefore.NextReview.Human() + " → " + nextReview.Human(),
		} {
			if !hasLine(lines, want) {
				t.Errorf("the dry run does not list %q; it lists %q", want, lines)
			}
		}
		if len(lines) != 4 {
			t.Errorf("the dry run lists %d changes for four changed fields: %q", len(lines), lines)
		}
		newRow := doc.Find(`[data-testid="import-row"][data-outcome="create"]`)
		if newLines := changeLines(newRow); !strings.Contains(newRow.Text(), "New risk") ||
			!hasLine(newLines, "Title: Raised with blank cells") || !hasLine(newLines, "Status: Open") ||
			!hasLine(newLines, "Raised on: "+today().Human()) || !hasLine(newLines, "Engagement: "+f.mineEng.Name+" ("+f.mineEng.Code+")") {
			t.Errorf("the new row: %q", newLines)
		}

		if a := applyImport(t, c, preview, nil); a.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %d\n%.1500s", a.StatusCode, a.Body)
		}
		if after := rowText(t, e, "risks", f.mine.ID); after != mineBefore {
			t.Errorf("a row that changed nothing changed the stored risk:\n%s\n%s", mineBefore, after)
		}
		got := storedRisk(t, e, other.ID)
		if got.Description != otherBefore.Description || got.Title != "Renamed by import" || got.Status != models.StatusMitigating ||
			got.OwnerID == nil || *got.OwnerID != exec.ID || got.NextReview != nextReview {
			t.Errorf("the updated risk: description %q (was %q), title %q, status %s", got.Description, otherBefore.Description, got.Title, got.Status)
		}
		if ch := lastChange(t, e, other.ID, "description"); ch.ID != 0 && ch.Action == "import" {
			t.Errorf("a blank Description was recorded as a change: %+v", ch)
		}
		var created models.Risk
		e.db.Where("title = ?", "Raised with blank cells").First(&created)
		if created.ID == 0 || created.Status != models.StatusOpen || created.Response != "reduce" || created.RaisedOn != today() {
			t.Errorf("the new risk with blank cells: %+v", created)
		}

		// "(clear)", in any case and with spaces, empties the field, with history.
		rows, col = exportRows(t, c, f.mineEng)
		mine = rowOf(t, rows, col, f.mine.Ref)
		mine[col["Description"]] = "  (CLEAR) "
		mine[col["Owner email"]] = ""
		preview = uploadImport(t, c, writeCSV([][]string{rows[0], mine}))
		if preview.StatusCode != http.StatusOK {
			t.Fatalf("dry run of (clear): %d\n%.2000s", preview.StatusCode, preview.Body)
		}
		if lines := changeLines(previewRow(t, preview.Doc(t), f.mine.Ref)); len(lines) != 1 || lines[0] != "Description: "+oldDesc+" → —" {
			t.Errorf("the dry run of (clear) lists %q", lines)
		}
		if a := applyImport(t, c, preview, nil); a.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply (clear): %d", a.StatusCode)
		}
		got = storedRisk(t, e, f.mine.ID)
		if got.Description != "" || got.Version != f.mine.Version+1 || (f.mine.OwnerID != nil && (got.OwnerID == nil || *got.OwnerID != *f.mine.OwnerID)) {
			t.Errorf("after (clear): description %q, version %d, owner %v", got.Description, got.Version, got.OwnerID)
		}
		if ch := lastChange(t, e, f.mine.ID, "description"); ch.Action != "import" || ch.Old != oldDesc || ch.New != "" {
			t.Errorf("the clearing is not in the history: %+v", ch)
		}
	})
}

// "(clear)" in a column a risk cannot be without is refused on its row and
// column, and nothing of the file is written.
func TestRiskImportRefusesClearingRequired(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		rows, col := exportRows(t, c, f.mineEng)
		mine := rowOf(t, rows, col, f.mine.Ref)
		mine[col["Title"]] = "(clear)"
		mine[col["Status"]] = "(Clear)"
		mine[col["Description"]] = "A change that must not be written"
		beforeRisks, beforeChanges := countRows(t, e)
		before := rowText(t, e, "risks", f.mine.ID)
		r := uploadImport(t, c, writeCSV([][]string{rows[0], mine}))
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("(clear) on Title: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		row := doc.Find(`[data-testid="import-row"][data-outcome="error"]`)
		if row.Length() != 1 || strings.TrimSpace(row.Find("td").First().Text()) != "2" {
			t.Fatalf("the refusal is not on line 2: %d rows, line %q", row.Length(), row.Find("td").First().Text())
		}
		text := row.Text()
		for _, want := range []string{"Title: Required, so it cannot be cleared.", "Status: This column cannot be cleared."} {
			if !strings.Contains(text, want) {
				t.Errorf("the row's errors lack %q: %q", want, strings.TrimSpace(text))
			}
		}
		if doc.Find(`[data-testid="apply-form"]`).Length() != 0 {
			t.Error("a refused file offers to apply")
		}
		// Forcing the apply step is refused the same way.
		if a := c.post("/risks/import/apply", url.Values{"_csrf": {c.token()}, "content": {writeCSV([][]string{rows[0], mine})}}); a.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("forced apply: %d", a.StatusCode)
		}
		if rk, ch := countRows(t, e); rk != beforeRisks || ch != beforeChanges || rowText(t, e, "risks", f.mine.ID) != before {
			t.Error("a refused file wrote")
		}
	})
}

// A file saved by Excel in a semicolon locale, with a UTF-8 byte order mark,
// imports; so do a tab-separated file and Excel's UTF-16 "Unicode text".
func TestRiskImportDelimiters(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		rows, col := exportRows(t, c, f.mineEng)
		mine := rowOf(t, rows, col, f.mine.Ref)
		header := []string{"Ref", "Title", "Engagement", "Category", "Inherent likelihood", "Inherent impact", "Residual likelihood", "Residual impact", "Description", "Version"}
		newRow := func(title string) []string {
			return []string{"", title, f.mineEng.Code, models.RiskCategories[1], "4", "3", "2", "3", "Cells with , and ; inside", ""}
		}
		update := []string{f.mine.Ref, "Retitled from a semicolon file", "", "", "", "", "", "", "", mine[col["Version"]]}
		write := func(comma rune, rows ...[]string) string {
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			w.Comma, w.UseCRLF = comma, true
			_ = w.WriteAll(rows)
			return b.String()
		}
		for _, tc := range []struct {
			name, content, title, says string
		}{
			{"semicolon with BOM", "\uFEFF" + write(';', header, newRow("From a semicolon file"), update), "From a semicolon file", "semicolons"},
			{"tab", write('\t', header, newRow("From a tab file")), "From a tab file", "tabs"},
			{"UTF-16 tab", utf16LE(write('\t', header, newRow("From Unicode text"))), "From Unicode text", "tabs"},
		} {
			preview := uploadImport(t, c, tc.content)
			if preview.StatusCode != http.StatusOK {
				t.Fatalf("%s: dry run %d\n%.1500s", tc.name, preview.StatusCode, preview.Body)
			}
			if says := preview.Doc(t).Find(`[data-testid="import-delimiter"]`).Text(); !strings.Contains(says, tc.says) {
				t.Errorf("%s: the dry run says %q", tc.name, says)
			}
			if a := applyImport(t, c, preview, nil); a.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: apply %d\n%.1500s", tc.name, a.StatusCode, a.Body)
			}
			var got models.Risk
			e.db.Where("title = ?", tc.title).First(&got)
			if got.ID == 0 || got.Description != "Cells with , and ; inside" || got.ResidualScore != 6 || got.EngagementID == nil || *got.EngagementID != f.mineEng.ID {
				t.Errorf("%s: the new risk %+v", tc.name, got)
			}
		}
		got := storedRisk(t, e, f.mine.ID)
		if got.Title != "Retitled from a semicolon file" || got.Description != f.mine.Description || got.Category != f.mine.Category {
			t.Errorf("the semicolon file's update: title %q, description kept %v", got.Title, got.Description == f.mine.Description)
		}
		// A header no delimiter splits into known columns is a clear 422.
		if r := uploadImport(t, c, "Ref|Title\nR-1|x\n"); r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find(`[data-testid="file-error"]`).Length() != 1 {
			t.Errorf("a pipe-separated file: %d", r.StatusCode)
		}
	})
}

// utf16LE encodes text as Excel's "Unicode text" does: UTF-16 little-endian with a byte order mark.
func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}
