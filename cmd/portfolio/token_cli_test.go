package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/sqlstore"
)

// TestTokenCreate: `portfolio token create` prints a token once, keeps only
// its hash, and refuses a scope wider than the user's role, an unknown user
// and a life past the maximum.
func TestTokenCreate(t *testing.T) {
	_ = dbtest.Now()
	dir := t.TempDir()
	data := "--data=" + dir
	for _, u := range [][]string{{"ann@example.com", "executive"}, {"bo@example.com", "manager"}} {
		if _, err := runCLI(t, "violet harbour 2026\n", "user", "add", "--email", u[0], "--role", u[1], data); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCLI(t, "", "token", "create", "--email", "bo@example.com", "--name", "CI export", "--scope", "write", "--expires", "30d", data)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	secret := regexp.MustCompile(`pfl_[A-Za-z0-9_-]{43}`).FindString(out)
	if secret == "" {
		t.Fatalf("no token printed:\n%s", out)
	}
	db, err := sqlstore.Open(context.Background(), sqlstore.SQLitePath(dir), dbtest.Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlstore.Close(db)
	// An account without email (single sign-on's may have none).
	if err := db.Create(&models.User{Name: "No Email", Role: models.RoleManager, SSOIssuer: "https://idp.example.com", SSOSubject: "sub-none"}).Error; err != nil {
		t.Fatal(err)
	}
	tok, owner, ok, err := models.TokenOwner(context.Background(), db, secret, dbtest.Now())
	if err != nil || !ok || owner.Email != "bo@example.com" || tok.Scope != models.ScopeWrite || tok.Name != "CI export" {
		t.Fatalf("the printed token does not work: %+v %+v %v %v", tok, owner, ok, err)
	}
	if life := tok.ExpiresAt.Sub(tok.CreatedAt); life < 29*24*time.Hour || life > 31*24*time.Hour {
		t.Errorf("--expires 30d gave a life of %v", life)
	}
	var n int64
	db.Model(&models.APIToken{}).Where("token_hash LIKE ?", "%"+secret[4:12]+"%").Count(&n)
	if n != 0 || strings.Contains(tok.TokenHash, secret) {
		t.Errorf("the secret is stored as it is")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--email", "ann@example.com", "--name", "x", "--scope", "write"}, "only read"},
		{[]string{"--email", "zed@example.com", "--name", "x"}, "no user"},
		{[]string{"--email", "bo@example.com", "--name", "x", "--expires", "900d"}, "At most 365 days"},
		{[]string{"--email", "bo@example.com", "--name", "x", "--expires", "soon"}, "--expires"},
		{[]string{"--email", "bo@example.com", "--name", ""}, "name"},
		{[]string{"--name", "x"}, "--email is required"},
		{[]string{"--email", " ", "--name", "x"}, "--email is required"},
	} {
		_, err := runCLI(t, "", append(append([]string{"token", "create"}, tc.args...), data)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
	var n2 int64
	db.Model(&models.APIToken{}).Where("user_id = (SELECT id FROM users WHERE email = '')").Count(&n2)
	if n2 != 0 {
		t.Errorf("an account without email got %d tokens", n2)
	}
}
