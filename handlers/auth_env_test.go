package handlers_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/web"
)

// appEnv is an env that also exposes the server and handlers it runs, and the
// log it writes (sign-in events are asserted on).
type appEnv struct {
	*env
	server *web.Server
	app    *handlers.App
	log    *syncBuffer
}

// syncBuffer is a log sink safe for the server's goroutines.
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

// newAppEnv serves the app over db like newEnv, with options adjusted by tweak
// (keys, secure cookies, timeouts). Two appEnvs over one db are two instances
// behind a load balancer.
func newAppEnv(t *testing.T, db *gorm.DB, tweak func(*web.Options)) *appEnv {
	t.Helper()
	e := &env{t: t, db: db, now: dbtest.Now()}
	logs := &syncBuffer{}
	o := web.Options{DB: db, Log: slog.New(slog.NewTextHandler(logs, nil)), SessionKeys: testKeys,
		Now: func() time.Time { return e.now }}
	if tweak != nil {
		tweak(&o)
	}
	s := web.New(o)
	a := handlers.New(s, db)
	e.srv = httptest.NewServer(s.Echo)
	t.Cleanup(e.srv.Close)
	return &appEnv{env: e, server: s, app: a, log: logs}
}

// demoAccount is the demo sign-in of a role.
func demoAccount(t *testing.T, role string) seed.DemoAccount {
	t.Helper()
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			return a
		}
	}
	t.Fatalf("no demo account with role %s", role)
	return seed.DemoAccount{}
}

// userByEmail loads a stored user or fails.
func userByEmail(t *testing.T, db *gorm.DB, email string) models.User {
	t.Helper()
	var u models.User
	if err := db.Where("email = ?", email).First(&u).Error; err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// signInAttempt posts the sign-in form and returns the answer, whatever it is.
func (c *client) signInAttempt(email, password, next string) resp {
	c.e.t.Helper()
	return c.post("/login", url.Values{"_csrf": {c.csrf("/login")}, "email": {email}, "password": {password}, "next": {next}})
}

// send makes a request with a form body and extra headers.
func (c *client) send(method, path string, form url.Values, hdr map[string]string) resp {
	c.e.t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range hdr {
		h[k] = v
	}
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	}
	return c.do(method, path, body, h)
}

// cookie is the value of a cookie the client holds for the server ("" when none).
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.e.srv.URL)
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// signedIn reports whether the client's session is live (its account page opens).
func (c *client) signedIn() bool {
	c.e.t.Helper()
	return c.get("/account").StatusCode == http.StatusOK
}

// tokenFrom takes the CSRF token from a signed-in page (the sign-out form has it).
func (c *client) token() string {
	c.e.t.Helper()
	return c.csrf("/account")
}

// Len is how much has been written: a test reads what came after it.
func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}
