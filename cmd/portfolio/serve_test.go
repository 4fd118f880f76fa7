package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var runningAt = regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+)`)

// serveOnce runs `portfolio serve` on a free port over dataDir until /healthz
// answers, then stops it as SIGTERM would and returns what it printed.
func serveOnce(t *testing.T, dataDir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", dataDir, "--addr", "127.0.0.1:0", "--log-level", "error", "--today", testToday().String()},
			func(string) string { return "" }, strings.NewReader(""), out)
	}()
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := runningAt.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not start:\n%s", out.String())
	}
	r, err := http.Get(base + "/healthz")
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", r, err)
	}
	r.Body.Close()
	cancel() // what SIGINT/SIGTERM do through signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	return out.String()
}

// The first run creates the database, seeds the demo and prints the sign-in
// details; the second reuses the data; both shut down cleanly.
func TestServeFirstRunSeedsThenReuses(t *testing.T) {
	dir := t.TempDir()
	first := serveOnce(t, dir)
	for _, want := range []string{"Applied migrations", "Seeded the demo portfolio", "admin@portfolio.example", "password:"} {
		if !strings.Contains(first, want) {
			t.Errorf("first run did not print %q:\n%s", want, first)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "portfolio.db-wal")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the write-ahead log is left behind after a clean shutdown (stat: %v)", err)
	}
	second := serveOnce(t, dir)
	if strings.Contains(second, "Seeded") || strings.Contains(second, "Applied migrations") {
		t.Errorf("second run seeded or migrated again:\n%s", second)
	}
}
