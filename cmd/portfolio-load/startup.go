package main

// The start-up run: a fresh start of the app on the same data with its
// background work on, its pages asked for from the moment it is healthy.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"portfolio/models"
)

// packBuiltMsg is the line the app logs once it has built the last quarter's
// review pack ahead, with how long the build took (handlers,
// App.BuildReviewPackAhead): the harness reads the build's span from it.
const packBuiltMsg = "built the review pack ahead"

// snapshotsMsg is the line the app logs once it has stored the register's
// snapshots at the quarters' ends (cmd/portfolio, snapshotQuarterEnds).
const snapshotsMsg = "stored the register's snapshots at the quarters' ends"

// startupRun starts the app afresh on the same data with its background
// work on (the health refresh at start, and the last quarter's review pack
// built ahead once the data has been quiet for two of its 10-second looks,
// about 20 s after the start; and, first, the register's snapshot at the
// last quarter's end, which the harness drops before the start so that the
// server takes it again, as on its first start after a quarter ends), and asks for the dashboard and the register's
// first page over the usual connections, without pause, for --startup from
// the moment it is healthy and signed in. It reports those requests, and
// apart those that ran while the pack was being built.
//
// The app logs at info, as JSON, as it does in production by default (the
// other runs log at warn): the line saying the pack was built is an info
// line. Every request is then logged too, which costs the app a little on
// each request.
func startupRun(ctx context.Context, h *harness, stdout io.Writer) ([]loadResult, error) {
	o := h.o
	if err := dropLastSnapshot(ctx, h); err != nil {
		return nil, err
	}
	watch := &logWatch{}
	srv, err := h.start(ctx, []string{"PORTFOLIO_WARM_PACK=true", "PORTFOLIO_LOG_LEVEL=info", "PORTFOLIO_LOG_FORMAT=json"}, watch)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	reader := newLoadClient(srv.base, o.conns)
	if err := reader.signIn(models.RoleExecutive); err != nil {
		return nil, err
	}
	signedIn := time.Since(srv.started)
	fmt.Fprintf(stdout, "Start-up run: app pid %d, its background work on, healthy after %s, signed in after %s; the dashboard and the register's first page, %d connections for %s.\n",
		srv.pid, srv.boot.Round(time.Millisecond), signedIn.Round(time.Millisecond), o.conns, o.startup)
	paths := []string{"/", "/risks?" + o.register}
	all, secs := timeRequests("start-up run", o.conns, o.startup, func(w, i int) (int, error) {
		k := (w + i) % len(paths)
		return k, reader.get(paths[k])
	})
	_, hwm := procStatus(srv.pid)
	srv.stop()

	pass := func(r loadResult) loadResult {
		r.target, r.pass = "p99 ≤ 30 ms", verdict(r.errs == 0 && r.pct(0.99) <= 30*time.Millisecond)
		return r
	}
	names := []string{"dashboard /", "register first page"}
	first := "first " + span(o.startup)
	var out []loadResult
	for k, name := range names {
		out = append(out, pass(summarise("start-up, "+first+": "+name, all, secs, func(s sample) bool { return s.kind == k })))
	}
	builds, snapshots, failed := watch.jobs()
	what := fmt.Sprintf("healthy after %s, server VmHWM %.0f MB", srv.boot.Round(time.Millisecond), hwm)
	for _, b := range snapshots {
		what += fmt.Sprintf("; snapshot taken from %.1f s to %.1f s after the start (%s)",
			b.from.Sub(srv.started).Seconds(), b.to.Sub(srv.started).Seconds(), b.to.Sub(b.from).Round(time.Millisecond))
	}
	for _, b := range builds {
		what += fmt.Sprintf("; pack built from %.1f s to %.1f s after the start (%s)",
			b.from.Sub(srv.started).Seconds(), b.to.Sub(srv.started).Seconds(), b.to.Sub(b.from).Round(time.Millisecond))
	}
	if failed != "" {
		what += "; a background job failed: " + failed
	}
	if len(snapshots) == 0 {
		what += "; no snapshot was taken within the run"
	}
	if len(builds) == 0 {
		what += "; no build of the pack finished within the run"
	}
	out = append(out, loadResult{name: "start-up run", note: what})
	for _, job := range []struct {
		name string
		runs []build
	}{{"snapshot being taken", snapshots}, {"pack building", builds}} {
		if len(job.runs) == 0 {
			continue
		}
		during := func(s sample) bool {
			for _, b := range job.runs {
				if s.at.Before(b.to) && s.at.Add(s.lat).After(b.from) {
					return true
				}
			}
			return false
		}
		var secs float64
		for _, b := range job.runs {
			secs += b.to.Sub(b.from).Seconds()
		}
		for k, name := range names {
			out = append(out, pass(summarise("start-up, "+job.name+": "+name, all, secs, func(s sample) bool { return s.kind == k && during(s) })))
		}
	}
	return out, nil
}

// span is a duration as the table names it: "minute", "2 minutes", "20s".
func span(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "minute"
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// build is when the app ran a background job (built the pack, took a snapshot).
type build struct{ from, to time.Time }

// logWatch reads the app's JSON log: it keeps the pack's builds, passes
// warnings and errors on to the harness's standard error, and drops the rest
// (a line per request).
type logWatch struct {
	mu        sync.Mutex
	partial   []byte
	builds    []build
	snapshots []build
	failed    string
}

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
	if len(l.partial) == 0 {
		l.partial = nil // drop the grown buffer's front
	}
	return len(p), nil
}

func (l *logWatch) line(line []byte) {
	warn := bytes.Contains(line, []byte(`"level":"WARN"`)) || bytes.Contains(line, []byte(`"level":"ERROR"`))
	if warn {
		os.Stderr.Write(append(append([]byte("app: "), line...), '\n'))
	}
	if !bytes.Contains(line, []byte("review pack")) && !bytes.Contains(line, []byte("snapshots")) {
		return
	}
	var rec struct {
		Time time.Time     `json:"time"`
		Msg  string        `json:"msg"`
		Took time.Duration `json:"took"` // slog writes a duration as nanoseconds
		Err  string        `json:"err"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return
	}
	switch {
	case rec.Msg == packBuiltMsg:
		l.builds = append(l.builds, build{from: rec.Time.Add(-rec.Took), to: rec.Time})
	case rec.Msg == snapshotsMsg, rec.Msg == "kept the register as at the quarters' ends": // builds before db976a7 word it so
		l.snapshots = append(l.snapshots, build{from: rec.Time.Add(-rec.Took), to: rec.Time})
	case warn:
		l.failed = rec.Msg + ": " + rec.Err
	}
}

// jobs are the pack's builds and the snapshots seen, and why one failed if one did.
func (l *logWatch) jobs() (builds, snapshots []build, failed string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.builds, l.snapshots, l.failed
}
