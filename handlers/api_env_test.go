package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
	"portfolio/web"
)

// The API's test kit: every call goes through apiClient.call, which checks
// the request and the response against the OpenAPI document with
// kin-openapi's openapi3filter, undocumented statuses included, so that a
// field, a status or a content type the document does not describe fails the
// test that met it.

var (
	apiDocOnce   sync.Once
	apiDocRouter routers.Router
	apiDoc       *openapi3.T
	apiDocErr    error
)

// apiRouter loads, validates and routes the served OpenAPI document (once).
func apiRouter(t *testing.T) routers.Router {
	t.Helper()
	apiDocOnce.Do(func() {
		loader := openapi3.NewLoader()
		apiDoc, apiDocErr = loader.LoadFromData(handlers.OpenAPIDocument())
		if apiDocErr != nil {
			return
		}
		if apiDocErr = apiDoc.Validate(loader.Context); apiDocErr != nil {
			return
		}
		// Absolute, so that the router matches requests to the test server.
		apiDoc.Servers = openapi3.Servers{{URL: "http://127.0.0.1/api/v1"}}
		apiDocRouter, apiDocErr = gorillamux.NewRouter(apiDoc)
	})
	if apiDocErr != nil {
		t.Fatalf("the OpenAPI document: %v", apiDocErr)
	}
	return apiDocRouter
}

// apiClient calls the API with a bearer token ("" for none); no cookies.
type apiClient struct {
	ae    *appEnv
	token string
}

func (ae *appEnv) api(token string) *apiClient { return &apiClient{ae: ae, token: token} }

// apiResp is an answer with its body read.
type apiResp struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into v or fails.
func (r apiResp) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%d %s: not JSON: %v", r.StatusCode, r.Body, err)
	}
}

// Problem decodes a problem document, checking its content type.
func (r apiResp) Problem(t *testing.T) web.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%d: Content-Type %q, want application/problem+json\n%s", r.StatusCode, ct, r.Body)
	}
	var p web.Problem
	r.JSON(t, &p)
	if p.Status != r.StatusCode || p.Title == "" || p.Type == "" {
		t.Errorf("problem document %+v does not match its status %d", p, r.StatusCode)
	}
	return p
}

// get is a GET of a documented, valid request.
func (c *apiClient) get(path string) apiResp { return c.call(http.MethodGet, path, nil, nil, true) }

// call sends a request (body: a string sent as is, or a value sent as JSON)
// and validates the response against the document: always its status,
// headers and body; the request too when valid says it is meant to be valid
// (tests of bad bodies send invalid ones on purpose).
func (c *apiClient) call(method, path string, body any, hdr map[string]string, valid bool) apiResp {
	t := c.ae.t
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	newReq := func(base string) *http.Request {
		req, err := http.NewRequest(method, base+path, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return req
	}
	res, err := http.DefaultClient.Do(newReq(c.ae.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := apiResp{res, b}
	if res.StatusCode >= 500 {
		t.Errorf("%s %s: %d (never a 500)\n%s", method, path, res.StatusCode, b)
	}

	// The same request as the document sees it.
	req := newReq("http://127.0.0.1")
	route, params, err := apiRouter(t).FindRoute(req)
	if err != nil {
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: not in the OpenAPI document (%v), yet answered %d", method, path, err, res.StatusCode)
		}
		return out
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && valid {
		t.Errorf("%s %s: the request does not match the OpenAPI document: %v", method, path, err)
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts}
	rin.SetBodyBytes(b)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		t.Errorf("%s %s: the %d response does not match the OpenAPI document: %v\n%.500s", method, path, res.StatusCode, err, b)
	}
	return out
}

// apiToken makes a token for the demo account of a role and returns its secret.
func apiToken(t *testing.T, db *gorm.DB, role, scope string) string {
	t.Helper()
	u := userByEmail(t, db, demoAccount(t, role).Email)
	return tokenFor(t, db, u, scope, 0)
}

// tokenFor makes a token for u living life (0: the default) from the test's now.
func tokenFor(t *testing.T, db *gorm.DB, u models.User, scope string, life time.Duration) string {
	t.Helper()
	now := dbtest.Now()
	var exp time.Time
	if life > 0 {
		exp = now.Add(life)
	}
	secret, _, err := models.CreateToken(context.Background(), db, models.NewToken{Owner: u, Name: "test " + scope, Scope: scope, Expires: exp}, &u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, models.TokenPrefix) {
		t.Fatalf("secret %q lacks the prefix", secret)
	}
	return secret
}

// newAPIEnv serves the app with a rate limit no test reaches: the tests'
// clock stands still, so a token's allowance would never refill.
func newAPIEnv(t *testing.T, db *gorm.DB) *appEnv {
	return newAppEnv(t, db, func(o *web.Options) { o.APIRate = web.APIRate{Per: 1000, Burst: 1 << 20} })
}

// publishedQuarter publishes the last complete quarter's pack (unless it is)
// and names it.
func publishedQuarter(t *testing.T, db *gorm.DB) string {
	t.Helper()
	q := models.DefaultFiscal.LastComplete(dbtest.Today())
	if p, err := pack.PublishedPackFor(t.Context(), db, q.String()); err != nil || p != nil {
		return q.String()
	}
	s, err := models.LoadSettings(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pack.BuildPack(t.Context(), db, s, q, dbtest.Today())
	if err != nil {
		t.Fatal(err)
	}
	var admin models.User
	db.Where("role = ?", models.RoleAdmin).First(&admin)
	if err := pack.PublishPack(t.Context(), db, p, admin, dbtest.Now()); err != nil {
		t.Fatal(err)
	}
	return q.String()
}
