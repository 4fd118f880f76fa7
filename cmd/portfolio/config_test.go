package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portfolio/web"
)

// testConfig parses settings as the command line would, over an environment.
func testConfig(t *testing.T, env map[string]string, args ...string) *config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c := bindConfig(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c
}

// Without configured keys, one secret is generated into the data directory,
// readable by the owner only, and the same keys come back on restart.
func TestGeneratedSessionKeyIsPrivateAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c := testConfig(t, nil, "--data", dir)
	keys, generated, err := c.sessionKeys()
	if err != nil || !generated || len(keys) != 2 {
		t.Fatalf("first start: %d keys, generated=%v, %v", len(keys), generated, err)
	}
	st, err := os.Stat(filepath.Join(dir, keyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	again, generated, err := testConfig(t, nil, "--data", dir).sessionKeys()
	if err != nil || generated {
		t.Fatalf("restart: generated=%v, %v", generated, err)
	}
	for i := range keys {
		if !bytes.Equal(keys[i], again[i]) {
			t.Fatalf("restart changed the session keys: sessions would be lost")
		}
	}
	// A key file others can read is refused: it would let them forge sessions.
	if err := os.Chmod(filepath.Join(dir, keyFileName), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := testConfig(t, nil, "--data", dir).sessionKeys(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file: %v", err)
	}
}

// Configured keys (flag or environment) take precedence; several allow rotation,
// newest first; short ones are refused; production mode demands them.
func TestConfiguredSessionKeys(t *testing.T) {
	newer, older := strings.Repeat("n", 40), strings.Repeat("o", 40)
	c := testConfig(t, map[string]string{"PORTFOLIO_SESSION_KEYS": newer + ", " + older}, "--data", t.TempDir())
	keys, generated, err := c.sessionKeys()
	if err != nil || generated || len(keys) != 4 {
		t.Fatalf("two secrets: %d keys, generated=%v, %v", len(keys), generated, err)
	}
	if want := web.KeyPair([]byte(newer)); !bytes.Equal(keys[0], want[0]) || !bytes.Equal(keys[1], want[1]) {
		t.Errorf("the first secret is not the first key pair (new cookies must use the newest)")
	}
	if files, _ := filepath.Glob(filepath.Join(c.DataDir, "*")); len(files) != 0 {
		t.Errorf("configured keys, yet files were written: %v", files)
	}
	if _, _, err := testConfig(t, nil, "--session-keys", newer+",short").sessionKeys(); err == nil {
		t.Errorf("a short secret was accepted")
	}
	if _, _, err := testConfig(t, map[string]string{"PORTFOLIO_PRODUCTION": "true"}, "--data", t.TempDir()).sessionKeys(); err == nil {
		t.Errorf("production mode without keys was accepted")
	}
	if _, _, err := testConfig(t, nil, "--production", "--session-keys", newer).sessionKeys(); err != nil {
		t.Errorf("production mode with a key: %v", err)
	}
}
