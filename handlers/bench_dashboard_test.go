package handlers_test

// Benchmarks of the executive dashboard at the --scale size: the aggregates
// (models.LoadDashboard) alone, and the whole signed-in page as a browser gets it.
//
//	go test ./handlers -run '^$' -bench Dashboard -benchmem
//	PORTFOLIO_BENCH_SCALE=10000 go test ./handlers -run '^$' -bench Dashboard -benchmem -benchtime 200x
//
// They share the scale database of bench_risks_test.go (seeded once per run).

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/web"
)

var aggOnce sync.Once

// dashboardDB is the scale database with its aggregates filled, as the seed
// command leaves it.
func dashboardDB(b *testing.B) {
	b.Helper()
	db := scaleDB(b)
	var err error
	aggOnce.Do(func() { err = models.RebuildAggregates(context.Background(), db) })
	if err != nil {
		b.Fatalf("rebuild aggregates: %v", err)
	}
}

func BenchmarkLoadDashboard(b *testing.B) {
	dashboardDB(b)
	db := scaleDB(b)
	ctx := context.Background()
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	today := models.DateOf(dbtest.Now())
	b.ReportAllocs()
	for b.Loop() {
		d, err := models.LoadDashboard(ctx, db, s, today)
		if err != nil {
			b.Fatal(err)
		}
		if d.Active == 0 || d.OpenRisks == 0 {
			b.Fatalf("an empty dashboard: %d active, %d open risks", d.Active, d.OpenRisks)
		}
	}
}

func BenchmarkDashboardPage(b *testing.B) {
	dashboardDB(b)
	c := newBenchClient(b, models.RoleExecutive)
	body, n := c.get(b, "/", nil)
	if !strings.Contains(body, `data-testid="fig-active"`) {
		b.Fatal("the dashboard has no headline figures")
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		c.discard(b, "/")
	}
}

// BenchmarkDashboardPageParallel is the page under 8 concurrent clients, as the
// load target has it (compare its ns/op with the serial one for contention).
func BenchmarkDashboardPageParallel(b *testing.B) {
	dashboardDB(b)
	c := newBenchClient(b, models.RoleExecutive)
	_, n := c.get(b, "/", nil)
	b.SetBytes(n)
	b.ReportAllocs()
	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 clients
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.discard(b, "/")
		}
	})
}

// BenchmarkDashboardMemoryParallel serves the dashboard's bytes from memory with
// a bare net/http server through the same client, 8 at a time: the load
// harness's yardstick (its figure is the dashboard's throughput over this one).
func BenchmarkDashboardMemoryParallel(b *testing.B) {
	dashboardDB(b)
	c := newBenchClient(b, models.RoleExecutive)
	page, n := c.get(b, "/", nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		_, _ = io.WriteString(w, page)
	}))
	b.Cleanup(srv.Close)
	mem := &benchClient{base: srv.URL, http: &http.Client{}}
	b.SetBytes(n)
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mem.discard(b, "/")
		}
	})
}

// BenchmarkDashboardRouter is a signed-in executive's dashboard request handed
// to the router in process (no TCP, no client): the server's own CPU per
// request, every middleware included, the body from the cache as long as no
// write comes (cache-hit), and loaded and rendered again after a write of an
// exchange rate before each request (after-write). On SQLite and, when
// PORTFOLIO_TEST_POSTGRES_URL is set, on PostgreSQL (a schema of its own,
// bench_dashboard, seeded once per run: other benchmarks replace theirs).
//
//	go test ./handlers -run '^$' -bench 'DashboardRouter/sqlite' -benchtime 2000x -cpuprofile /tmp/dash.prof
func BenchmarkDashboardRouter(b *testing.B) {
	dashboardDB(b)
	for _, kind := range benchKinds() {
		db := scaleDB(b)
		if kind == "postgres" {
			db = pgDashboardDB(b)
		}
		r := newRouterClient(b, db, models.RoleExecutive)
		if body := r.serve(b, "/"); !strings.Contains(body, `data-testid="fig-active"`) {
			b.Fatal("the dashboard has no headline figures")
		}
		b.Run(kind+"/cache-hit", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.discard(b, "/")
			}
		})
		b.Run(kind+"/cache-hit-gzip", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.discard(b, "/", "Accept-Encoding", "gzip, deflate, br")
			}
		})
		b.Run(kind+"/after-write", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := db.Exec(`UPDATE fx_rates SET rate = rate WHERE id = (SELECT MIN(id) FROM fx_rates)`).Error; err != nil {
					b.Fatal(err)
				}
				r.discard(b, "/")
			}
		})
	}
}

// pgDashboardDB is the scale portfolio on PostgreSQL in the schema bench_dashboard.
func pgDashboardDB(b *testing.B) *gorm.DB { return pgScaleDB(b, "bench_dashboard") }

// routerClient calls the app's router in process with a signed-in session's cookies.
type routerClient struct {
	h       http.Handler
	cookies []*http.Cookie
}

func newRouterClient(b *testing.B, db *gorm.DB, role string) *routerClient {
	b.Helper()
	// At the load harness's log level (warn): no line per request.
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := web.New(web.Options{DB: db, Log: log, SessionKeys: testKeys, Now: func() time.Time { return dbtest.Now() }})
	handlers.New(s, db)
	c := &routerClient{h: s.Echo}
	login := c.do(b, httptest.NewRequest(http.MethodGet, "/login", nil))
	m := csrfInput.FindStringSubmatch(login.Body.String())
	if m == nil {
		b.Fatal("no CSRF token on /login")
	}
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			req := httptest.NewRequest(http.MethodPost, "/login",
				strings.NewReader(url.Values{"_csrf": {m[1]}, "email": {a.Email}, "password": {a.Password}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if rec := c.do(b, req); rec.Code != http.StatusSeeOther {
				b.Fatalf("sign in as %s: %d", role, rec.Code)
			}
			return c
		}
	}
	b.Fatalf("no demo %s", role)
	return nil
}

// do serves one request with the client's cookies and keeps those it is given.
func (c *routerClient) do(b *testing.B, req *http.Request) *httptest.ResponseRecorder {
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	for _, set := range rec.Result().Cookies() {
		c.cookies = slices.DeleteFunc(c.cookies, func(ck *http.Cookie) bool { return ck.Name == set.Name })
		c.cookies = append(c.cookies, set)
	}
	return rec
}

// serve GETs a path, which must answer 200, and returns the body.
func (c *routerClient) serve(b *testing.B, path string) string {
	rec := c.do(b, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.String()
}

// discard GETs a path as a browser whose cookies are current would, into a
// response writer that keeps nothing: what is measured is the server's work.
func (c *routerClient) discard(b *testing.B, path string, header ...string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	w := &discardWriter{h: http.Header{}}
	c.h.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("GET %s: %d", path, w.status)
	}
}

// discardWriter is an http.ResponseWriter that keeps the status only.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
