// Command portfolio-load is the load harness: it seeds a scale portfolio when
// asked, starts the app (a separate portfolio binary, "serve") on that data,
// signs in and measures the hot pages with concurrent connections, then a
// fresh start of the app while its background work runs, and prints one
// table (README: Performance). It is a tool for the people who work on the
// app, not part of what users run, so it is a binary of its own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) { // the flags were printed
			return
		}
		fmt.Fprintln(os.Stderr, "portfolio-load:", err)
		os.Exit(1)
	}
}

// options are the harness's flags.
type options struct {
	bin         string // the app binary
	dataDir     string
	databaseURL string
	today       string
	scale       int
	conns       int
	dur         time.Duration
	mixed       time.Duration
	readers     int
	writers     int
	register    string
	startup     time.Duration
	startupOnly bool
}

// run is main without the process, for tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	o, err := parseFlags(args, getenv, stdout)
	if err != nil {
		return err
	}
	if o.bin, err = appBinary(o.bin); err != nil {
		return err
	}
	return load(ctx, o, stdout)
}

func parseFlags(args []string, getenv func(string) string, stdout io.Writer) (options, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var o options
	fs := flag.NewFlagSet("portfolio-load", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprint(stdout, `Usage: portfolio-load [flags]

Starts the app (--bin) on the data directory or database given, measures its hot
pages under load and prints a table (README: Performance). Build both first:
  go build -o portfolio ./cmd/portfolio && go build -o portfolio-load ./cmd/portfolio-load

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.bin, "bin", "", "the app binary (default: portfolio next to this binary, else on PATH)")
	fs.StringVar(&o.dataDir, "data", env("PORTFOLIO_DATA_DIR", "./data"), "data directory (PORTFOLIO_DATA_DIR)")
	fs.StringVar(&o.databaseURL, "database-url", getenv("PORTFOLIO_DATABASE_URL"), "postgres:// URL (PORTFOLIO_DATABASE_URL; default: SQLite in the data directory)")
	fs.StringVar(&o.today, "today", getenv("PORTFOLIO_TODAY"), "run the app as if it were this day, YYYY-MM-DD (PORTFOLIO_TODAY)")
	fs.IntVar(&o.scale, "scale", 0, "seed N engagements first when the database has none")
	fs.IntVar(&o.conns, "conns", 8, "concurrent connections for each page")
	fs.DurationVar(&o.dur, "duration", 10*time.Second, "how long each page is measured")
	fs.DurationVar(&o.mixed, "mixed", 60*time.Second, "how long the mixed run of readers and writers lasts")
	fs.IntVar(&o.readers, "readers", 32, "readers in the mixed run")
	fs.IntVar(&o.writers, "writers", 8, "writers in the mixed run (risk status quick actions)")
	fs.StringVar(&o.register, "register", "category=Financial&sort=review", "the register's filter and sort (query string)")
	fs.DurationVar(&o.startup, "startup", 60*time.Second, "the start-up run: how long a fresh start of the app is measured, its background work on (0: none)")
	fs.BoolVar(&o.startupOnly, "startup-only", false, "run the start-up run alone")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (flags only; see --help)", fs.Args())
	}
	if o.conns < 1 || o.readers < 1 || o.writers < 1 {
		return o, errors.New("--conns, --readers and --writers must be at least 1")
	}
	if o.startupOnly && o.startup <= 0 {
		return o, errors.New("--startup-only needs a --startup duration")
	}
	return o, nil
}

// buildHint says how to get the app binary.
const buildHint = "build it with `go build -o portfolio ./cmd/portfolio` and pass --bin ./portfolio"

// appBinary is the app binary the harness starts: the one given, else a
// portfolio next to this binary, else one on PATH.
func appBinary(given string) (string, error) {
	if given != "" {
		p, err := exec.LookPath(given)
		if err != nil {
			return "", fmt.Errorf("--bin %s: %w (%s)", given, err, buildHint)
		}
		return filepath.Abs(p)
	}
	if self, err := os.Executable(); err == nil {
		next := filepath.Join(filepath.Dir(self), "portfolio")
		if st, err := os.Stat(next); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return next, nil
		}
	}
	if p, err := exec.LookPath("portfolio"); err == nil {
		return filepath.Abs(p)
	}
	return "", errors.New("no portfolio binary next to this one or on PATH: " + buildHint)
}
