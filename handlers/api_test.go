package handlers_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/web"
)

// TestAPIOpenAPIDocument: the served document is the embedded one, an
// OpenAPI 3.1 document that kin-openapi loads and validates.
func TestAPIOpenAPIDocument(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	apiRouter(t)
	if !apiDoc.IsOpenAPI31OrLater() || apiDoc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q: want 3.1.0", apiDoc.OpenAPI)
	}
	r := ae.api("").get("/api/v1/openapi.json")
	if r.StatusCode != http.StatusOK || !bytes.Equal(r.Body, handlers.OpenAPIDocument()) {
		t.Fatalf("GET /api/v1/openapi.json: %d, want the embedded document", r.StatusCode)
	}
	// Every route of the API table is in the document, and the reverse.
	documented := map[string]bool{}
	for path, item := range apiDoc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, rt := range ae.app.APIRoutes() {
		key := rt.Method + " " + openAPIPath(rt.Path)
		if !documented[key] {
			t.Errorf("%s is served but not in openapi.json", key)
		}
		delete(documented, key)
	}
	for k := range documented {
		t.Errorf("openapi.json documents %s, which is not served", k)
	}
}

// openAPIPath writes an Echo path (/risks/:id) as OpenAPI does (/risks/{id}).
func openAPIPath(p string) string {
	var b bytes.Buffer
	param := false
	for _, r := range p {
		switch {
		case r == ':':
			b.WriteRune('{')
			param = true
			continue
		case r == '/' && param:
			b.WriteRune('}')
			param = false
		}
		b.WriteRune(r)
	}
	if param {
		b.WriteRune('}')
	}
	return b.String()
}

// TestAPIReads: each read answers documented JSON for every role's read token.
func TestAPIReads(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			api := ae.api(apiToken(t, db, models.RoleExecutive, models.ScopeRead))
			for _, p := range []string{"/api/v1/engagements", "/api/v1/engagements/1", "/api/v1/vendors", "/api/v1/vendors/1",
				"/api/v1/risks", "/api/v1/risks/1", "/api/v1/risks/1/history", "/api/v1/risks?status=all&band=High&limit=3",
				"/api/v1/cost-records?engagement=1", "/api/v1/cost-records/1", "/api/v1/savings", "/api/v1/savings?engagement=1&quarter=" + reviewQuarter(),
				"/api/v1/savings?tower=Cloud%20services", "/api/v1/slas?engagement=1", "/api/v1/sla-results?engagement=1&limit=10", "/api/v1/milestones",
				"/api/v1/milestones/1", "/api/v1/readiness-items", "/api/v1/lessons", "/api/v1/lessons/1", "/api/v1/packs", "/api/v1/packs/" + publishedQuarter(t, db)} {
				r := api.get(p)
				if r.StatusCode != http.StatusOK || r.Header.Get("ETag") == "" {
					t.Errorf("GET %s: %d, ETag %q\n%.300s", p, r.StatusCode, r.Header.Get("ETag"), r.Body)
				}
				if again := api.call(http.MethodGet, p, nil, map[string]string{"If-None-Match": r.Header.Get("ETag")}, true); again.StatusCode != http.StatusNotModified {
					t.Errorf("GET %s with If-None-Match: %d, want 304", p, again.StatusCode)
				}
			}
			if r := api.get("/api/v1/packs/" + reviewQuarter(1)); r.StatusCode != http.StatusNotFound {
				t.Errorf("a pack not published: %d", r.StatusCode)
			}
			if r := api.get("/api/v1/risks/999999"); r.StatusCode != http.StatusNotFound {
				t.Errorf("unknown risk: %d", r.StatusCode)
			} else {
				r.Problem(t)
			}
		})
	}
}

// TestAPITokenLife: a token works for the API alone and only while it lives:
// revoked, expired, or its owner disabled → 401; its owner's role lowered →
// a write token writes no more; a session cookie counts for nothing on the
// API, and a bearer token for nothing on the pages; last used is written at
// most once a minute.
func TestAPITokenLife(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			ctx := t.Context()
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			secret := tokenFor(t, db, mgr, models.ScopeWrite, 0)
			api := ae.api(secret)
			if r := api.get("/api/v1/engagements?limit=1"); r.StatusCode != http.StatusOK {
				t.Fatalf("a live token: %d", r.StatusCode)
			}
			var tok models.APIToken
			if err := db.Where("user_id = ?", mgr.ID).Order("id DESC").First(&tok).Error; err != nil || tok.LastUsedAt == nil {
				t.Fatalf("last used not noted: %+v %v", tok, err)
			}
			first := *tok.LastUsedAt
			ae.now = ae.now.Add(30 * time.Second)
			api.get("/api/v1/engagements?limit=1")
			db.First(&tok, tok.ID)
			if !tok.LastUsedAt.Equal(first) {
				t.Errorf("last used rewritten within a minute: %v → %v", first, tok.LastUsedAt)
			}
			ae.now = ae.now.Add(time.Minute)
			api.get("/api/v1/engagements?limit=1")
			db.First(&tok, tok.ID)
			if !tok.LastUsedAt.After(first) {
				t.Errorf("last used not moved on after a minute: %v", tok.LastUsedAt)
			}

			// The token on an HTML page: not signed in.
			page := ae.client().do(http.MethodGet, "/risks", nil, map[string]string{"Authorization": "Bearer " + secret})
			if page.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page.Header.Get("Location"), "/login") {
				t.Errorf("a bearer token on /risks: %d %q, want 303 to sign-in", page.StatusCode, page.Header.Get("Location"))
			}
			// A session cookie on the API: 401.
			browser := ae.client()
			browser.login(models.RoleAdmin)
			if r := ae.api("").call(http.MethodGet, "/api/v1/engagements", nil, map[string]string{"Cookie": "portfolio=" + browser.cookie("portfolio")}, true); r.StatusCode != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("a session cookie on the API: %d, want 401 with WWW-Authenticate", r.StatusCode)
			}

			// A lowered role: the write token reads only.
			risk := managedRisk(t, db, mgr.ID)
			etag := api.get(fmt.Sprintf("/api/v1/risks/%d", risk)).Header.Get("ETag")
			db.Model(&models.User{}).Where("id = ?", mgr.ID).Update("role", models.RoleExecutive)
			before := fingerprint(t, db)
			r := api.call(http.MethodPatch, fmt.Sprintf("/api/v1/risks/%d", risk), map[string]any{"title": "Demoted write"}, map[string]string{"If-Match": etag}, true)
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("a write token of an owner made executive: %d, want 403", r.StatusCode)
			}
			if moved := slices.DeleteFunc(changedTables(before, fingerprint(t, db)), func(s string) bool { return s == "api_tokens" }); len(moved) > 0 {
				t.Errorf("the refused write stored changes in %v", moved)
			}
			db.Model(&models.User{}).Where("id = ?", mgr.ID).Update("role", models.RoleManager)

			// Disabled, revoked, expired: 401.
			db.Model(&models.User{}).Where("id = ?", mgr.ID).Update("disabled", true)
			if r := api.get("/api/v1/engagements"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("a disabled owner's token: %d, want 401", r.StatusCode)
			}
			db.Model(&models.User{}).Where("id = ?", mgr.ID).Update("disabled", false)
			if err := models.RevokeToken(ctx, db, tok.ID, mgr.ID, &mgr.ID, dbtest.Now()); err != nil {
				t.Fatal(err)
			}
			if r := api.get("/api/v1/engagements"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("a revoked token: %d, want 401", r.StatusCode)
			} else {
				r.Problem(t)
			}
			short := ae.api(tokenFor(t, db, mgr, models.ScopeRead, 48*time.Hour))
			if r := short.get("/api/v1/engagements"); r.StatusCode != http.StatusOK {
				t.Errorf("a token within its life: %d", r.StatusCode)
			}
			ae.now = dbtest.Now().Add(49 * time.Hour)
			if r := short.get("/api/v1/engagements"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("an expired token: %d, want 401", r.StatusCode)
			}
		})
	}
}

// managedRisk is a risk of an engagement the manager manages.
func managedRisk(t *testing.T, db *gorm.DB, managerID uint) uint {
	t.Helper()
	var id uint
	db.Raw(`SELECT MIN(id) FROM risks WHERE status <> 'closed' AND engagement_id IN (SELECT id FROM engagements WHERE manager_id = ?
		OR id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?))`, managerID, managerID).Scan(&id)
	if id == 0 {
		t.Fatal("the demo manager has no open risk")
	}
	return id
}

// TestAPIRateLimit: past its burst a token gets 429 with Retry-After, and
// other tokens are not held back.
func TestAPIRateLimit(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAppEnv(t, db, func(o *web.Options) { o.APIRate = web.APIRate{Per: 0.5, Burst: 3} })
	api := ae.api(apiToken(t, db, models.RoleExecutive, models.ScopeRead))
	for i := 0; i < 3; i++ {
		if r := api.get("/api/v1/vendors?limit=1"); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, r.StatusCode)
		}
	}
	r := api.get("/api/v1/vendors?limit=1")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "2" {
		t.Fatalf("past the burst: %d Retry-After %q, want 429 and 2 (one request every 2 s; the clock stands still)", r.StatusCode, r.Header.Get("Retry-After"))
	}
	r.Problem(t)
	if r := ae.api(apiToken(t, db, models.RoleManager, models.ScopeRead)).get("/api/v1/vendors?limit=1"); r.StatusCode != http.StatusOK {
		t.Errorf("another token: %d", r.StatusCode)
	}
	ae.now = ae.now.Add(2 * time.Second)
	if r := api.get("/api/v1/vendors?limit=1"); r.StatusCode != http.StatusOK {
		t.Errorf("after Retry-After: %d", r.StatusCode)
	}
}

// TestAPIBadRequests: bad JSON, unknown fields, wrong types, wrong content
// types, bad cursors and limits are 400/415/422 problem documents naming the
// field, never a 500, and store nothing.
func TestAPIBadRequests(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
			risk := fmt.Sprintf("/api/v1/risks/%d", managedRisk(t, db, mgr.ID))
			etag := api.get(risk).Header.Get("ETag")
			before := fingerprint(t, db)
			for _, tc := range []struct {
				name, method, path string
				body               any
				hdr                map[string]string
				status             int
				field              string
			}{
				{"broken JSON", http.MethodPost, "/api/v1/risks", `{"title": `, nil, 400, ""},
				{"two values", http.MethodPost, "/api/v1/risks", `{} {}`, nil, 400, ""},
				{"an array", http.MethodPost, "/api/v1/risks", `[]`, nil, 400, ""},
				{"empty", http.MethodPost, "/api/v1/risks", ``, nil, 400, ""},
				{"unknown field", http.MethodPost, "/api/v1/risks", `{"titel": "x"}`, nil, 422, "titel"},
				{"wrong type", http.MethodPost, "/api/v1/risks", `{"inherent_likelihood": "high"}`, nil, 422, "inherent_likelihood"},
				{"negative owner", http.MethodPatch, risk, `{"owner_id": -1}`, map[string]string{"If-Match": etag}, 422, "owner_id"},
				{"rules", http.MethodPost, "/api/v1/risks", map[string]any{"title": "", "inherent_likelihood": 9}, nil, 422, "inherent_likelihood"},
				{"form text", http.MethodPost, "/api/v1/risks", `title=x`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, ""},
				{"no If-Match", http.MethodPatch, risk, map[string]any{"title": "x"}, nil, 428, ""},
				{"a foreign If-Match", http.MethodPatch, risk, map[string]any{"title": "x"}, map[string]string{"If-Match": `"abc"`}, 412, ""},
				{"bad cursor", http.MethodGet, "/api/v1/risks?cursor=bm90LW91cnM", nil, nil, 400, ""},
				{"a risk filter too large", http.MethodGet, "/api/v1/risks?engagement=99999999999", nil, nil, 422, "engagement"},
				{"a risk filter not a number", http.MethodGet, "/api/v1/risks?owner=ann", nil, nil, 422, "owner"},
				{"a risk status unknown", http.MethodGet, "/api/v1/risks?status=dormant", nil, nil, 422, "status"},
				{"a cursor past no risk", http.MethodGet, "/api/v1/risks?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("after:999999:33niihzj4ux45")), nil, nil, 400, ""},
				{"bad limit", http.MethodGet, "/api/v1/vendors?limit=0", nil, nil, 422, "limit"},
				{"not a path", http.MethodGet, "/api/v1/nothing-here", nil, nil, 404, ""},
				{"a NUL", http.MethodPost, "/api/v1/risks", `{"title": "a\u0000b"}`, nil, 422, "title"},
				{"a null field", http.MethodPatch, risk, `{"title": null}`, map[string]string{"If-Match": etag}, 422, "title"},
				{"a null body", http.MethodPost, "/api/v1/risks", `null`, nil, 422, ""},
				{"a field twice", http.MethodPost, "/api/v1/risks", `{"title": "a", "title": "b"}`, nil, 422, "title"},
				{"trailing data", http.MethodPost, "/api/v1/risks", `{"title": "x"}]`, nil, 400, ""},
				{"every character escaped", http.MethodPost, "/api/v1/risks", `{"title": "", "description": "` + strings.Repeat(`\u00e9`, 40000) + `"}`, nil, 422, "title"},
				{"too large", http.MethodPost, "/api/v1/risks", `{"title": "` + strings.Repeat("x", 300<<10) + `"}`, nil, 413, ""},
				{"not an id", http.MethodGet, "/api/v1/risks/abc", nil, nil, 404, ""},
			} {
				r := api.call(tc.method, tc.path, tc.body, tc.hdr, false)
				if r.StatusCode != tc.status {
					t.Errorf("%s: %d, want %d\n%.300s", tc.name, r.StatusCode, tc.status, r.Body)
					continue
				}
				p := r.Problem(t)
				if tc.field != "" && !slices.ContainsFunc(p.Errors, func(e web.ProblemField) bool { return e.Field == tc.field }) {
					t.Errorf("%s: errors %+v do not name %s", tc.name, p.Errors, tc.field)
				}
			}
			if moved := slices.DeleteFunc(changedTables(before, fingerprint(t, db)), func(s string) bool { return s == "api_tokens" }); len(moved) > 0 {
				t.Errorf("bad requests stored changes in %v", moved)
			}
		})
	}
}

// TestAPIJSONTextBackslashU: the text \u0000 (an escaped backslash before
// u0000) is no NUL character: it is stored as written.
func TestAPIJSONTextBackslashU(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAPIEnv(t, db)
	mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
	api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
	path := fmt.Sprintf("/api/v1/risks/%d", managedRisk(t, db, mgr.ID))
	etag := api.get(path).Header.Get("ETag")
	r := api.call(http.MethodPatch, path, `{"mitigation": "Escape NUL as \\u0000 in the export"}`, map[string]string{"If-Match": etag}, true)
	var got struct{ Mitigation string }
	if r.StatusCode != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.StatusCode, r.Body)
	}
	if r.JSON(t, &got); got.Mitigation != `Escape NUL as \u0000 in the export` {
		t.Errorf("stored %q", got.Mitigation)
	}
}
