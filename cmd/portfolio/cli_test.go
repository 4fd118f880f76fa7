package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/sqlstore"
)

// runCLI runs the command as `portfolio args...` with stdin, on the tests'
// day (PORTFOLIO_TODAY) and no other environment.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return runCLIEnv(t, map[string]string{"PORTFOLIO_TODAY": testToday().String()}, stdin, args...)
}

// runCLIEnv runs the command as `portfolio args...` with stdin over env alone.
func runCLIEnv(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out)
	return out.String(), err
}

// storedUser reads a user from the data directory's database.
func storedUser(t *testing.T, dir, email string) *models.User {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstore.SQLitePath(dir), dbtest.Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlstore.Close(db)
	u, err := models.UserByEmail(context.Background(), db, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUserAddAndSetPassword(t *testing.T) {
	_ = dbtest.Now() // bcrypt at its lowest cost (dbtest's init) keeps this quick
	dir := t.TempDir()
	data := "--data=" + dir

	// Least privilege by default; the password comes from stdin, trailing newline trimmed.
	out, err := runCLI(t, "violet harbour 2026\n", "user", "add", "--email", "Ann.Lee@Example.com", data)
	if err != nil || !strings.Contains(out, "Created ann.lee@example.com (executive)") {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	u := storedUser(t, dir, "ann.lee@example.com")
	if u == nil || u.Role != models.RoleExecutive || u.Name != "ann.lee" || !models.PasswordMatches(u.PasswordHash, "violet harbour 2026") {
		t.Fatalf("stored %+v", u)
	}
	if _, err := runCLI(t, "violet harbour 2026\n", "user", "add", "--email", "bo@example.com", "--role", "manager", "--name", "Bo Chen", data); err != nil {
		t.Fatal(err)
	}
	if u := storedUser(t, dir, "bo@example.com"); u.Role != models.RoleManager || u.Name != "Bo Chen" {
		t.Errorf("--role manager --name stored %+v", u)
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"common password", "password1234\n", []string{"user", "add", "--email", "cy@example.com"}, "most common"},
		{"short password", "short\n", []string{"user", "add", "--email", "cy@example.com"}, "at least 12"},
		{"no password", "", []string{"user", "add", "--email", "cy@example.com"}, "standard input"},
		{"bad role", "violet harbour 2026\n", []string{"user", "add", "--email", "cy@example.com", "--role", "root"}, "--role must be one of executive, manager, admin"},
		{"bad email", "violet harbour 2026\n", []string{"user", "add", "--email", "cy"}, "--email"},
		{"exists", "violet harbour 2026\n", []string{"user", "add", "--email", "ANN.LEE@example.com"}, "already exists"},
		{"no sub-command", "", []string{"user"}, "usage"},
		{"set-password, unknown user", "violet harbour 2026\n", []string{"user", "set-password", "--email", "zed@example.com"}, "no user"},
		{"set-password, weak", "qwerty123456\n", []string{"user", "set-password", "--email", "ann.lee@example.com"}, "most common"},
	} {
		_, err := runCLI(t, tc.stdin, append(tc.args, data)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if storedUser(t, dir, "cy@example.com") != nil {
		t.Errorf("a refused user add stored the user")
	}

	out, err = runCLI(t, "granite meadow 77\n", "user", "set-password", "--email", "ann.lee@example.com", data)
	if err != nil || !strings.Contains(out, "Password set for ann.lee@example.com") {
		t.Fatalf("set-password: %v %s", err, out)
	}
	u = storedUser(t, dir, "ann.lee@example.com")
	if !models.PasswordMatches(u.PasswordHash, "granite meadow 77") || models.PasswordMatches(u.PasswordHash, "violet harbour 2026") || u.SessionsAfter == nil {
		t.Errorf("after set-password: new matches=%v, sessions revoked=%v", models.PasswordMatches(u.PasswordHash, "granite meadow 77"), u.SessionsAfter != nil)
	}
}

// `portfolio --help` lists every sub-command and every setting with its variable.
func TestHelpListsCommandsAndSettings(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, err := runCLI(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, want := range []string{"[serve]", "migrate", "seed --demo", "seed --scale", "user add", "user set-password", "backup"} {
			if !strings.Contains(out, "portfolio "+want) {
				t.Errorf("%v: help lacks %q", args, "portfolio "+want)
			}
		}
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		bindConfig(fs, func(string) string { return "" })
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(out, "--"+f.Name+" ") {
				t.Errorf("%v: help lacks the setting --%s (add it to settingsHelp)", args, f.Name)
			}
		})
		for _, s := range settingsHelp {
			env, _, _ := strings.Cut(s[1], "=")
			if !strings.Contains(out, env) {
				t.Errorf("%v: help lacks %s", args, env)
			}
		}
	}
	// A command's own --help lists its flags and ends with flag.ErrHelp (main exits 0 on it).
	out, err := runCLI(t, "", "user", "add", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "-email") || !strings.Contains(out, "-role") {
		t.Errorf("user add --help: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "", "frobnicate"); err == nil {
		t.Errorf("an unknown command is not an error")
	}
}

// Production mode refuses to start without configured session keys, before
// touching the database or the network.
func TestProductionNeedsSessionKeys(t *testing.T) {
	dir := t.TempDir()
	_, err := runCLIEnv(t, nil, "", "serve", "--production", "--data", dir, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "PORTFOLIO_SESSION_KEYS") {
		t.Fatalf("production without keys: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Errorf("a refused start left files behind: %v", files)
	}
	_, err = runCLIEnv(t, nil, "", "serve", "--production", "--session-keys", "too-short", "--data", dir, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("production with a short key: %v", err)
	}
}

// --today runs every command as if it were that day: the demo seed is dated
// from it. Production refuses it (flag or environment), as it refuses a date
// that is not one, before touching the database.
func TestTodayIsForDemosNotProduction(t *testing.T) {
	dir := t.TempDir()
	keys := "--session-keys=" + strings.Repeat("k", 40)
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"serve", "--production", keys, "--today", "2027-03-31", "--data", dir}},
		{map[string]string{"PORTFOLIO_TODAY": "2027-03-31", "PORTFOLIO_PRODUCTION": "true"}, []string{"serve", keys, "--data", dir}},
		{map[string]string{"PORTFOLIO_PRODUCTION": "true"}, []string{"seed", "--demo", "--today", "2027-03-31", "--data", dir}},
	} {
		_, err := runCLIEnv(t, tc.env, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), "--today") || !strings.Contains(err.Error(), "production") {
			t.Errorf("%v %v: %v, want --today refused in production", tc.env, tc.args, err)
		}
	}
	if _, err := runCLIEnv(t, nil, "", "migrate", "--today", "31/03/2027", "--data", dir); err == nil || !strings.Contains(err.Error(), "--today") {
		t.Errorf("a bad --today: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Errorf("a refused start left files behind: %v", files)
	}

	// A leap day: the demo's last recorded month is January 2028, and nothing
	// it wrote is dated after the day.
	if out, err := runCLIEnv(t, nil, "", "seed", "--demo", "--today", "2028-02-29", "--data", dir); err != nil {
		t.Fatalf("seed on 29 Feb 2028: %v\n%s", err, out)
	}
	db, err := sqlstore.Open(context.Background(), sqlstore.SQLitePath(dir), models.SystemClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlstore.Close(db)
	var last models.CostRecord
	if err := db.Order("month DESC").First(&last).Error; err != nil {
		t.Fatal(err)
	}
	if last.Month != models.D(2028, 1, 1) || last.CreatedAt.After(models.D(2028, 3, 1).Time) {
		t.Errorf("the last month seeded on 29 Feb 2028: %s, entered %s", last.Month, last.CreatedAt)
	}
}

// Production means production: a production start on an empty database seeds
// nothing (no demo account can sign in) and says how to create the first
// admin; --demo is refused there; and the demo never seeds into a database
// that has held a user, even only the first admin added by hand.
func TestProductionNeverSeedsTheDemo(t *testing.T) {
	keys := "--session-keys=" + strings.Repeat("k", 40)
	start := func(t *testing.T, env map[string]string, args ...string) (*app, string, error) {
		t.Helper()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c := bindConfig(fs, func(k string) string { return env[k] })
		if err := fs.Parse(append(args, "--log-level", "error")); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		a, err := newApp(context.Background(), c, &out)
		if a != nil {
			t.Cleanup(func() { closeDB(a.db) })
		}
		return a, out.String(), err
	}
	users := func(a *app) (n int64) {
		a.db.Model(&models.User{}).Count(&n)
		return n
	}

	dir := t.TempDir()
	a, out, err := start(t, nil, "--production", keys, "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := users(a); n != 0 || strings.Contains(out, "demo-control-2026") {
		t.Errorf("a production start seeded %d accounts:\n%s", n, out)
	}
	if !strings.Contains(out, "portfolio user add --email") {
		t.Errorf("a production start with no account does not say how to create one:\n%s", out)
	}
	for _, env := range []map[string]string{nil, {"PORTFOLIO_DEMO": "true", "PORTFOLIO_PRODUCTION": "true"}} {
		args := []string{"--data", t.TempDir(), keys}
		if env == nil {
			args = append(args, "--production", "--demo=true")
		}
		if _, _, err := start(t, env, args...); err == nil || !strings.Contains(err.Error(), "--demo") {
			t.Errorf("production with the demo asked for (%v): %v", env, err)
		}
	}

	// The first admin added by hand, then an ordinary start: no demo.
	dir = t.TempDir()
	if _, err := runCLI(t, "violet harbour 2026\n", "user", "add", "--email", "first@example.com", "--role", "admin", "--data", dir); err != nil {
		t.Fatal(err)
	}
	a, out, err = start(t, nil, "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	var engagements int64
	a.db.Model(&models.Engagement{}).Count(&engagements)
	if n := users(a); n != 1 || engagements != 0 || strings.Contains(out, "Seeded") {
		t.Errorf("a database with its first admin was seeded: %d users, %d engagements\n%s", n, engagements, out)
	}
}

// A backup is a private copy that opens with the same accounts, and it never
// overwrites a file that exists.
func TestBackupIsPrivate(t *testing.T) {
	dir := t.TempDir()
	if _, err := runCLI(t, "violet harbour 2026\n", "user", "add", "--email", "kept@example.com", "--data", dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if msg, err := runCLI(t, "", "backup", "--out", out, "--data", dir); err != nil {
		t.Fatalf("backup: %v\n%s", err, msg)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the backup's mode: %v (%v), want 0600", st.Mode().Perm(), err)
	}
	db, err := sqlstore.Open(context.Background(), out, models.SystemClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(db)
	if u, _ := models.UserByEmail(context.Background(), db, "kept@example.com"); u == nil {
		t.Error("the backup lacks the account")
	}
	if _, err := runCLI(t, "", "backup", "--out", out, "--data", dir); err == nil {
		t.Error("a backup over an existing file was allowed")
	}
}
