package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portfolio/models/remind"
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

// The email settings: each flag reads its PORTFOLIO_SMTP_* variable, the
// port follows the TLS mode, and what cannot work is refused at start with
// a message naming the setting.
func TestMailSettings(t *testing.T) {
	env := map[string]string{"PORTFOLIO_SMTP_HOST": "smtp.example.com", "PORTFOLIO_SMTP_FROM": "Portfolio <portfolio@example.com>",
		"PORTFOLIO_SMTP_USER": "robot", "PORTFOLIO_SMTP_PASSWORD": "secret", "PORTFOLIO_BASE_URL": "https://portfolio.example.com/"}
	c := testConfig(t, env)
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	m, ok := c.mailer().(remind.SMTP)
	if !ok || m.Host != "smtp.example.com" || m.Port != 587 || m.TLS != remind.TLSStartTLS || m.User != "robot" || m.Password != "secret" || c.baseURL() != "https://portfolio.example.com" {
		t.Fatalf("from the environment: %+v, base %q", c.mailer(), c.baseURL())
	}
	if m := testConfig(t, env, "--smtp-tls", "tls").mailer().(remind.SMTP); m.Port != 465 {
		t.Errorf("implicit TLS on port %d, want 465", m.Port)
	}
	if testConfig(t, nil).mailer() != nil {
		t.Error("a mailer without a host")
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"--smtp-tls", "ssl"}, "--smtp-tls"},
		{env, []string{"--remind-at", "7am"}, "--remind-at"},
		{env, []string{"--base-url", ""}, "--base-url"},
		{env, []string{"--base-url", "portfolio.example.com"}, "--base-url"},
		{env, []string{"--smtp-from", ""}, "--smtp-from"},
		{map[string]string{"PORTFOLIO_SMTP_PORT": "2525x"}, nil, "PORTFOLIO_SMTP_PORT"},
	} {
		err := testConfig(t, bad.env, bad.args...).validate()
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: %v, want an error naming %s", bad.args, err, bad.want)
		}
	}
}

// TestTokenMaxDaysConfig: the longest token life must be a positive number
// of days, from the environment or the flag, like any other bad setting.
func TestTokenMaxDaysConfig(t *testing.T) {
	if c := testConfig(t, nil); c.validate() != nil || c.tokenMaxLife() != 365*24*time.Hour {
		t.Errorf("the default: %v, %v", c.validate(), c.tokenMaxLife())
	}
	if c := testConfig(t, map[string]string{"PORTFOLIO_API_TOKEN_MAX_DAYS": "30"}); c.validate() != nil || c.TokenMaxDays != 30 {
		t.Errorf("30 days: %v, %d", c.validate(), c.TokenMaxDays)
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"PORTFOLIO_API_TOKEN_MAX_DAYS": "ninety"}, nil, "PORTFOLIO_API_TOKEN_MAX_DAYS"},
		{map[string]string{"PORTFOLIO_API_TOKEN_MAX_DAYS": "0"}, nil, "PORTFOLIO_API_TOKEN_MAX_DAYS"},
		{map[string]string{"PORTFOLIO_API_TOKEN_MAX_DAYS": "-5"}, nil, "PORTFOLIO_API_TOKEN_MAX_DAYS"},
		{nil, []string{"--api-token-max-days", "-1"}, "--api-token-max-days"},
		{nil, []string{"--api-token-max-days", "0"}, "--api-token-max-days"},
	} {
		err := testConfig(t, bad.env, bad.args...).validate()
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v %v: %v, want an error naming %s", bad.env, bad.args, err, bad.want)
		}
	}
}
