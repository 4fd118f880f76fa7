package handlers_test

// Benchmarks of the risk register at the --scale size: the page (first page,
// last page, a filtered and sorted register at its first, middle and last
// page, searches, the htmx partial, the as-at view with movement), its two
// queries and its rendering apart, and the export of every risk as CSV and XLSX.
//
//	go test ./handlers -run '^$' -bench Risk -benchtime 20x
//	PORTFOLIO_BENCH_SCALE=4000 go test ./handlers -run '^$' -bench RiskExport -benchtime 3x
//
// The portfolio is seeded once per run (SQLite in $TMPDIR/portfolio-bench-N,
// replaced on each run) with seed.Scale(n) — n engagements, 25 risks
// each — n=1000 unless PORTFOLIO_BENCH_SCALE says otherwise.

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
	"portfolio/models/seed"
	"portfolio/models/sqlstore"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

var (
	benchOnce sync.Once
	benchDB   *gorm.DB
	benchN    int
	benchErr  error
)

// benchScale is the number of engagements the benchmarks seed.
func benchScale() int {
	if n, err := strconv.Atoi(os.Getenv("PORTFOLIO_BENCH_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// scaleDB seeds the scale portfolio once per test binary.
func scaleDB(b *testing.B) *gorm.DB {
	b.Helper()
	benchOnce.Do(func() {
		// The as-at replays log themselves as slow statements: keep the output to the figures.
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		benchN = benchScale()
		// One directory per scale, emptied first: runs never pile databases up in /tmp.
		dir := filepath.Join(os.TempDir(), "portfolio-bench-"+strconv.Itoa(benchN))
		if benchErr = os.RemoveAll(dir); benchErr != nil {
			return
		}
		if benchErr = os.MkdirAll(dir, 0o700); benchErr != nil {
			return
		}
		if benchDB, benchErr = sqlstore.Open(ctx, filepath.Join(dir, "bench.db"), dbtest.Clock().Now); benchErr != nil {
			return
		}
		if _, benchErr = models.Migrate(ctx, benchDB); benchErr != nil {
			return
		}
		start := time.Now()
		if benchErr = seed.Scale(ctx, benchDB, benchN); benchErr != nil {
			return
		}
		s, _ := models.LoadSettings(ctx, benchDB)
		benchErr = models.RefreshHealth(ctx, benchDB, s, models.DateOf(dbtest.Now()))
		var risks int64
		benchDB.Model(&models.Risk{}).Count(&risks)
		b.Logf("seeded scale %d (%d risks) in %s", benchN, risks, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatalf("scale seed: %v", benchErr)
	}
	return benchDB
}

// benchClient is the app over the scale database with a signed-in manager or admin.
type benchClient struct {
	base string
	http *http.Client
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newBenchClient(b *testing.B, role string) *benchClient {
	b.Helper()
	return newBenchClientOn(b, scaleDB(b), role)
}

// newBenchClientOn is a benchClient of an app over db.
func newBenchClientOn(b *testing.B, db *gorm.DB, role string) *benchClient {
	b.Helper()
	s := web.New(web.Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKeys: testKeys,
		Now: func() time.Time { return dbtest.Now() }})
	handlers.New(s, db)
	srv := httptest.NewServer(s.Echo)
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &benchClient{base: srv.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	body, _ := c.get(b, "/login", nil)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.Fatal("no CSRF token on /login")
	}
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			r, err := c.http.PostForm(srv.URL+"/login", url.Values{"_csrf": {m[1]}, "email": {a.Email}, "password": {a.Password}})
			if err != nil || r.StatusCode != http.StatusSeeOther {
				b.Fatalf("sign in as %s: %v %v", role, err, r)
			}
			r.Body.Close()
			return c
		}
	}
	b.Fatalf("no demo %s", role)
	return nil
}

// get fetches a path and returns the body and its size.
func (c *benchClient) get(b *testing.B, path string, hdr map[string]string) (string, int64) {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	r, err := c.http.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	body, _ := io.ReadAll(r.Body)
	return string(body), int64(len(body))
}

// discard fetches a path reading the body without keeping it.
func (c *benchClient) discard(b *testing.B, path string) int64 {
	r, err := c.http.Get(c.base + path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	n, _ := io.Copy(io.Discard, r.Body)
	return n
}

// registerFilter is the filtered, sorted register the page benchmarks page
// through (the load harness's default too): one category, by next review.
const registerFilter = "/risks?category=Financial&sort=review"

// pagerLink reads the href of the pager link with rel (next, last …) from a page.
func pagerLink(body, rel string) string {
	m := regexp.MustCompile(`<a href="([^"]+)"[^>]*rel="` + rel + `"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func BenchmarkRiskRegisterPage(b *testing.B) {
	c := newBenchClient(b, models.RoleManager)
	var total int64
	scaleDB(b).Model(&models.Risk{}).Where("status <> ?", models.StatusClosed).Count(&total)
	last := strconv.FormatInt((total+49)/50, 10)
	first, _ := c.get(b, registerFilter, nil)
	lastURL := pagerLink(first, "last")
	lastN, _ := strconv.Atoi(regexp.MustCompile(`page=(\d+)`).FindStringSubmatch(lastURL)[1])
	middle := registerFilter + "&page=" + strconv.Itoa(max(lastN/2, 1))
	fy := models.DefaultFiscal
	q := fy.LastComplete(today())
	mid, _ := c.get(b, middle, nil)
	for _, tc := range []struct{ name, path string }{
		{"first", "/risks"},
		{"last-page", "/risks?page=" + last},
		{"filtered-sorted/first", registerFilter},
		{"filtered-sorted/middle-by-number", middle},
		{"filtered-sorted/middle-by-next-link", pagerLink(mid, "next")},
		{"filtered-sorted/last", lastURL},
		{"filtered-sorted-searched", "/risks?band=High&kind=inherent&sort=owner&dir=desc&q=data"},
		{"search-rare-word", "/risks?q=escrow"},
		{"overdue", "/risks?overdue=1&sort=review"},
		{"engagement", "/engagements/1/risks?status=all"},
		{"as-at-movement", "/risks?as_at=" + fy.End(q).String() + "&since=" + fy.End(q.Prev()).String()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var bytes int64
			for b.Loop() {
				_, bytes = c.get(b, tc.path, nil)
			}
			b.SetBytes(bytes)
		})
	}
	b.Run("htmx-partial", func(b *testing.B) {
		for b.Loop() {
			c.get(b, "/risks?band=Medium&page=2", map[string]string{"HX-Request": "true"})
		}
	})
}

// BenchmarkRiskRegisterQueries times the register's two reads apart from
// HTTP and rendering: the tally (count and heat maps; from risk_cells, or from
// the risks for a search) and a page (keyset seek, or by number).
func BenchmarkRiskRegisterQueries(b *testing.B) {
	db := scaleDB(b)
	ctx := context.Background()
	s := models.DefaultRiskSettings()
	today := models.DateOf(dbtest.Now())
	f := register.RiskFilter{Category: models.RiskCategories[3], Sort: "review", Page: 1, PerPage: 50}
	t, err := register.TallyRisks(ctx, db, s, today, f)
	if err != nil {
		b.Fatal(err)
	}
	mid := f
	mid.Page = int(t.Total/50) / 2
	p, _ := register.PageRisks(ctx, db, s, today, mid, t.Total)
	next := f
	next.After, next.Page = p.LastID(), p.Page+1
	last := f
	last.Page = int((t.Total + 49) / 50)
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"tally-live", func() error { _, err := register.TallyRisks(ctx, db, s, today, register.RiskFilter{}); return err }},
		{"tally-filtered", func() error { _, err := register.TallyRisks(ctx, db, s, today, f); return err }},
		{"tally-overdue", func() error {
			_, err := register.TallyRisks(ctx, db, s, today, register.RiskFilter{Overdue: true})
			return err
		}},
		{"tally-search", func() error {
			_, err := register.TallyRisks(ctx, db, s, today, register.RiskFilter{Q: "escrow"})
			return err
		}},
		{"page-first", func() error { _, err := register.PageRisks(ctx, db, s, today, f, t.Total); return err }},
		{"page-middle-by-number", func() error { _, err := register.PageRisks(ctx, db, s, today, mid, t.Total); return err }},
		{"page-after-cursor", func() error { _, err := register.PageRisks(ctx, db, s, today, next, t.Total); return err }},
		{"page-last", func() error { _, err := register.PageRisks(ctx, db, s, today, last, t.Total); return err }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRiskRegisterRender renders the register's region (heat maps, 50
// rows, pager) from props, without the database: as an executive sees it, and
// as an admin, who may act on every row.
func BenchmarkRiskRegisterRender(b *testing.B) {
	db := scaleDB(b)
	ctx := context.Background()
	s := models.DefaultRiskSettings()
	today := models.DateOf(dbtest.Now())
	f := register.RiskFilter{Sort: "review", Page: 1, PerPage: 50}
	t, _ := register.TallyRisks(ctx, db, s, today, f)
	p, err := register.PageRisks(ctx, db, s, today, f, t.Total)
	if err != nil {
		b.Fatal(err)
	}
	for _, role := range []struct {
		name   string
		rights models.Rights
	}{{"executive", models.Rights{}}, {"admin", models.Rights{Admin: true, Editor: true}}} {
		props := pages.RisksProps{Query: components.Query{Path: "/risks", Values: url.Values{"sort": {"review"}}, Target: "#risk-register"},
			Filter: f, Rows: p.Rows, Total: t.Total, Page: p, Risk: s, Today: today, Inherent: t.Inherent, Residual: t.Residual,
			Base: "/risks", Rights: role.rights, Markup: pages.NewMarkup()}
		b.Run(role.name, func(b *testing.B) {
			var n int64
			for b.Loop() {
				w := &countWriter{}
				if err := pages.RiskRegister(props).Render(ctx, w); err != nil {
					b.Fatal(err)
				}
				n = w.n
			}
			b.SetBytes(n)
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func BenchmarkRiskExport(b *testing.B) {
	c := newBenchClient(b, models.RoleManager)
	var all int64
	scaleDB(b).Model(&models.Risk{}).Count(&all)
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			var n int64
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			peak := sampleHeap()
			for b.Loop() {
				n = c.discard(b, "/risks/export?status=all&format="+format)
			}
			b.SetBytes(n)
			b.ReportMetric(float64(all), "rows/op")
			b.ReportMetric(float64(peak()-base.HeapAlloc)/(1<<20), "peak-heap-MB")
		})
	}
	// The export holds every risk: the CSV has a line per risk plus its header.
	body, _ := c.get(b, "/risks/export?status=all&format=csv", nil)
	if lines := strings.Count(body, "\n"); int64(lines) < all+1 {
		b.Fatalf("the export has %d lines for %d risks", lines, all)
	}
}

// sampleHeap watches the live heap until the returned function is called,
// which gives its peak: an export that streams keeps it flat as rows grow.
func sampleHeap() func() uint64 {
	var peak uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak
	}
}
