package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/web"
)

// env is the whole application on a test server over a real database.
type env struct {
	t   *testing.T
	db  *gorm.DB
	srv *httptest.Server
	now time.Time
}

var testKeys = web.KeyPair([]byte("test-session-secret-0123456789abcdef"))

// newEnv serves the app over db with the clock at dbtest.Now().
func newEnv(t *testing.T, db *gorm.DB) *env {
	t.Helper()
	e := &env{t: t, db: db, now: dbtest.Now()}
	s := web.New(web.Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKeys: testKeys,
		Now: func() time.Time { return e.now }})
	handlers.New(s, db)
	e.srv = httptest.NewServer(s.Echo)
	t.Cleanup(e.srv.Close)
	return e
}

// today is the day the tests run on (dbtest.Today). The demo portfolio has
// every month before today's month recorded, and none from it on.
func today() models.Date { return dbtest.Today() }

// month is the first day of the month offset months from today's (0: this
// month, the first the demo has not recorded; -1: the last it has).
func month(offset int) models.Date {
	d := today()
	return models.D(d.Year(), d.Month()+time.Month(offset), 1)
}

// ym is a month as forms and imports write it (2026-11).
func ym(d models.Date) string { return d.Format("2006-01") }

// demoEnv serves the demo portfolio from a database of kind.
func demoEnv(t *testing.T, kind string) *env { return newEnv(t, dbtest.Demo(t, kind)) }

// client is a browser-like client: it keeps cookies and does not follow redirects.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// resp is a response with its body read.
type resp struct {
	*http.Response
	Body string
}

// Doc parses the body as HTML.
func (r resp) Doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (c *client) do(method, path string, body io.Reader, hdr map[string]string) resp {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	r, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r, string(b)}
}

func (c *client) get(path string) resp { return c.do(http.MethodGet, path, nil, nil) }

// htmx makes a GET as htmx does.
func (c *client) htmx(path string) resp {
	return c.do(http.MethodGet, path, nil, map[string]string{"HX-Request": "true", "HX-Current-URL": c.e.srv.URL + path})
}

// post submits a form like a browser without JavaScript.
func (c *client) post(path string, form url.Values) resp {
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// csrf takes the token from a page's form, as a browser would submit it.
func (c *client) csrf(page string) string {
	c.e.t.Helper()
	r := c.get(page)
	tok, ok := r.Doc(c.e.t).Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok || tok == "" {
		c.e.t.Fatalf("no CSRF token on %s (status %d)", page, r.StatusCode)
	}
	return tok
}

// login signs in with the demo account of a role.
func (c *client) login(role string) {
	c.e.t.Helper()
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			c.loginAs(a.Email, a.Password)
			return
		}
	}
	c.e.t.Fatalf("no demo account with role %s", role)
}

func (c *client) loginAs(email, password string) {
	c.e.t.Helper()
	r := c.post("/login", url.Values{"_csrf": {c.csrf("/login")}, "email": {email}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("sign-in as %s: status %d\n%s", email, r.StatusCode, r.Body)
	}
}

// forEachDB runs a test over the demo portfolio on every available database.
func forEachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, k := range dbtest.Kinds() {
		t.Run(k, func(t *testing.T) { fn(t, demoEnv(t, k)) })
	}
}
