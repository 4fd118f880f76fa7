package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"portfolio/models/dbtest"
)

// The harness end to end: both binaries built as the README says, the demo
// portfolio seeded, then every run for a second or two a page: the table is
// printed and the pages answer without an error, the start-up run's included.
// It builds and runs both binaries: -short skips it.
func TestHarnessEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the app and the harness and runs them for about 20 s")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command builds the binaries: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	// The harness and its children read nothing of the environment's PORTFOLIO_* settings.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PORTFOLIO_") {
			env = append(env, kv)
		}
	}
	runCmd := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args[:min(2, len(args))], " "), time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
		}
		return out.String()
	}
	// The harness finds the app next to itself.
	runCmd(goBin, "build", "-o", filepath.Join(dir, "portfolio"), "../portfolio")
	runCmd(goBin, "build", "-o", filepath.Join(dir, "portfolio-load"), ".")
	data, today := filepath.Join(dir, "data"), dbtest.Today().String()
	runCmd(filepath.Join(dir, "portfolio"), "seed", "--demo", "--data", data, "--today", today)
	out := runCmd(filepath.Join(dir, "portfolio-load"), "--data", data, "--today", today,
		"--conns", "2", "--duration", "1s", "--mixed", "1s", "--readers", "2", "--writers", "2", "--startup", "2s")
	t.Logf("the harness printed:\n%s", out)

	if !strings.Contains(out, "| measure ") {
		t.Fatal("no table printed")
	}
	if !strings.Contains(out, "snapshot taken from") { // dropped before the start-up run, taken again by the server
		t.Error("the start-up run saw no snapshot of the register taken")
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if cells := strings.Split(line, "|"); len(cells) == 11 {
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows[cells[1]] = cells[2:10]
		}
	}
	for _, page := range []string{"executive dashboard /", "register first page", "start-up, first 2s: dashboard /", "start-up, first 2s: register first page"} {
		cells, ok := rows[page]
		if !ok {
			t.Errorf("no row %q", page)
			continue
		}
		reqs, _ := strconv.Atoi(cells[0])
		if reqs == 0 || cells[1] != "0" {
			t.Errorf("%s: %s requests, %s errors; want some, and no error", page, cells[0], cells[1])
		}
	}
	for _, measure := range []string{"dashboard ÷ memory throughput", "CSV export, whole register", "review pack, first view (built)", "start-up run"} {
		found := false
		for name := range rows {
			found = found || strings.HasPrefix(name, measure)
		}
		if !found {
			t.Errorf("no row for %q", measure)
		}
	}
	if !strings.Contains(out, "(gzip)") {
		t.Error("the dashboard was not sent compressed")
	}
}
