package handlers_test

// Benchmarks of a risk update as the load harness's writers send it: the
// register's quick action POST /risks/:id/status, as htmx posts it (CSRF
// token, the row's version), moving a risk between open and mitigating.
//
//	go test ./handlers -run '^$' -bench 'RiskStatus' -benchtime 200x
//	go test ./handlers -run '^$' -bench 'RiskStatusMixed' -benchtime 1000x
//
// Serial is one write at a time (the service time); parallel is 8 writers
// at once (b.RunParallel); mixed is 8 writers while 32 readers read the
// dashboard and the register without pause, as `portfolio-load --mixed` does,
// and reports the writes' p50 and p99 and the readers' throughput. Each runs
// on SQLite (the scale portfolio of bench_risks_test.go) and, when
// PORTFOLIO_TEST_POSTGRES_URL is set, on PostgreSQL (a schema seeded once per
// run): filter with /sqlite or /postgres.

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/web"
)

// writeBenchDB is the scale portfolio of a kind of database (on PostgreSQL in
// the schema bench_writes: these benchmarks write).
func writeBenchDB(b *testing.B, kind string) *gorm.DB {
	if kind == "sqlite" {
		return scaleDB(b)
	}
	return pgScaleDB(b, "bench_writes")
}

// benchKinds are the databases the write benchmarks run on.
func benchKinds() []string {
	if dbtest.PostgresURL() != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// loadClient is a signed-in browser with enough idle connections for many
// goroutines (the default transport keeps two per host, and a load of 40
// would keep opening new ones).
type loadClient struct {
	base string
	http *http.Client
	csrf string
}

func newLoadClient(b *testing.B, base, role string) *loadClient {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	c := &loadClient{base: base, http: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	page, err := c.do(http.MethodGet, "/login", nil, false, http.StatusOK)
	if err != nil {
		b.Fatal(err)
	}
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on /login")
	}
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			if _, err := c.do(http.MethodPost, "/login", url.Values{"_csrf": {m[1]}, "email": {a.Email}, "password": {a.Password}}, false, http.StatusSeeOther); err != nil {
				b.Fatalf("sign in as %s: %v", role, err)
			}
			page, err := c.do(http.MethodGet, "/account", nil, false, http.StatusOK)
			if m = csrfInput.FindStringSubmatch(page); err != nil || m == nil {
				b.Fatalf("no CSRF token after signing in: %v", err)
			}
			c.csrf = m[1]
			return c
		}
	}
	b.Fatalf("no demo %s", role)
	return nil
}

// do sends a request and reads the body; any status but want is an error.
func (c *loadClient) do(method, path string, form url.Values, htmx bool, want int) (string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	r, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer r.Body.Close()
	out, err := io.ReadAll(r.Body)
	if err == nil && r.StatusCode != want {
		err = fmt.Errorf("%s %s: %d", method, path, r.StatusCode)
	}
	return string(out), err
}

var rowVersion = regexp.MustCompile(`name="version" value="(\d+)"`)

// writeRisk is a risk one writer moves back and forth.
type writeRisk struct {
	id      uint
	version string
	status  string
}

// toggle posts the quick action moving r to the other status.
func (c *loadClient) toggle(r *writeRisk) error {
	st := map[string]string{models.StatusOpen: models.StatusMitigating, models.StatusMitigating: models.StatusOpen}[r.status]
	body, err := c.do(http.MethodPost, fmt.Sprintf("/risks/%d/status", r.id), url.Values{"_csrf": {c.csrf},
		"version": {r.version}, "status": {st}, "back": {"/risks"}}, true, http.StatusOK)
	if err != nil {
		return err
	}
	m := rowVersion.FindStringSubmatch(body)
	if m == nil {
		return errors.New("the updated row has no version")
	}
	r.version, r.status = m[1], st
	return nil
}

// writeFixture is the app over a scale portfolio with an admin (the writers)
// and an executive (the readers) signed in, and risks for each writer.
type writeFixture struct {
	base           string
	writer, reader *loadClient
	owned          [][]*writeRisk
	paths          []string
}

func newWriteFixture(b *testing.B, kind string, writers, readsAtOnce int) *writeFixture {
	b.Helper()
	db := writeBenchDB(b, kind)
	s := web.New(web.Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKeys: testKeys,
		Now: func() time.Time { return dbtest.Now() }, ReadsAtOnce: readsAtOnce})
	handlers.New(s, db)
	srv := httptest.NewServer(s.Echo)
	b.Cleanup(srv.Close)
	f := &writeFixture{base: srv.URL, writer: newLoadClient(b, srv.URL, models.RoleAdmin), reader: newLoadClient(b, srv.URL, models.RoleExecutive)}
	// Live risks spread over the engagements, disjoint per writer, as the harness picks them.
	const perWriter = 40
	var risks []models.Risk
	if err := db.Select("id, version, status").Where("status IN ? AND id % 97 = 1", []string{models.StatusOpen, models.StatusMitigating}).
		Order("id").Limit(writers * perWriter).Find(&risks).Error; err != nil || len(risks) < writers {
		b.Fatalf("risks to write: %d, %v", len(risks), err)
	}
	f.owned = make([][]*writeRisk, writers)
	for i, r := range risks {
		f.owned[i%writers] = append(f.owned[i%writers], &writeRisk{id: r.ID, version: fmt.Sprint(r.Version), status: r.Status})
	}
	first, err := f.reader.do(http.MethodGet, registerFilter, nil, false, http.StatusOK)
	if err != nil {
		b.Fatal(err)
	}
	f.paths = []string{"/", registerFilter, pagerLink(first, "next"), "/risks"}
	return f
}

// BenchmarkRiskStatusUpdate is one quick action at a time, then 8 at once.
func BenchmarkRiskStatusUpdate(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind+"/serial", func(b *testing.B) {
			f := newWriteFixture(b, kind, 1, 0)
			i := 0
			for b.Loop() {
				if err := f.writer.toggle(f.owned[0][i%len(f.owned[0])]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(kind+"/parallel-8", func(b *testing.B) {
			const writers = 8
			f := newWriteFixture(b, kind, writers, 0)
			var next atomic.Int64
			b.SetParallelism((writers + 1) / 2) // × GOMAXPROCS (2 here) goroutines
			b.RunParallel(func(pb *testing.PB) {
				mine := f.owned[int(next.Add(1)-1)%writers]
				i := 0
				for pb.Next() {
					if err := f.writer.toggle(mine[i%len(mine)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkRiskStatusMixed is b.N quick actions made by 8 writers while 32
// readers read the dashboard, the filtered register, its next page and the
// register, with no pause (the load harness's mixed run). ns/op is the wall
// time per write; write-p50/p99-ms are the writes' latencies; reads/s and
// read-p99-ms the readers'. It runs with the server's default admission of
// reads (web.Admission: twice the cores at once), with every read admitted
// at once (as before admission), and with one and four reads per core.
func BenchmarkRiskStatusMixed(b *testing.B) {
	for _, kind := range benchKinds() {
		for _, adm := range []struct {
			name  string
			limit int
		}{{"reads-default", 0}, {"reads-unbounded", -1}, {"reads-1-per-core", runtime.GOMAXPROCS(0)}, {"reads-4-per-core", 4 * runtime.GOMAXPROCS(0)}} {
			b.Run(kind+"/"+adm.name, func(b *testing.B) { mixedRun(b, kind, adm.limit) })
		}
	}
}

func mixedRun(b *testing.B, kind string, readsAtOnce int) {
	const writers, readers = 8, 32
	f := newWriteFixture(b, kind, writers, readsAtOnce)
	var done atomic.Bool
	var rd sync.WaitGroup
	readLat := make([][]time.Duration, readers)
	var readErr atomic.Value
	b.ResetTimer()
	start := time.Now()
	for r := range readers {
		rd.Add(1)
		go func() {
			defer rd.Done()
			for i := 0; !done.Load(); i++ {
				t := time.Now()
				if _, err := f.reader.do(http.MethodGet, f.paths[(r+i)%len(f.paths)], nil, false, http.StatusOK); err != nil {
					readErr.Store(err)
					return
				}
				readLat[r] = append(readLat[r], time.Since(t))
			}
		}()
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	writeLat := make([][]time.Duration, writers)
	var wr sync.WaitGroup
	for w := range writers {
		wr.Add(1)
		go func() {
			defer wr.Done()
			for i := 0; left.Add(-1) >= 0; i++ {
				t := time.Now()
				if err := f.writer.toggle(f.owned[w][i%len(f.owned[w])]); err != nil {
					b.Error(err)
					return
				}
				writeLat[w] = append(writeLat[w], time.Since(t))
			}
		}()
	}
	wr.Wait()
	elapsed := time.Since(start)
	done.Store(true)
	rd.Wait()
	b.StopTimer()
	if err, _ := readErr.Load().(error); err != nil {
		b.Fatal(err)
	}
	ws, rs := slices.Concat(writeLat...), slices.Concat(readLat...)
	b.ReportMetric(ms(pct(ws, 0.50)), "write-p50-ms")
	b.ReportMetric(ms(pct(ws, 0.99)), "write-p99-ms")
	b.ReportMetric(float64(len(rs))/elapsed.Seconds(), "reads/s")
	b.ReportMetric(ms(pct(rs, 0.99)), "read-p99-ms")
}

// pct is the q-quantile of some durations (nearest rank).
func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
