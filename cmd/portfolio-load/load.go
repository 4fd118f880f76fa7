package main

// portfolio load: the load harness of issue 7. It seeds a scale portfolio when
// asked, starts the app as a separate process (this binary, "serve"), signs in
// and measures the hot pages with concurrent connections, printing one table.
// Standard library only, so it runs wherever the app does; figures go in the
// README (Performance).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"portfolio/models"
)

// loadResult is one line of the table.
type loadResult struct {
	name         string
	reqs, errs   int
	secs         float64
	lat          []time.Duration // sorted
	note, target string
	pass         *bool
}

func (r loadResult) rps() float64 { return float64(r.reqs) / max(r.secs, 1e-9) }

func (r loadResult) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

// loadClient is a signed-in browser: a cookie jar, and no redirects followed.
type loadClient struct {
	base string
	http *http.Client
	csrf string
}

var (
	csrfRe    = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)
	statusRe  = regexp.MustCompile(`name="status"[^>]*>(?:<option value="\w+">[^<]*</option>)*<option value="(\w+)" selected>`)
	relRe     = regexp.MustCompile(`<a href="([^"]+)"[^>]*rel="(next|last)"`)
)

func newLoadClient(base string, conns int) *loadClient {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}
	return &loadClient{base: base, http: &http.Client{Jar: jar, Transport: tr, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request and reads the body; any status but want is an error.
func (c *loadClient) do(method, path string, form url.Values, htmx bool, want int) (string, error) {
	return c.request(method, path, form, htmx, want, true)
}

// get requests path and reads its body without keeping it: the load
// generator shares the cores with the server, so it spends as little as it can.
func (c *loadClient) get(path string) error {
	_, err := c.request(http.MethodGet, path, nil, false, http.StatusOK, false)
	return err
}

func (c *loadClient) request(method, path string, form url.Values, htmx bool, want int, keep bool) (string, error) {
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
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var b []byte
	if keep {
		b, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	return string(b), err
}

// signIn signs in as the demo account of role and keeps its CSRF token.
func (c *loadClient) signIn(role string) error {
	page, err := c.do(http.MethodGet, "/login", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		return errors.New("no CSRF token on /login")
	}
	for _, a := range models.DemoAccounts {
		if a.Role == role {
			_, err := c.do(http.MethodPost, "/login", url.Values{"_csrf": {m[1]}, "email": {a.Email}, "password": {a.Password}}, false, http.StatusSeeOther)
			if err != nil {
				return fmt.Errorf("sign in as %s: %w", role, err)
			}
			page, err = c.do(http.MethodGet, "/account", nil, false, http.StatusOK)
			if m = csrfRe.FindStringSubmatch(page); err == nil && m != nil {
				c.csrf = m[1]
			}
			return err
		}
	}
	return fmt.Errorf("no demo %s account (seed the demo users)", role)
}

// hammer runs conns workers for d, each calling fn in a loop, and times every call.
func hammer(name string, conns int, d time.Duration, fn func(worker, i int) error) loadResult {
	var mu sync.Mutex
	res := loadResult{name: name}
	var wg sync.WaitGroup
	start := wallClock.Now()
	stop := start.Add(d)
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for i := 0; wallClock.Now().Before(stop); i++ {
				t := wallClock.Now()
				if err := fn(w, i); err != nil {
					errs++
					if errs == 1 {
						fmt.Fprintf(os.Stderr, "load: %s: %v\n", name, err)
					}
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			res.lat, res.errs = append(res.lat, lat...), res.errs+errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.secs = time.Since(start).Seconds()
	res.reqs = len(res.lat)
	slices.Sort(res.lat)
	return res
}

// procStatus reads VmRSS and VmHWM (MB) of a process from /proc (Linux).
func procStatus(pid int) (rss, hwm float64) {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			kb, _ := strconv.ParseFloat(f[1], 64)
			if f[0] == "VmRSS:" {
				rss = kb / 1024
			} else {
				hwm = kb / 1024
			}
		}
	}
	return rss, hwm
}

// sampleMax calls f every period until the returned stop is called, which
// gives the largest value f returned.
func sampleMax(every time.Duration, f func() int64) (stop func() int64) {
	var most atomic.Int64
	most.Store(f())
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := f(); v > most.Load() {
					most.Store(v)
				}
			}
		}
	}()
	return func() int64 { close(done); <-finished; return most.Load() }
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func verdict(ok bool) *bool { return &ok }

func loadCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	scale := fs.Int("scale", 0, "seed N engagements first when the database has none")
	conns := fs.Int("conns", 8, "concurrent connections for each page")
	dur := fs.Duration("duration", 10*time.Second, "how long each page is measured")
	mixed := fs.Duration("mixed", 60*time.Second, "how long the mixed run of readers and writers lasts")
	readers := fs.Int("readers", 32, "readers in the mixed run")
	writers := fs.Int("writers", 8, "writers in the mixed run (risk status quick actions)")
	filter := fs.String("register", "category=Financial&sort=review", "the register's filter and sort (query string)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	common := []string{"--data", loadDataDir(c)}
	if c.Today != "" {
		common = append(common, "--today", c.Today)
	}
	if c.DatabaseURL != "" {
		common = append(common, "--database-url", c.DatabaseURL)
	}
	run := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, self, append(args, common...)...)
		// The pack is not built ahead, so that no build competes with the
		// pages measured and its first view is timed as built.
		cmd.Env = append(os.Environ(), "PORTFOLIO_DEMO=false", "PORTFOLIO_LOG_LEVEL=warn", "PORTFOLIO_WARM_PACK=false")
		cmd.Stderr = os.Stderr
		return cmd
	}
	if *scale > 0 {
		out, err := run("seed", "--scale", strconv.Itoa(*scale)).Output()
		if err != nil && !strings.Contains(string(out), "already holds") {
			fmt.Fprintf(stdout, "Seed: %s (%v): using the database as it is.\n", strings.TrimSpace(string(out)), err)
		} else {
			fmt.Fprint(stdout, "Seed: ", string(out))
		}
	}
	clock, err := c.clock()
	if err != nil {
		return err
	}
	fy, err := keepBeforeLoad(ctx, *c, stdout)
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv := run("serve", "--addr", addr)
	srv.Stdout = io.Discard
	started := wallClock.Now()
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }()
	base := "http://" + addr
	for {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(started) > 2*time.Minute {
			return errors.New("the app did not become healthy in 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	boot := time.Since(started)
	pid := srv.Process.Pid
	fmt.Fprintf(stdout, "App pid %d at %s, healthy after %s. Each page: %d connections for %s.\n", pid, base, boot.Round(time.Millisecond), *conns, *dur)
	var results []loadResult
	results = append(results, loadResult{name: "start-up to healthy /healthz", note: boot.Round(time.Millisecond).String(),
		target: "≤ 1 s", pass: verdict(boot <= time.Second)})

	reader, admin := newLoadClient(base, *readers), newLoadClient(base, *writers)
	if err := reader.signIn(models.RoleExecutive); err != nil {
		return err
	}
	if err := admin.signIn(models.RoleAdmin); err != nil {
		return err
	}
	get := func(path string) func(int, int) error {
		return func(int, int) error { return reader.get(path) }
	}

	// The dashboard against the same bytes served from memory.
	dash, err := reader.do(http.MethodGet, "/", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	// Steady state: the first seconds after start-up open the database
	// connections and grow the heap (and, for PostgreSQL, start its backends).
	hammer("warm-up", *conns, min(*dur, 2*time.Second), get("/"))
	d := hammer("executive dashboard /", *conns, *dur, get("/"))
	d.target, d.pass = "p99 ≤ 40 ms", verdict(d.errs == 0 && d.pct(0.99) <= 40*time.Millisecond)
	mem, err := memoryServer([]byte(dash))
	if err != nil {
		return err
	}
	memc := newLoadClient(mem, *conns)
	hammer("warm-up", *conns, min(*dur, 2*time.Second), func(int, int) error { return memc.get("/") })
	m := hammer(fmt.Sprintf("same %d bytes from memory", len(dash)), *conns, *dur, func(int, int) error {
		return memc.get("/")
	})
	ratio := d.rps() / max(m.rps(), 1e-9)
	results = append(results, d, m, loadResult{name: "dashboard ÷ memory throughput", note: fmt.Sprintf("%.2f", ratio),
		target: "≥ 0.25", pass: verdict(ratio >= 0.25)})

	// The register: first page, a middle page (by number: an OFFSET from the
	// nearer end; then the page after it through its Next link: a seek), the last.
	first := "/risks?" + *filter
	page, err := reader.do(http.MethodGet, first, nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	links := map[string]string{}
	for _, m := range relRe.FindAllStringSubmatch(page, -1) {
		links[m[2]] = html.UnescapeString(m[1])
	}
	last := links["last"]
	lastN, _ := strconv.Atoi(lastQuery(last, "page"))
	middle := first + "&page=" + strconv.Itoa(max(lastN/2, 1))
	page, _ = reader.do(http.MethodGet, middle, nil, false, http.StatusOK)
	var next string
	for _, m := range relRe.FindAllStringSubmatch(page, -1) {
		if m[2] == "next" {
			next = html.UnescapeString(m[1])
		}
	}
	for _, p := range []struct{ name, path string }{{"register first page", first}, {"register middle page, by number", middle},
		{"register middle page, by Next (seek)", next}, {"register last page", last}} {
		if p.path == "" {
			continue
		}
		r := hammer(p.name, *conns, *dur, get(p.path))
		r.note, r.target, r.pass = p.path, "p99 ≤ 30 ms", verdict(r.errs == 0 && r.pct(0.99) <= 30*time.Millisecond)
		results = append(results, r)
	}
	// Every page by number in turn, each drawn anew: the unique "fresh"
	// parameter misses the kept page, so this is a page nobody asked for yet
	// (the filter's tally and page ends are still shared, as for a user paging).
	if lastN > 1 {
		var n atomic.Int64
		r := hammer("register, every page by number, drawn anew", *conns, *dur, func(int, int) error {
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
	csv, err := reader.do(http.MethodGet, "/risks/export?status=all&format=csv", nil, false, http.StatusOK)
	took := time.Since(t)
	peak := peakRSS()
	rows := strings.Count(csv, "\n") - 1
	results = append(results, loadResult{name: "CSV export, whole register", reqs: 1, errs: map[bool]int{true: 1}[err != nil], secs: took.Seconds(),
		lat: []time.Duration{took}, note: fmt.Sprintf("%d rows, %.1f MB, server RSS %.0f → peak %d MB", rows, float64(len(csv))/1e6, before, peak),
		target: "< 10 s, flat memory", pass: verdict(err == nil && took < 10*time.Second && float64(peak)-before < 50)})

	results = append(results, pastPages(reader, fy, clock.Today())...)

	// The write-ahead log's largest size in the mixed run (SQLite): bounded by
	// the checkpointer (models/db_checkpoint.go), read back by a start after a crash.
	peakLog := func() int64 { return -1 }
	if c.DatabaseURL == "" {
		peakLog = sampleMax(100*time.Millisecond, func() int64 {
			fi, err := os.Stat(models.SQLitePath(c.DataDir) + "-wal")
			if err != nil {
				return 0
			}
			return fi.Size() >> 20
		})
	}
	mixedResults := mixedRun(admin, reader, *readers, *writers, *mixed, first, next, clock.Today())
	if mb := peakLog(); mb >= 0 {
		mixedResults[0].note = fmt.Sprintf("write-ahead log at most %d MB", mb)
	}
	results = append(results, mixedResults...)
	rss, hwm := procStatus(pid)
	results = append(results, loadResult{name: "server resident memory", note: fmt.Sprintf("VmRSS %.0f MB, VmHWM %.0f MB", rss, hwm),
		target: "≤ 200 MB", pass: verdict(hwm <= 200)})
	printTable(stdout, results)
	return nil
}

// lastQuery reads one query parameter of a path.
func lastQuery(path, key string) string {
	u, err := url.Parse(path)
	if err != nil {
		return ""
	}
	return u.Query().Get(key)
}

// memoryServer serves body from memory on a port of its own (the yardstick).
func memoryServer(body []byte) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
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
			if len(owned[w]) == 0 {
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

func printTable(w io.Writer, rs []loadResult) {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	fmt.Fprintf(w, "\n| %-42s | %7s | %6s | %8s | %7s | %7s | %7s | %-22s | %-4s |\n", "measure", "reqs", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "target", "")
	fmt.Fprintf(w, "|%s|%s:|%s:|%s:|%s:|%s:|%s:|%s|%s|\n", strings.Repeat("-", 44), strings.Repeat("-", 8), strings.Repeat("-", 7),
		strings.Repeat("-", 9), strings.Repeat("-", 8), strings.Repeat("-", 8), strings.Repeat("-", 8), strings.Repeat("-", 24), strings.Repeat("-", 6))
	for _, r := range rs {
		res := ""
		if r.pass != nil {
			res = map[bool]string{true: "pass", false: "MISS"}[*r.pass]
		}
		if r.reqs == 0 {
			fmt.Fprintf(w, "| %-42s | %7s | %6s | %8s | %7s | %7s | %7s | %-22s | %-4s |\n", r.name+": "+r.note, "", "", "", "", "", "", r.target, res)
			continue
		}
		fmt.Fprintf(w, "| %-42s | %7d | %6d | %8.1f | %7s | %7s | %7s | %-22s | %-4s |\n", r.name, r.reqs, r.errs, r.rps(),
			ms(r.pct(0.5)), ms(r.pct(0.95)), ms(r.pct(0.99)), r.target, res)
	}
	for _, r := range rs {
		if r.reqs > 0 && r.note != "" {
			fmt.Fprintf(w, "  %s: %s\n", r.name, r.note)
		}
	}
}

// loadDataDir gives PostgreSQL runs a data directory of their own for the
// session keys, so that a load run never writes into ./data.
func loadDataDir(c *config) string {
	if c.DatabaseURL != "" && c.DataDir == "./data" {
		return filepath.Join(os.TempDir(), "portfolio-load")
	}
	return c.DataDir
}

// wallClock times the load harness's requests: the machine's clock, whatever
// day the app under load runs on.
var wallClock = models.SystemClock()
