package handlers_test

import (
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"portfolio/models"
)

// expectedValue converts engagements' contract values to USD as a reader
// would by hand: each currency at its latest rate up to today's month (the
// demo records every month before today's), summed exactly, rounded once.
func expectedValue(t *testing.T, db *gorm.DB, engs []models.Engagement) (string, map[uint]string) {
	t.Helper()
	var total models.Exact
	each := map[uint]string{}
	for _, e := range engs {
		var v models.Exact
		if e.Currency == "USD" {
			v.Add(e.ContractValue, nil)
		} else {
			var r models.FXRate
			must(t, db.Where("currency = ? AND month <= ?", e.Currency, month(0)).Order("month DESC").First(&r).Error)
			rate, ok := new(big.Rat).SetString(r.Rate)
			if !ok {
				t.Fatalf("rate %q", r.Rate)
			}
			v.Add(e.ContractValue, rate)
		}
		each[e.ID] = models.Money{Minor: v.Units() * 100, Currency: "USD"}.Whole()
		total.AddExact(v)
	}
	return models.Money{Minor: total.Units() * 100, Currency: "USD"}.Whole(), each
}

// engagementRow is the list's row of an engagement (by its code).
func engagementRow(doc *goquery.Document, code string) *goquery.Selection {
	return doc.Find(`[data-testid="engagement-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Find("td").First().Text()) == code
	})
}

// The engagements list shows each contract value in the reporting currency
// with the local one beside it, and the total of every engagement the
// filters match, equal to the dashboard's contract-value card it drills from.
func TestEngagementsListContractValuesInReportingCurrency(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		for _, tc := range []struct {
			query string
			scope func(*gorm.DB) *gorm.DB
		}{
			{"?status=active", func(q *gorm.DB) *gorm.DB { return q.Where("closed_on IS NULL") }},
			{"?model=BOT", func(q *gorm.DB) *gorm.DB { return q.Where("model = ?", models.ModelBOT) }},
			{"", func(q *gorm.DB) *gorm.DB { return q }},
		} {
			var engs []models.Engagement
			must(t, tc.scope(e.db.Model(&models.Engagement{})).Order("code").Find(&engs).Error)
			want, each := expectedValue(t, e.db, engs)
			r := c.get("/engagements" + tc.query)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", tc.query, r.StatusCode)
			}
			doc := r.Doc(t)
			box := doc.Find(`[data-testid="engagements-value-total"]`)
			if got := strings.TrimSpace(box.Find(`[data-testid="value-total"]`).Text()); got != want {
				t.Errorf("%s: total %q, want %q (%d engagements)", tc.query, got, want, len(engs))
			}
			if txt := strings.Join(strings.Fields(box.Text()), " "); !strings.Contains(txt, fmt.Sprintf("Contract value of the %d engagements listed, in USD", len(engs))) {
				t.Errorf("%s: the total does not say what it sums: %q", tc.query, txt)
			}
			if box.Find(".value-provisional").Length() != 0 {
				t.Errorf("%s: provisional, though every month before today's has its rates", tc.query)
			}
			shown := 0
			for _, eng := range engs {
				row := engagementRow(doc, eng.Code)
				if row.Length() == 0 {
					continue // on another page
				}
				shown++
				cell := strings.Join(strings.Fields(row.Find(`[data-testid="contract-value"]`).Text()), " ")
				wantCell := each[eng.ID]
				if eng.Currency != "USD" {
					wantCell += " (" + eng.Value().Whole() + ")"
				}
				if cell != wantCell {
					t.Errorf("%s: %s (%s) shows %q, want %q", tc.query, eng.Code, eng.Currency, cell, wantCell)
				}
			}
			if shown == 0 {
				t.Errorf("%s: no row checked", tc.query)
			}
		}
		// Sorting by contract value orders by the value in USD, not by the
		// amounts in their own currencies (₹2,100,000,000 is about $25m).
		for _, dir := range []string{"asc", "desc"} {
			var got []float64
			c.get("/engagements?sort=value&dir=" + dir).Doc(t).Find(`[data-testid="engagement-row"] .value-reporting`).Each(func(_ int, s *goquery.Selection) {
				v, err := strconv.ParseFloat(strings.NewReplacer("$", "", ",", "").Replace(strings.TrimSpace(s.Text())), 64)
				if err != nil {
					t.Fatalf("value %q", s.Text())
				}
				got = append(got, v)
			})
			if len(got) < 2 {
				t.Fatalf("sorted by value (%s): %d rows", dir, len(got))
			}
			for i := 1; i < len(got); i++ {
				if (dir == "asc" && got[i] < got[i-1]) || (dir == "desc" && got[i] > got[i-1]) {
					t.Errorf("sorted by value (%s), $%.0f comes after $%.0f", dir, got[i], got[i-1])
				}
			}
		}
		// The dashboard's card is the same figure, shortened.
		a := c.get("/engagements?status=active").Doc(t).Find(`[data-testid="value-total"]`).Text()
		total, err := strconv.ParseFloat(strings.NewReplacer("$", "", ",", "").Replace(strings.TrimSpace(a)), 64)
		if err != nil {
			t.Fatal(err)
		}
		if card := millions(t, figure(c.get("/").Doc(t), "fig-value")); card < total/1e6-0.05 || card > total/1e6+0.05 {
			t.Errorf("the dashboard's contract value is $%.1fm, the list of active engagements totals %s", card, a)
		}
	})
}

// A currency whose last complete month has no rate converts at the latest
// earlier one and says "provisional" beside the value and the total, naming
// the rate; a currency with no rate at all is left out of the total, never
// counted 1:1.
func TestEngagementsListProvisionalAndMissingRates(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	var inr models.Engagement
	if err := e.db.Where("currency = ?", "INR").Order("code").First(&inr).Error; err != nil {
		t.Skip("the demo has no INR engagement")
	}
	last, before := month(-1), month(-2)
	must(t, e.db.Where("currency = ? AND month >= ?", "INR", last).Delete(&models.FXRate{}).Error)
	var kept models.FXRate
	must(t, e.db.Where("currency = ? AND month = ?", "INR", before).First(&kept).Error)
	c := e.client()
	c.login(models.RoleExecutive)
	doc := c.get("/engagements?q=" + inr.Code).Doc(t)
	cell := engagementRow(doc, inr.Code).Find(`[data-testid="contract-value"]`)
	flag := cell.Find(`[data-testid="value-provisional"]`)
	note := "provisional: rate of " + before.Format("Jan 2006") + " (" + kept.Rate + ") used for INR " + last.Format("Jan 2006")
	if strings.TrimSpace(flag.Text()) != "provisional" || flag.AttrOr("title", "") != note {
		t.Errorf("the INR value does not say it is provisional: %q title %q, want %q", flag.Text(), flag.AttrOr("title", ""), note)
	}
	rate, _ := new(big.Rat).SetString(kept.Rate)
	var v models.Exact
	v.Add(inr.ContractValue, rate)
	want := models.Money{Minor: v.Units() * 100, Currency: "USD"}.Whole()
	if !strings.Contains(cell.Text(), want) {
		t.Errorf("the INR value %q is not converted at %s's rate (%s)", cell.Text(), before.Format("Jan 2006"), want)
	}
	box := doc.Find(`[data-testid="engagements-value-total"]`)
	if got := box.Find(`[data-testid="value-total-provisional"]`).Text(); got != note {
		t.Errorf("the total's note %q, want %q", got, note)
	}
	// The dashboard's contract value, converted alike, says so too.
	label := "INR " + last.Format("Jan 2006") + " at " + before.Format("Jan 2006") + "'s rate"
	if flag := c.get("/").Doc(t).Find(`[data-testid="fig-value"] [data-testid="provisional"]`).Text(); !strings.Contains(flag, label) {
		t.Errorf("the dashboard's contract value does not say it is provisional: %q, want %q", flag, label)
	}

	// A currency with no rate at all: shown in its own currency, out of the total.
	var usd models.Engagement
	must(t, e.db.Where("currency = ?", "USD").Order("code").First(&usd).Error)
	must(t, e.db.Model(&models.Engagement{}).Where("id = ?", usd.ID).Update("currency", "CHF").Error)
	doc = c.get("/engagements?q=" + usd.Code).Doc(t)
	if got := engagementRow(doc, usd.Code).Find(`[data-testid="value-no-rate"]`).Text(); got != "no CHF rate: not in the total" {
		t.Errorf("a value in a currency without rates says %q", got)
	}
	if got := doc.Find(`[data-testid="value-total"]`).Text(); got != "$0" {
		t.Errorf("the total counts CHF without a rate: %q", got)
	}
	if got := doc.Find(`[data-testid="value-total-missing"]`).Text(); !strings.Contains(got, "CHF") {
		t.Errorf("the total does not name the currency left out: %q", got)
	}
}

// The dashboard's red and amber counts are each a link to the active
// engagements of that health, and the list shows as many rows as the count.
func TestDashboardHealthCountsLinkToTheirEngagements(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	doc := c.get("/").Doc(t)
	for _, h := range []string{models.Red, models.Amber} {
		a := doc.Find(`[data-testid="fig-active"] [data-testid="fig-active-` + h + `"]`)
		href, ok := a.Attr("href")
		if !ok {
			t.Fatalf("no %s link on the active engagements card", h)
		}
		var n int
		if _, err := fmt.Sscanf(a.Text(), "%d "+h, &n); err != nil {
			t.Fatalf("%s link says %q", h, a.Text())
		}
		var want int64
		e.db.Model(&models.Engagement{}).Where("health = ? AND closed_on IS NULL", h).Count(&want)
		if int64(n) != want || n == 0 {
			t.Errorf("the card counts %d %s, the database %d", n, h, want)
		}
		list := c.get(href).Doc(t)
		rows := list.Find(`[data-testid="engagement-row"]`)
		if rows.Length() != n {
			t.Errorf("%s lists %d engagements, the card says %d", href, rows.Length(), n)
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			if got := strings.TrimSpace(s.Find(".c-health").Text()); got != models.HealthLabel(h) {
				t.Errorf("%s lists a %s engagement", href, got)
			}
		})
		if sel := list.Find(`select[name="health"] option[selected]`).AttrOr("value", ""); sel != h {
			t.Errorf("%s: the health filter shows %q", href, sel)
		}
	}
}

// Savings reasons read with one decimal, as the cards do, and the engagement
// page says when they apply.
func TestEngagementHealthSavingsReasonAndRule(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	var eng models.Engagement
	if err := e.db.Where("health_reasons LIKE ?", "%of plan%").Order("code").First(&eng).Error; err != nil {
		t.Skip("no engagement in the demo is behind its savings plan today")
	}
	doc := c.get(fmt.Sprintf("/engagements/%d", eng.ID)).Doc(t)
	reasons := doc.Find(`[data-testid="engagement-health"] .reasons`).Text()
	if !regexp.MustCompile(`net savings year to date at −?[\d,]+\.\d{1,3} % of plan, below (80|95) %`).MatchString(reasons) {
		t.Errorf("the savings reason is not written with decimals: %q", reasons)
	}
	rule := strings.Join(strings.Fields(doc.Find(`[data-testid="health-rules-plan"]`).Text()), " ")
	if !strings.Contains(rule, "the below 80 % / 95 % of plan reasons apply only when the plan is positive (transition months with a zero or negative plan are not judged)") {
		t.Errorf("the engagement page does not state the plan rule: %q", rule)
	}
	if got := c.get("/savings").Doc(t).Find(`[data-testid="savings-rules"]`).Text(); !strings.Contains(got, "apply only when the plan is positive") {
		t.Errorf("the savings rules do not state the plan rule: %q", got)
	}
}

// The register's as-at date is a labelled field of the filter bar, not
// inside a disclosure; a plain GET with it shows the register as it stood,
// and so does htmx's.
func TestRegisterAsAtIsAVisibleControl(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	doc := c.get("/risks").Doc(t)
	in := doc.Find(`form.filters input[name="as_at"]`)
	if in.Length() != 1 || in.AttrOr("type", "") != "date" || in.ParentsFiltered("details").Length() != 0 {
		t.Fatalf("the as-at date is not a visible date field of the filters (%d found)", in.Length())
	}
	if label := doc.Find(`label[for="` + in.AttrOr("id", "-") + `"]`).Text(); !strings.HasPrefix(strings.TrimSpace(label), "As at") {
		t.Errorf("the as-at field is labelled %q", label)
	}
	day := today().AddDays(-20)
	r := c.get("/risks?as_at=" + day.String())
	doc = r.Doc(t)
	if v := doc.Find(`input[name="as_at"]`).AttrOr("value", ""); v != day.String() {
		t.Errorf("the as-at field shows %q after a GET with %s", v, day)
	}
	if b := doc.Find(`[data-testid="as-at-banner"]`).Text(); !strings.Contains(b, "As at "+day.Human()) {
		t.Errorf("no as-at banner: %q", b)
	}
	p := c.htmx("/risks?as_at=" + day.String())
	if strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, "As at "+day.Human()) {
		t.Errorf("htmx's as-at request got %.200s", p.Body)
	}
}
