package handlers_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
)

// tenthsOf reads a share as a page writes it ("23.8 %") in tenths of a percent.
func tenthsOf(t *testing.T, s string) int {
	t.Helper()
	f := strings.Fields(s)
	if len(f) < 2 || f[1] != "%" {
		t.Fatalf("not a share: %q", s)
	}
	whole, frac, _ := strings.Cut(f[0], ".")
	w, err1 := strconv.Atoi(whole)
	d, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || len(frac) != 1 {
		t.Fatalf("not a share to one decimal: %q", s)
	}
	return w*10 + d
}

// The vendors page: each vendor's spend over the last 12 complete months and
// its share, and its share of the engagements in delivery, each column adding
// up to exactly 100.0 %; last month without its own EUR rate, the vendors
// with EUR costs that month say provisional beside their spend, naming the
// rate used, and the others do not; the single-vendor locations name their
// vendor; the export carries the shares; the dashboard lists the five
// largest, says it shows 5 of 8 and links to the vendors page.
func TestVendorsDependency(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		last := month(-1)
		if err := e.db.Exec("DELETE FROM fx_rates WHERE currency = 'EUR' AND month = ?", last).Error; err != nil {
			t.Fatal(err)
		}
		carried := "EUR " + last.Format("Jan 2006") + " at " + month(-2).Format("Jan 2006") + "'s rate"
		var vistula, northwind models.Vendor
		e.db.Where("name = ?", "Vistula Software House").First(&vistula)
		e.db.Where("name = ?", "Northwind Technology Services").First(&northwind)
		c := e.client()
		c.login(models.RoleExecutive)
		doc := c.get("/vendors").Doc(t)
		rows := doc.Find(`[data-testid="vendor-row"]`)
		if rows.Length() != 8 {
			t.Fatalf("%d vendor rows, want the demo's 8", rows.Length())
		}
		spendSum, engSum := 0, 0
		rows.Each(func(_ int, r *goquery.Selection) {
			spendSum += tenthsOf(t, r.Find(`[data-testid="spend-share"]`).Text())
			engSum += tenthsOf(t, r.Find(`[data-testid="engagement-share"]`).Text())
			name := strings.TrimSpace(r.Find("td").First().Text())
			prov := r.Find(`[data-testid="vendor-spend"]`).Text()
			switch name {
			case vistula.Name: // the Kraków and Wrocław centres and the e-commerce contract are priced in EUR
				if !strings.Contains(prov, "provisional") || !strings.Contains(prov, carried) {
					t.Errorf("%s's spend does not say it is provisional at %s: %q", name, carried, prov)
				}
			case northwind.Name: // dollars only
				if strings.Contains(prov, "provisional") {
					t.Errorf("%s's spend in USD says provisional: %q", name, prov)
				}
			}
		})
		if spendSum != 1000 || engSum != 1000 {
			t.Errorf("the shares add up to %d and %d tenths, want 1000 each", spendSum, engSum)
		}
		total := doc.Find(`[data-testid="vendors-total"]`).Text()
		if !strings.Contains(total, "100.0 %") || !strings.Contains(total, carried) {
			t.Errorf("the portfolio row: %q", total)
		}
		if note := doc.Find(`[data-testid="dependency-note"]`).Text(); !strings.Contains(note, "vendor fees less service credits") ||
			!strings.Contains(note, month(-12).Format("Jan 2006")+" – "+last.Format("Jan 2006")) || !strings.Contains(note, "in delivery") {
			t.Errorf("the note does not say what the shares are of: %q", note)
		}
		// Chennai: the data centre operations and the mainframe support in its exit, both Northwind's.
		// Kraków has two vendors (Vistula's centre and contract, Meridian's service desk hub): not listed.
		var chennai string
		doc.Find(`[data-testid="single-locations"] tbody tr`).Each(func(_ int, r *goquery.Selection) {
			if strings.HasPrefix(strings.TrimSpace(r.Text()), "Kraków") {
				t.Error("Kraków, served by two vendors, is listed as single-vendor")
			}
			if strings.HasPrefix(strings.TrimSpace(r.Text()), "Chennai, India") {
				chennai = strings.Join(strings.Fields(r.Find("td").First().Text()+" "+r.Find("td").Last().Text()), " ")
			}
		})
		if chennai != "Chennai, India Northwind Technology Services (2 engagements)" {
			t.Errorf("Chennai's row: %q", chennai)
		}
		if doc.Find(`[data-testid="single-towers-none"]`).Length() != 1 {
			t.Error("the demo's towers each have two vendors or more, and the page does not say so")
		}

		// The export: the shares of every vendor, adding up to 100.0.
		csv := readCSV(t, c.get("/vendors/export?format=csv").Body)
		col := func(name string) int {
			for i, h := range csv[0] {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %q in %v", name, csv[0])
			return -1
		}
		share, prov := col("Share of spend (%)"), col("Spend provisional")
		sum, final := 0, csv[len(csv)-1]
		if final[0] != "Portfolio (every vendor)" || final[share] != "100.0" {
			t.Errorf("the export's last row: %v", final)
		}
		for _, r := range csv[1 : len(csv)-1] {
			sum += tenthsOf(t, r[share]+" %")
			if r[0] == vistula.Name && r[prov] != carried {
				t.Errorf("the export's provisional note for %s: %q", r[0], r[prov])
			}
		}
		if sum != 1000 {
			t.Errorf("the export's shares add up to %d tenths", sum)
		}

		// The dashboard's panel.
		dash := c.get("/").Doc(t).Find(`[data-testid="dependency"]`)
		if n := dash.Find(`[data-testid="dependency-table"] tbody tr`).Length(); n != 5 {
			t.Errorf("the dashboard lists %d vendors, want 5", n)
		}
		cut := dash.Find(`[data-testid="dependency-count"]`)
		if href, _ := cut.Find("a").Attr("href"); !strings.Contains(cut.Text(), "Showing 5 of 8 vendors") || href != "/vendors" {
			t.Errorf("the cut list reads %q and links to %q", cut.Text(), href)
		}
		if !strings.Contains(dash.Find(`[data-testid="single-locations"]`).Text(), "Northwind Technology Services") {
			t.Error("the dashboard's single-vendor locations lack Chennai's Northwind")
		}
	})
}
