package main

// The harness's run: seed when asked, take snapshots of the register at the
// quarters' ends, start the app, then measure the dashboard (against the same
// bytes served from memory), the register's pages, the CSV export, the last
// quarter's pages, a mixed run of readers and writers, and the start-up run
// (startup.go). Standard library only, besides the app's models for seeding
// and sign-in details, so it runs wherever the app does.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// harness is a run's settings and how it starts the app.
type harness struct {
	o      options
	clock  models.Clock // the app's clock (--today), for the dates the writers send
	common []string     // the app's flags: data directory, database, day
}

// command is the app binary run with args and the harness's settings, its
// standard error the harness's.
func (h *harness) command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, h.o.bin, append(args, h.common...)...)
	// Later entries win: env may set the log level or the pack's building ahead.
	cmd.Env = append(os.Environ(), "PORTFOLIO_DEMO=false", "PORTFOLIO_LOG_LEVEL=warn", "PORTFOLIO_WARM_PACK=false")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// server is a running app.
type server struct {
	cmd     *exec.Cmd
	base    string
	pid     int
	started time.Time     // when the process was started
	boot    time.Duration // from then to a healthy /healthz
	stopped sync.Once
}

// start runs `serve` on a free port with env and waits for /healthz.
func (h *harness) start(ctx context.Context, env []string, stderr io.Writer) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := h.command(ctx, env, "serve", "--addr", addr)
	cmd.Stdout = io.Discard
	if stderr != nil {
		cmd.Stderr = stderr
	}
	s := &server{cmd: cmd, base: "http://" + addr, started: wallClock.Now()}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.pid = cmd.Process.Pid
	for {
		if r, err := http.Get(s.base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(s.started) > 2*time.Minute || ctx.Err() != nil {
			s.stop()
			return nil, errors.New("the app did not become healthy in 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.boot = time.Since(s.started)
	return s, nil
}

// stop stops the app as Ctrl+C does (a clean shutdown closes the database).
func (s *server) stop() {
	s.stopped.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	})
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// load is the whole run.
func load(ctx context.Context, o options, stdout io.Writer) error {
	h := &harness{o: o, clock: models.SystemClock(), common: []string{"--data", loadDataDir(o)}}
	if o.today != "" {
		d, err := models.ParseDate(o.today)
		if err != nil {
			return fmt.Errorf("--today: %w", err)
		}
		h.clock = models.ClockAt(d)
		h.common = append(h.common, "--today", o.today)
	}
	if o.databaseURL != "" {
		h.common = append(h.common, "--database-url", o.databaseURL)
	}
	fmt.Fprintf(stdout, "App: %s.\n", o.bin)
	if o.scale > 0 {
		out, err := h.command(ctx, nil, "seed", "--scale", strconv.Itoa(o.scale)).Output()
		if err != nil && !strings.Contains(string(out), "already holds") {
			fmt.Fprintf(stdout, "Seed: %s (%v): using the database as it is.\n", strings.TrimSpace(string(out)), err)
		} else {
			fmt.Fprint(stdout, "Seed: ", string(out))
		}
	}
	fy, err := snapshotBeforeLoad(ctx, h, stdout)
	if err != nil {
		return err
	}
	var results []loadResult
	if !o.startupOnly {
		if results, err = measure(ctx, h, fy, stdout); err != nil {
			return err
		}
	}
	if o.startup > 0 {
		rs, err := startupRun(ctx, h, stdout)
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	printTable(stdout, results)
	return nil
}

// measure starts the app with its background building of the review pack
// off (command), so that no build competes with the pages measured and the pack's first
// view is timed as built, and measures it; it stops the app at the end.
func measure(ctx context.Context, h *harness, fy models.Fiscal, stdout io.Writer) ([]loadResult, error) {
	o := h.o
	srv, err := h.start(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	base, pid := srv.base, srv.pid
	fmt.Fprintf(stdout, "App pid %d at %s, healthy after %s. Each page: %d connections for %s.\n", pid, base, srv.boot.Round(time.Millisecond), o.conns, o.dur)
	var results []loadResult
	results = append(results, loadResult{name: "start-up to healthy /healthz", note: srv.boot.Round(time.Millisecond).String(),
		target: "≤ 1 s", pass: verdict(srv.boot <= time.Second)})

	reader, admin := newLoadClient(base, o.readers), newLoadClient(base, o.writers)
	if err := reader.signIn(models.RoleExecutive); err != nil {
		return nil, err
	}
	if err := admin.signIn(models.RoleAdmin); err != nil {
		return nil, err
	}
	get := func(path string) func(int, int) error {
		return func(int, int) error { return reader.get(path) }
	}

	// The dashboard against the same bytes, as sent (compressed), served from memory.
	dash, err := reader.request(http.MethodGet, "/", nil, false, http.StatusOK, raw)
	if err != nil {
		return nil, err
	}
	dashSize := len(dash.body)
	if dash.gzipped {
		dashSize = len(decompressed(dash.body))
	}
	// Steady state: the first seconds after start-up open the database
	// connections and grow the heap (and, for PostgreSQL, start its backends).
	hammer("warm-up", o.conns, min(o.dur, 2*time.Second), get("/"))
	d := hammer("executive dashboard /", o.conns, o.dur, get("/"))
	d.target, d.pass = "p99 ≤ 40 ms", verdict(d.errs == 0 && d.pct(0.99) <= 40*time.Millisecond)
	d.note = fmt.Sprintf("%.1f KB of HTML, %.1f KB sent%s", float64(dashSize)/1e3, float64(len(dash.body))/1e3, map[bool]string{true: " (gzip)"}[dash.gzipped])
	mem, err := memoryServer(dash.body, dash.gzipped)
	if err != nil {
		return nil, err
	}
	memc := newLoadClient(mem, o.conns)
	hammer("warm-up", o.conns, min(o.dur, 2*time.Second), func(int, int) error { return memc.get("/") })
	m := hammer(fmt.Sprintf("same %d bytes from memory", len(dash.body)), o.conns, o.dur, func(int, int) error {
		return memc.get("/")
	})
	ratio := d.rps() / max(m.rps(), 1e-9)
	results = append(results, d, m, loadResult{name: "dashboard ÷ memory throughput", note: fmt.Sprintf("%.2f", ratio),
		target: "≥ 0.25", pass: verdict(ratio >= 0.25)})

	// The register: first page, a middle page (by number: an OFFSET from the
	// nearer end; then the page after it through its Next link: a seek), the last.
	first := "/risks?" + o.register
	page, err := reader.request(http.MethodGet, first, nil, false, http.StatusOK, decode)
	if err != nil {
		return nil, err
	}
	links := map[string]string{}
	for _, m := range relRe.FindAllStringSubmatch(string(page.body), -1) {
		links[m[2]] = html.UnescapeString(m[1])
	}
	last := links["last"]
	lastN, _ := strconv.Atoi(lastQuery(last, "page"))
	middle := first + "&page=" + strconv.Itoa(max(lastN/2, 1))
	mid, _ := reader.do(http.MethodGet, middle, nil, false, http.StatusOK)
	var next string
	for _, m := range relRe.FindAllStringSubmatch(mid, -1) {
		if m[2] == "next" {
			next = html.UnescapeString(m[1])
		}
	}
	for _, p := range []struct{ name, path string }{{"register first page", first}, {"register middle page, by number", middle},
		{"register middle page, by Next (seek)", next}, {"register last page", last}} {
		if p.path == "" {
			continue
		}
		r := hammer(p.name, o.conns, o.dur, get(p.path))
		r.note, r.target, r.pass = p.path, "p99 ≤ 30 ms", verdict(r.errs == 0 && r.pct(0.99) <= 30*time.Millisecond)
		if p.path == first {
			r.note += fmt.Sprintf(" (%.1f KB of HTML, %.1f KB sent)", float64(len(page.body))/1e3, float64(page.wire)/1e3)
		}
		results = append(results, r)
	}
	// Every page by number in turn, each rendered afresh: the unique "fresh"
	// parameter misses the cached page, so this is a page nobody asked for yet
	// (the filter's tally and page ends are still shared, as for a user paging).
	if lastN > 1 {
		var n atomic.Int64
		r := hammer("register, every page by number, rendered afresh", o.conns, o.dur, func(int, int) error {
			i := n.Add(1)
			return reader.get(fmt.Sprintf("%s&page=%d&fresh=%d", first, 1+i%int64(lastN), i))
		})
		r.note, r.target, r.pass = fmt.Sprintf("pages 1–%d", lastN), "p99 ≤ 30 ms", verdict(r.errs == 0 && r.pct(0.99) <= 30*time.Millisecond)
		results = append(results, r)
	}

	// The whole register as CSV, with the server's resident memory sampled.
	before, _ := procStatus(pid)
	peakRSS := sampleMax(10*time.Millisecond, func() int64 { rss, _ := procStatus(pid); return int64(rss) })
	t := wallClock.Now()
	lines, size, wire, err := reader.countLines("/risks/export?status=all&format=csv")
	took := time.Since(t)
	peak := peakRSS()
	results = append(results, loadResult{name: "CSV export, whole register", reqs: 1, errs: map[bool]int{true: 1}[err != nil], secs: took.Seconds(),
		lat: []time.Duration{took}, note: fmt.Sprintf("%d rows, %.1f MB (%.1f MB sent), server RSS %.0f → peak %d MB", lines-1, float64(size)/1e6, float64(wire)/1e6, before, peak),
		target: "< 10 s, flat memory", pass: verdict(err == nil && took < 10*time.Second && float64(peak)-before < 50)})

	results = append(results, pastPages(reader, fy, h.clock.Today())...)

	// The write-ahead log's largest size in the mixed run (SQLite): bounded by
	// the checkpoint loop (models/sqlstore/checkpoint.go), read back by a start after a crash.
	peakLog := func() int64 { return -1 }
	if o.databaseURL == "" {
		peakLog = sampleMax(100*time.Millisecond, func() int64 {
			fi, err := os.Stat(sqlstore.SQLitePath(o.dataDir) + "-wal")
			if err != nil {
				return 0
			}
			return fi.Size() >> 20
		})
	}
	mixedResults := mixedRun(admin, reader, o.readers, o.writers, o.mixed, first, next, h.clock.Today())
	if mb := peakLog(); mb >= 0 {
		mixedResults[0].note = fmt.Sprintf("write-ahead log at most %d MB", mb)
	}
	results = append(results, mixedResults...)
	rss, hwm := procStatus(pid)
	results = append(results, loadResult{name: "server resident memory", note: fmt.Sprintf("VmRSS %.0f MB, VmHWM %.0f MB", rss, hwm),
		target: "≤ 200 MB", pass: verdict(hwm <= 200)})
	return results, nil
}

// lastQuery reads one query parameter of a path.
func lastQuery(path, key string) string {
	u, err := url.Parse(path)
	if err != nil {
		return ""
	}
	return u.Query().Get(key)
}

// memoryServer serves body from memory on a port of its own (the yardstick):
// the dashboard's bytes as the app sent them, compressed when they were, so
// that both servers send the same bytes and neither decompresses.
func memoryServer(body []byte, gzipped bool) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if gzipped {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Vary", "Accept-Encoding")
		}
		w.Write(body)
	}))
	return "http://" + ln.Addr().String(), nil
}

// mixedRun is readers reading the dashboard, the register and its next page
// while writers move risks between open and mitigating (the register's quick
// action, as htmx sends it, with the CSRF token and the row's version).
func mixedRun(admin, reader *loadClient, readers, writers int, d time.Duration, first, next string, today models.Date) []loadResult {
	const perWriter = 40
	type risk struct {
		id      int
		version string
		status  string
	}
	owned := make([][]*risk, writers)
	for w := range writers {
		for i := range perWriter {
			id := 1 + (w+i*writers)*97 // spread over engagements, disjoint per writer
			page, err := admin.do(http.MethodGet, fmt.Sprintf("/risks/%d/edit", id), nil, false, http.StatusOK)
			m, st := versionRe.FindStringSubmatch(page), statusRe.FindStringSubmatch(page)
			if err == nil && m != nil && st != nil && st[1] != "accepted" {
				owned[w] = append(owned[w], &risk{id: id, version: m[1], status: st[1]})
			}
		}
	}
	var wr, rd loadResult
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		wr = hammer(fmt.Sprintf("mixed: %d writers, risk status changes and closes", writers), writers, d, func(w, i int) error {
			if len(owned[w]) == 0 { // a small portfolio: the writer's risks do not exist
				time.Sleep(100 * time.Millisecond) // an error counted, not a loop spinning on the cores
				return errors.New("no risk to write")
			}
			r := owned[w][i%len(owned[w])]
			// Each risk goes round open → mitigating → closed → open: the
			// commonest change (which cannot alter its engagement's health), and
			// a close and a reopening, which refresh it.
			st := map[string]string{"open": "mitigating", "mitigating": "closed", "closed": "open"}[r.status]
			action, form := "status", url.Values{"status": {st}}
			if st == "closed" {
				action, form = "close", url.Values{"closed_on": {today.String()}, "closed_reason": {"Load run"}}
			}
			form.Set("_csrf", admin.csrf)
			form.Set("version", r.version)
			form.Set("back", "/risks")
			body, err := admin.do(http.MethodPost, fmt.Sprintf("/risks/%d/%s", r.id, action), form, true, http.StatusOK)
			if err != nil {
				return err
			}
			if m := versionRe.FindStringSubmatch(body); m != nil {
				r.version, r.status = m[1], st
			} else {
				return errors.New("the updated row has no version")
			}
			return nil
		})
	}()
	paths := []string{"/", first, next, "/risks"}
	go func() {
		defer wg.Done()
		rd = hammer(fmt.Sprintf("mixed: %d readers, dashboard and register", readers), readers, d, func(w, i int) error {
			p := paths[(w+i)%len(paths)]
			if p == "" {
				p = "/"
			}
			return reader.get(p)
		})
	}()
	wg.Wait()
	wr.target, wr.pass = "0 errors, p99 ≤ 50 ms", verdict(wr.errs == 0 && wr.pct(0.99) <= 50*time.Millisecond)
	rd.target, rd.pass = "0 errors", verdict(rd.errs == 0)
	return []loadResult{wr, rd}
}

// loadDataDir gives PostgreSQL runs a data directory of their own for the
// session keys, so that a load run never writes into ./data.
func loadDataDir(o options) string {
	if o.databaseURL != "" && o.dataDir == "./data" {
		return filepath.Join(os.TempDir(), "portfolio-load")
	}
	return o.dataDir
}
