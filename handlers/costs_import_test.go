package handlers_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// uploadCostsCSV posts a CSV file to the cost import as a browser form would.
func uploadCostsCSV(t *testing.T, c *client, content string) resp {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.csrf("/costs/import"))
	fw, _ := w.CreateFormFile("file", "costs.csv")
	fw.Write([]byte(content))
	w.Close()
	return c.do(http.MethodPost, "/costs/import", &body, map[string]string{"Content-Type": w.FormDataContentType()})
}

// applyCosts submits the dry run's apply form.
func applyCosts(t *testing.T, c *client, preview resp) resp {
	t.Helper()
	doc := preview.Doc(t)
	form := doc.Find(`[data-testid="apply-form"]`)
	if form.Length() == 0 {
		t.Fatalf("no apply form (status %d)", preview.StatusCode)
	}
	v := url.Values{"_csrf": {form.Find(`input[name="_csrf"]`).AttrOr("value", "")},
		"filename": {form.Find(`input[name="filename"]`).AttrOr("value", "")}, "content": {form.Find(`textarea[name="content"]`).Text()}}
	return c.post("/costs/import/apply", v)
}

func costsCSV(rows ...[]string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"Engagement", "Month", "Baseline", "Vendor fees", "Retained", "One-off", "Credits", "Planned savings", "Savings type"})
	w.WriteAll(rows)
	return b.String()
}

// A manager imports a file: the dry run writes nothing and says what each row
// would do; applying it records the new month and updates the existing one,
// with history; the export of the engagement imports back unchanged.
func TestCostImport(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedEngagements(t, e)
		var last models.CostRecord
		e.db.Where("engagement_id = ?", mine.ID).Order("month DESC").First(&last)
		var first models.CostRecord
		e.db.Where("engagement_id = ?", mine.ID).Order("month").First(&first)
		newMonth := first.Month.AddDate(0, -1, 0).Format("2006-01")
		c := e.client()
		c.login(models.RoleManager)
		content := costsCSV(
			[]string{mine.Code, newMonth, "1000.00", "600", "100", "0", "0", "250", "hard"},
			[]string{mine.Code, last.Month.Format("2006-01"), "2000.00", "600", "100", "0", "0", "250", "avoidance"},
		)
		var before int64
		e.db.Model(&models.CostRecord{}).Count(&before)
		preview := uploadCostsCSV(t, c, content)
		if preview.StatusCode != http.StatusOK {
			t.Fatalf("dry run: %d\n%s", preview.StatusCode, preview.Body)
		}
		var after int64
		e.db.Model(&models.CostRecord{}).Count(&after)
		if after != before {
			t.Fatal("the dry run wrote records")
		}
		if !strings.Contains(preview.Body, "net realised") {
			t.Error("the dry run does not say what the rows do")
		}
		r := applyCosts(t, c, preview)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %d\n%s", r.StatusCode, r.Body)
		}
		var created models.CostRecord
		if err := e.db.Where("engagement_id = ? AND month = ?", mine.ID, newMonth+"-01").First(&created).Error; err != nil {
			t.Fatal(err)
		}
		if created.Baseline != 100_000 || created.Currency != mine.Currency || len(changesOf(t, e, "cost", created.ID)) == 0 {
			t.Errorf("created %+v", created)
		}
		var updated models.CostRecord
		e.db.First(&updated, last.ID)
		if updated.Baseline != 200_000 || updated.SavingsType != models.SavingsAvoidance || updated.Version != last.Version+1 {
			t.Errorf("updated %+v", updated)
		}
		if !hasChange(changesOf(t, e, "cost", last.ID), "savings_type", last.SavingsType, models.SavingsAvoidance) {
			t.Error("the update is not in the history")
		}
		// Export then import: every row unchanged, nothing to apply.
		exp := c.get(fmt.Sprintf("/costs/export?format=csv&engagement=%d", mine.ID))
		if exp.StatusCode != http.StatusOK || !strings.HasPrefix(exp.Body, "\uFEFFEngagement,Engagement name,Month") {
			t.Fatalf("export: %d %.80s", exp.StatusCode, exp.Body)
		}
		again := uploadCostsCSV(t, c, exp.Body)
		if again.StatusCode != http.StatusOK || again.Doc(t).Find(`[data-testid="apply-form"]`).Length() != 0 {
			t.Errorf("re-importing the export: %d, apply form offered", again.StatusCode)
		}

		// A row for an engagement the manager does not manage, and a month twice: 422, nothing written.
		bad := costsCSV(
			[]string{theirs.Code, "2026-01", "1000", "", "", "", "", "0", ""},
			[]string{mine.Code, "2026-02", "1000", "", "", "", "", "0", ""},
			[]string{mine.Code, "2026-02", "-5", "", "", "", "", "0", ""},
		)
		e.db.Model(&models.CostRecord{}).Count(&before)
		r = uploadCostsCSV(t, c, bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad file: %d", r.StatusCode)
		}
		for _, want := range []string{"only for the engagements you manage", "Also on line", "negative"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the dry run does not say %q", want)
			}
		}
		e.db.Model(&models.CostRecord{}).Count(&after)
		if after != before {
			t.Error("a bad file wrote records")
		}
	})
}

// In a month already recorded a blank amount stays as it is and "(clear)" sets
// an optional amount to zero; the dry run shows each change as amount old → new
// in the engagement's currency; "(clear)" on a required amount is refused with
// its line and column, and nothing is written.
func TestCostImportBlankKeepsAndClearZeroes(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		var recs []models.CostRecord
		e.db.Where("engagement_id = ?", mine.ID).Order("month DESC").Limit(2).Find(&recs)
		if len(recs) < 2 {
			t.Fatalf("%s has %d months recorded", mine.Code, len(recs))
		}
		last, prev := recs[0], recs[1]
		// Known amounts to change and to keep.
		e.db.Model(&models.CostRecord{}).Where("id = ?", last.ID).Updates(map[string]any{"baseline": 1_000_000, "vendor_fees": 250_000, "retained": 12_345, "planned_savings": 40_000})
		e.db.First(&last, last.ID)
		lastBefore, prevBefore := rowText(t, e, "cost_records", last.ID), rowText(t, e, "cost_records", prev.ID)
		money := func(minor int64) string { return models.Money{Minor: minor, Currency: last.Currency}.String() }
		c := e.client()
		c.login(models.RoleManager)
		content := costsCSV(
			[]string{mine.Code, ym(last.Month), "12345.67", "", "(clear)", "", "", "", ""},
			[]string{mine.Code, ym(prev.Month), "", "", "", "", "", "", ""},
		)
		preview := uploadCostsCSV(t, c, content)
		if preview.StatusCode != http.StatusOK {
			t.Fatalf("dry run: %d\n%.2000s", preview.StatusCode, preview.Body)
		}
		doc := preview.Doc(t)
		lines := changeLines(previewRow(t, doc, mine.Code+" "+ym(last.Month)))
		next := last
		next.Baseline, next.Retained = 1_234_567, 0
		want := []string{"Baseline: " + money(1_000_000) + " → " + money(1_234_567), "Retained: " + money(12_345) + " → " + money(0),
			"Net realised: " + money(last.Sums().Net()) + " → " + money(next.Sums().Net())}
		if strings.Join(lines, "|") != strings.Join(want, "|") {
			t.Errorf("the dry run lists %q, want %q", lines, want)
		}
		if len(lines) == 0 || !strings.Contains(lines[0], "12,345.67") {
			t.Errorf("the new baseline is not shown with separators: %q", lines)
		}
		if r := previewRow(t, doc, mine.Code+" "+ym(prev.Month)); r.AttrOr("data-outcome", "") != "unchanged" || !strings.Contains(r.Text(), "No change") {
			t.Errorf("a row of blank amounts: %s %q", r.AttrOr("data-outcome", ""), strings.TrimSpace(r.Text()))
		}
		if a := applyCosts(t, c, preview); a.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %d\n%.1500s", a.StatusCode, a.Body)
		}
		var got models.CostRecord
		e.db.First(&got, last.ID)
		if got.Baseline != 1_234_567 || got.Retained != 0 || got.VendorFees != 250_000 || got.PlannedSavings != 40_000 ||
			got.OneOff != last.OneOff || got.Credits != last.Credits || got.SavingsType != last.SavingsType || got.Version != last.Version+1 {
			t.Errorf("stored %+v, was %+v", got, last)
		}
		if rowText(t, e, "cost_records", prev.ID) != prevBefore {
			t.Error("a row of blank amounts changed the stored month")
		}
		if rowText(t, e, "cost_records", last.ID) == lastBefore {
			t.Error("the update was not stored")
		}
		if !hasChange(changesOf(t, e, "cost", last.ID), "retained", "123.45", "0.00") {
			t.Error("the cleared amount is not in the history")
		}

		// (clear) on a required amount: 422 naming line 2 and the column; nothing written.
		lastBefore = rowText(t, e, "cost_records", last.ID)
		var changes int64
		e.db.Model(&models.Change{}).Count(&changes)
		r := uploadCostsCSV(t, c, costsCSV([]string{mine.Code, ym(last.Month), "(clear)", "1", "", "", "", "", ""}))
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("(clear) on Baseline: %d", r.StatusCode)
		}
		row := r.Doc(t).Find(`[data-testid="import-row"][data-outcome="error"]`)
		if strings.TrimSpace(row.Find("td").First().Text()) != "2" || !strings.Contains(row.Text(), "Baseline: Required, so it cannot be cleared.") {
			t.Errorf("the refusal: %q", strings.TrimSpace(row.Text()))
		}
		var after int64
		e.db.Model(&models.Change{}).Count(&after)
		if rowText(t, e, "cost_records", last.ID) != lastBefore || after != changes {
			t.Error("a refused file wrote")
		}
	})
}

// A semicolon file with a byte order mark, as a German Excel saves it, with
// decimal commas: the amounts are read as the locale wrote them.
func TestCostImportSemicolonDecimalComma(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		var first models.CostRecord
		e.db.Where("engagement_id = ?", mine.ID).Order("month").First(&first)
		newMonth := first.Month.AddDate(0, -1, 0).Format("2006-01")
		c := e.client()
		c.login(models.RoleManager)
		content := "\uFEFFEngagement;Month;Baseline;Vendor fees;Planned savings\r\n" + mine.Code + ";" + newMonth + ";1.234,56;99,5;-12\r\n"
		preview := uploadCostsCSV(t, c, content)
		if preview.StatusCode != http.StatusOK {
			t.Fatalf("dry run: %d\n%.2000s", preview.StatusCode, preview.Body)
		}
		if a := applyCosts(t, c, preview); a.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %d", a.StatusCode)
		}
		var got models.CostRecord
		e.db.Where("engagement_id = ? AND month = ?", mine.ID, newMonth+"-01").First(&got)
		if got.Baseline != 123_456 || got.VendorFees != 9_950 || got.PlannedSavings != -1_200 {
			t.Errorf("stored %+v", got)
		}
	})
}

// Exports of the engagements and vendors lists, as CSV and XLSX.
func TestEngagementAndVendorExports(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	var n int64
	e.db.Model(&models.Engagement{}).Where("model = ?", models.ModelBOT).Count(&n)
	r := c.get("/engagements/export?format=csv&model=BOT")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "engagements.csv") {
		t.Fatalf("engagements csv: %d", r.StatusCode)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil || int64(len(rows)-1) != n || rows[0][0] != "\uFEFFCode" {
		t.Fatalf("engagements csv: %d rows for %d BOT engagements (%v)", len(rows)-1, n, err)
	}
	for _, row := range rows[1:] {
		if row[2] != models.ModelBOT || row[4] == "" {
			t.Errorf("row %v", row)
		}
	}
	if r := c.get("/engagements/export?format=xlsx"); r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
		t.Errorf("engagements xlsx: %d", r.StatusCode)
	}
	r = c.get("/vendors/export?format=csv")
	vrows, _ := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	var vn int64
	e.db.Model(&models.Vendor{}).Where("NOT archived").Count(&vn)
	if r.StatusCode != http.StatusOK || int64(len(vrows)-2) != vn || vrows[0][9] != "Weighted score" || vrows[len(vrows)-1][0] != "Portfolio (every vendor)" {
		t.Errorf("vendors csv: %d, %d rows for %d vendors and the portfolio's, header %v", r.StatusCode, len(vrows)-1, vn, vrows[0])
	}
	if r := c.get("/vendors/export?format=pdf"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown format: %d", r.StatusCode)
	}
}
