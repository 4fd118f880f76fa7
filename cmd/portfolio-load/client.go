package main

// The harness's browser (a signed-in client asking for gzip), the loop that
// times requests over connections, and the table the results print as.

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"portfolio/models"
	"portfolio/models/seed"
)

// wallClock times the load harness's requests: the machine's clock, whatever
// day the app under load runs on.
var wallClock = models.SystemClock()

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

func verdict(ok bool) *bool { return &ok }

// loadClient is a signed-in browser: a cookie jar, no redirects followed, and
// gzip asked for as a browser asks for it.
type loadClient struct {
	base string
	http *http.Client
	csrf string
}

var (
	csrfRe    = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)
	statusRe  = regexp.MustCompile(`name="status"[^>]*>(?:\s*<option value="\w*">[^<]*</option>)*\s*<option value="(\w+)" selected>`)
	relRe     = regexp.MustCompile(`<a href="([^"]+)"[^>]*rel="(next|last)"`)
)

func newLoadClient(base string, conns int) *loadClient {
	jar, _ := cookiejar.New(nil)
	// DisableCompression: the client sets Accept-Encoding itself and decodes
	// only the bodies it reads (tokens, links, versions); the timed pages are
	// discarded as they come, still compressed, so the load generator, which
	// shares the cores with the server, spends nothing on decompressing them.
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute, DisableCompression: true}
	return &loadClient{base: base, http: &http.Client{Jar: jar, Transport: tr, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// reading says what request does with a response's body.
type reading int

const (
	discard reading = iota // read and drop it (the timed requests)
	decode                 // keep it, decompressed
	raw                    // keep it as sent (the memory server's yardstick)
)

// reply is a response's body as read and what it was on the wire.
type reply struct {
	body    []byte
	wire    int64 // bytes received
	gzipped bool
}

// do sends a request and keeps its body, decompressed; any status but want is an error.
func (c *loadClient) do(method, path string, form url.Values, htmx bool, want int) (string, error) {
	r, err := c.request(method, path, form, htmx, want, decode)
	return string(r.body), err
}

// get requests path and reads its body without keeping it.
func (c *loadClient) get(path string) error {
	_, err := c.request(http.MethodGet, path, nil, false, http.StatusOK, discard)
	return err
}

func (c *loadClient) request(method, path string, form url.Values, htmx bool, want int, how reading) (reply, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	r := reply{gzipped: resp.Header.Get("Content-Encoding") == "gzip"}
	wire := &countingReader{r: resp.Body}
	switch {
	case how == discard:
		_, err = io.Copy(io.Discard, wire)
	case how == raw || !r.gzipped:
		r.body, err = io.ReadAll(wire)
	default:
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(wire); err == nil {
			r.body, err = io.ReadAll(zr)
		}
	}
	r.wire = wire.n
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	return r, err
}

// countLines streams path's body, decompressed, counting its lines and
// bytes without keeping it (a whole register as CSV is 100 MB and more).
func (c *loadClient) countLines(path string) (lines, size, wire int64, err error) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, 0, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	cr := &countingReader{r: resp.Body}
	var in io.Reader = cr
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(cr)
		if err != nil {
			return 0, 0, 0, err
		}
		in = zr
	}
	lc := &lineCounter{}
	size, err = io.Copy(lc, in)
	return lc.lines, size, cr.n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type lineCounter struct{ lines int64 }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.lines += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
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
	for _, a := range seed.DemoAccounts {
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

// sample is one timed request: when it began, how long it took, which of a
// run's kinds of request it was.
type sample struct {
	at   time.Time
	lat  time.Duration
	kind int
	err  bool
}

// timeRequests runs conns workers for d, each calling fn in a loop, and times
// every call; fn says which kind of request it made.
func timeRequests(name string, conns int, d time.Duration, fn func(worker, i int) (kind int, err error)) (all []sample, secs float64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := wallClock.Now()
	stop := start.Add(d)
	var reported atomic.Bool
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			for i := 0; wallClock.Now().Before(stop); i++ {
				t := wallClock.Now()
				kind, err := fn(w, i)
				if err != nil && !reported.Swap(true) {
					fmt.Fprintf(os.Stderr, "load: %s: %v\n", name, err)
				}
				mine = append(mine, sample{at: t, lat: time.Since(t), kind: kind, err: err != nil})
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, time.Since(start).Seconds()
}

// summarise makes a line of the table of the samples keep selects.
func summarise(name string, all []sample, secs float64, keep func(sample) bool) loadResult {
	res := loadResult{name: name, secs: secs}
	for _, s := range all {
		if keep(s) {
			res.lat = append(res.lat, s.lat)
			if s.err {
				res.errs++
			}
		}
	}
	res.reqs = len(res.lat)
	slices.Sort(res.lat)
	return res
}

// hammer runs conns workers for d, each calling fn in a loop, and times every call.
func hammer(name string, conns int, d time.Duration, fn func(worker, i int) error) loadResult {
	all, secs := timeRequests(name, conns, d, func(w, i int) (int, error) { return 0, fn(w, i) })
	return summarise(name, all, secs, func(sample) bool { return true })
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
