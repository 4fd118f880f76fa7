package handlers_test

import (
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// walkAPI follows a list's next links from path, returning every row's
// field key (and failing on a row met twice or a page without the Link header).
func walkAPI(t *testing.T, api *apiClient, path, key string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for pages := 0; path != ""; pages++ {
		if pages > 1000 {
			t.Fatalf("%s: more than 1000 pages", path)
		}
		r := api.get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%.300s", path, r.StatusCode, r.Body)
		}
		var page struct {
			Data []map[string]any `json:"data"`
			Next string           `json:"next"`
		}
		r.JSON(t, &page)
		for _, row := range page.Data {
			k := fmt.Sprint(row[key])
			if seen[k] {
				t.Fatalf("%s: row %s met twice", path, k)
			}
			seen[k] = true
			out = append(out, k)
		}
		if link := r.Header.Get("Link"); (page.Next == "") != (link == "") || (link != "" && link != "<"+page.Next+`>; rel="next"`) {
			t.Fatalf("%s: next %q but Link %q", path, page.Next, link)
		}
		path = page.Next
	}
	return out
}

// TestAPIPagination: walking a list page by page meets every row exactly once.
func TestAPIPagination(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			api := ae.api(apiToken(t, db, models.RoleExecutive, models.ScopeRead))
			for path, table := range map[string]string{"/api/v1/engagements?limit=5": "engagements", "/api/v1/vendors?limit=3": "vendors",
				"/api/v1/risks?status=all&limit=7": "risks", "/api/v1/milestones?limit=4": "milestones", "/api/v1/lessons?limit=6": "lessons",
				"/api/v1/cost-records?limit=200": "cost_records", "/api/v1/readiness-items?limit=9": "readiness_items"} {
				got := walkAPI(t, api, path, "id")
				var n int64
				db.Table(table).Count(&n)
				if int64(len(got)) != n {
					t.Errorf("%s: walked %d rows, the table has %d", path, len(got), n)
				}
			}
		})
	}
}

// TestAPIRisksMatchExport: for the same filters the API lists exactly the
// rows the register's CSV export holds, in the same order.
func TestAPIRisksMatchExport(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			api := ae.api(apiToken(t, db, models.RoleExecutive, models.ScopeRead))
			browser := ae.client()
			browser.login(models.RoleExecutive)
			var vendor, eng uint
			db.Raw("SELECT MIN(vendor_id) FROM engagements").Scan(&vendor)
			db.Raw("SELECT MIN(engagement_id) FROM risks").Scan(&eng)
			for _, q := range []string{"", "status=all", "status=closed", "band=High", "band=Critical&kind=inherent", "engagement=portfolio",
				fmt.Sprintf("engagement=%d", eng), fmt.Sprintf("vendor=%d", vendor), "overdue=1", "appetite=out", "expired=1",
				"l=4&i=4", "q=vendor", "sort=ref&dir=asc", "sort=owner", "sort=review&dir=desc&status=all", "category=" + url.QueryEscape(models.RiskCategories[0])} {
				got := walkAPI(t, api, "/api/v1/risks?limit=9&"+q, "ref")
				res := browser.get("/risks/export?format=csv&" + q)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("export ?%s: %d", q, res.StatusCode)
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, rec := range recs[1:] {
					want = append(want, rec[0])
				}
				if !slices.Equal(got, want) {
					t.Errorf("?%s: the API lists %d risks %v…, the export %d %v…", q, len(got), head(got), len(want), head(want))
				}
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// TestAPIRiskWrites: writes go through the form's rules, history and rights:
// a manager's write token changes their engagements' risks (201 + Location
// on create, the history naming them); a stale If-Match merges with a change
// of other fields and is 412 only on a clash; a read token and an
// executive's token change nothing.
func TestAPIRiskWrites(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ae := newAPIEnv(t, db)
			mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
			api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
			id := managedRisk(t, db, mgr.ID)
			path := fmt.Sprintf("/api/v1/risks/%d", id)
			var read struct {
				Title, Mitigation, ETag string
				Version                 int
			}
			r := api.get(path)
			r.JSON(t, &read)
			etag := r.Header.Get("ETag")

			// Read tokens (the manager's, the executive's) change nothing.
			readers := []string{tokenFor(t, db, mgr, models.ScopeRead, 0), apiToken(t, db, models.RoleExecutive, models.ScopeRead)}
			before := fingerprint(t, db)
			for _, tok := range readers {
				if res := ae.api(tok).call(http.MethodPatch, path, map[string]any{"title": "Read token write"}, map[string]string{"If-Match": etag}, true); res.StatusCode != http.StatusForbidden {
					t.Errorf("a read token's PATCH: %d", res.StatusCode)
				}
				if res := ae.api(tok).call(http.MethodPost, "/api/v1/risks", map[string]any{"title": "Read token risk"}, nil, true); res.StatusCode != http.StatusForbidden {
					t.Errorf("a read token's POST: %d", res.StatusCode)
				}
			}
			if moved := slices.DeleteFunc(changedTables(before, fingerprint(t, db)), func(s string) bool { return s == "api_tokens" }); len(moved) > 0 {
				t.Errorf("read tokens' writes stored changes in %v", moved)
			}

			// A write at the current ETag.
			res := api.call(http.MethodPatch, path, map[string]any{"title": "API retitled"}, map[string]string{"If-Match": etag}, true)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("PATCH: %d\n%s", res.StatusCode, res.Body)
			}
			var saved struct {
				Title   string
				Version int
			}
			res.JSON(t, &saved)
			if saved.Title != "API retitled" || saved.Version != read.Version+1 || res.Header.Get("ETag") == etag {
				t.Errorf("saved %+v, ETag %q", saved, res.Header.Get("ETag"))
			}
			var ch models.Change
			db.Where("entity = ? AND entity_id = ? AND field = ?", models.RiskEntity, id, "title").Order("id DESC").First(&ch)
			if ch.New != "API retitled" || ch.UserID == nil || *ch.UserID != mgr.ID {
				t.Errorf("history: %+v, want the title change by the token's owner", ch)
			}

			// A stale ETag: another field merges, the same field clashes.
			res = api.call(http.MethodPatch, path, map[string]any{"mitigation": "Merged plan", "title": read.Title}, map[string]string{"If-Match": etag}, true)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("stale PATCH of another field: %d\n%s", res.StatusCode, res.Body)
			}
			var merged struct{ Title, Mitigation string }
			res.JSON(t, &merged)
			if merged.Title != "API retitled" || merged.Mitigation != "Merged plan" {
				t.Errorf("merge lost a change: %+v", merged)
			}
			res = api.call(http.MethodPatch, path, map[string]any{"title": "Clashing title"}, map[string]string{"If-Match": etag}, true)
			if res.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("stale PATCH of the same field: %d\n%s", res.StatusCode, res.Body)
			}
			p := res.Problem(t)
			cur := api.get(path)
			var curBody struct{ ETag string }
			cur.JSON(t, &curBody)
			if len(p.Errors) != 1 || p.Errors[0].Field != "title" || p.ETag != curBody.ETag || !strings.HasPrefix(cur.Header.Get("ETag"), strings.TrimSuffix(p.ETag, `"`)+".") || res.Header.Get("ETag") != p.ETag {
				t.Errorf("412: %+v (current ETag %s)", p, cur.Header.Get("ETag"))
			}

			// The form's checks: a level past 5 is refused, naming the field.
			res = api.call(http.MethodPatch, path, map[string]any{"inherent_likelihood": 9}, map[string]string{"If-Match": cur.Header.Get("ETag")}, true)
			if res.StatusCode != http.StatusUnprocessableEntity || len(res.Problem(t).Errors) != 1 || res.Problem(t).Errors[0].Field != "inherent_likelihood" {
				t.Errorf("a likelihood of 9: %d %s", res.StatusCode, res.Body)
			}

			// Create: 201, Location, the creation in the history; a foreign engagement 403.
			code := engagementCode(t, db, *riskEngagement(t, db, id))
			res = api.call(http.MethodPost, "/api/v1/risks", map[string]any{"engagement": code, "title": "Raised by API", "category": models.RiskCategories[1],
				"inherent_likelihood": 4, "inherent_impact": 4, "residual_likelihood": 2, "residual_impact": 3}, nil, true)
			if res.StatusCode != http.StatusCreated || !strings.HasPrefix(res.Header.Get("Location"), "/api/v1/risks/") {
				t.Fatalf("POST: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
			}
			if got := api.get(res.Header.Get("Location")); got.StatusCode != http.StatusOK || !strings.Contains(string(got.Body), "Raised by API") {
				t.Errorf("GET Location: %d", got.StatusCode)
			}
			var created models.Risk
			db.Where("title = ?", "Raised by API").First(&created)
			var n int64
			db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND action = ? AND user_id = ?", models.RiskEntity, created.ID, "create", mgr.ID).Count(&n)
			if n == 0 {
				t.Errorf("the created risk has no creation in its history")
			}
			f := newFixture(t, db)
			before = fingerprint(t, db)
			res = api.call(http.MethodPost, "/api/v1/risks", map[string]any{"engagement": f.foreignCode(), "title": "Not theirs", "category": models.RiskCategories[1],
				"inherent_likelihood": 4, "inherent_impact": 4, "residual_likelihood": 2, "residual_impact": 3}, nil, true)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST on a foreign engagement: %d", res.StatusCode)
			}
			if moved := slices.DeleteFunc(changedTables(before, fingerprint(t, db)), func(s string) bool { return s == "api_tokens" }); len(moved) > 0 {
				t.Errorf("a refused write stored changes in %v", moved)
			}
		})
	}
}

func riskEngagement(t *testing.T, db *gorm.DB, riskID uint) *uint {
	t.Helper()
	var r models.Risk
	if err := db.First(&r, riskID).Error; err != nil || r.EngagementID == nil {
		t.Fatalf("risk %d: %v", riskID, err)
	}
	return r.EngagementID
}

func engagementCode(t *testing.T, db *gorm.DB, id uint) string {
	t.Helper()
	var e models.Engagement
	if err := db.First(&e, id).Error; err != nil {
		t.Fatal(err)
	}
	return e.Code
}

// TestAPIRiskETagCoversJoinedFields: a risk's ETag changes when what it shows
// but does not store changes (its owner's name), so If-None-Match with the
// old tag is a 200 with the new name, not a stale 304; the new tag, sent
// back as it is or with the -gzip of a compressed answer, is a 304, and
// still works as If-Match.
func TestAPIRiskETagCoversJoinedFields(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAPIEnv(t, db)
	mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
	api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
	id := managedRisk(t, db, mgr.ID)
	var owner uint
	db.Raw("SELECT owner_id FROM risks WHERE id = ?", id).Scan(&owner)
	if owner == 0 {
		t.Fatal("the risk has no owner")
	}
	path := fmt.Sprintf("/api/v1/risks/%d", id)
	old := api.get(path).Header.Get("ETag")
	if r := api.call(http.MethodGet, path, nil, map[string]string{"If-None-Match": old}, true); r.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with the current tag: %d", r.StatusCode)
	}
	db.Exec("UPDATE users SET name = ? WHERE id = ?", "Renamed Owner", owner)
	r := api.call(http.MethodGet, path, nil, map[string]string{"If-None-Match": old}, true)
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "Renamed Owner") {
		t.Fatalf("If-None-Match with the tag from before the owner's rename: %d %.200s", r.StatusCode, r.Body)
	}
	cur := r.Header.Get("ETag")
	if cur == old {
		t.Errorf("the owner's rename left the ETag %s", cur)
	}
	// Go's client asks for gzip: the tag may carry -gzip already.
	plain := strings.Replace(cur, `-gzip"`, `"`, 1)
	gz := strings.TrimSuffix(plain, `"`) + `-gzip"`
	for _, tag := range []string{plain, gz} {
		if r := api.call(http.MethodGet, path, nil, map[string]string{"If-None-Match": tag}, true); r.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d", tag, r.StatusCode)
		}
	}
	if r := api.call(http.MethodPatch, path, map[string]any{"title": "Still writable"}, map[string]string{"If-Match": gz}, true); r.StatusCode != http.StatusOK {
		t.Errorf("If-Match with the current header tag: %d %s", r.StatusCode, r.Body)
	}
}

// TestAPIIfMatch: If-Match: * matches the record as it is; a weak tag, the
// tag of another record at the same version, and a tag at the current
// version whose field prints are not the record's are 412, nothing stored.
func TestAPIIfMatch(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAPIEnv(t, db)
	mgr := userByEmail(t, db, demoAccount(t, models.RoleManager).Email)
	api := ae.api(tokenFor(t, db, mgr, models.ScopeWrite, 0))
	id := managedRisk(t, db, mgr.ID)
	var other uint
	db.Raw("SELECT MIN(id) FROM risks WHERE id <> ?", id).Scan(&other)
	path := fmt.Sprintf("/api/v1/risks/%d", id)
	tags := map[string]func(mine, others string) string{
		"weak":             func(mine, _ string) string { return "W/" + mine },
		"another record's": func(_, others string) string { return others },
		"forged prints": func(mine, _ string) string {
			// The current version with one field's print changed.
			ver, prints, _ := strings.Cut(strings.Trim(mine, `"`), ".")
			raw, err := base64.RawURLEncoding.DecodeString(prints)
			if err != nil || len(raw) < 8 {
				t.Fatalf("ETag %s: %v", mine, err)
			}
			raw[0] ^= 0xff
			return `"` + ver + "." + base64.RawURLEncoding.EncodeToString(raw) + `"`
		},
	}
	for _, name := range []string{"weak", "another record's", "forged prints"} {
		// Each case from the record as it is, the other at the same version.
		db.Exec("UPDATE risks SET version = (SELECT version FROM risks WHERE id = ?) WHERE id = ?", id, other)
		var mine, others struct{ ETag string }
		api.get(path).JSON(t, &mine)
		api.get(fmt.Sprintf("/api/v1/risks/%d", other)).JSON(t, &others)
		tag := tags[name](mine.ETag, others.ETag)
		r := api.call(http.MethodPatch, path, map[string]any{"title": "Refused: " + name}, map[string]string{"If-Match": tag}, true)
		if r.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("If-Match %s (%s): %d %.200s", name, tag, r.StatusCode, r.Body)
		} else if r.Problem(t); name == "weak" && !strings.Contains(string(r.Body), "weak") {
			t.Errorf("the weak tag's problem does not say why: %s", r.Body)
		}
	}
	var n int64
	db.Model(&models.Risk{}).Where("title LIKE ?", "Refused:%").Count(&n)
	if n != 0 {
		t.Errorf("%d refused writes stored", n)
	}
	r := api.call(http.MethodPatch, path, map[string]any{"title": "Written at any version"}, map[string]string{"If-Match": "*"}, true)
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "Written at any version") {
		t.Errorf("If-Match *: %d %s", r.StatusCode, r.Body)
	}
}

// TestAPICursorKeepsItsFilters: a list's cursor is for the filters and order
// it was given with: the same page with other filters is 400, not a page of
// another list.
func TestAPICursorKeepsItsFilters(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAPIEnv(t, db)
	api := ae.api(apiToken(t, db, models.RoleExecutive, models.ScopeRead))
	var page struct{ Next *string }
	api.get("/api/v1/risks?limit=2&sort=score").JSON(t, &page)
	if page.Next == nil {
		t.Fatal("no next page")
	}
	if r := api.get(*page.Next); r.StatusCode != http.StatusOK {
		t.Fatalf("the next page: %d", r.StatusCode)
	}
	u, err := url.Parse(*page.Next)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("status", "open")
	if r := api.call(http.MethodGet, u.Path+"?"+q.Encode(), nil, nil, false); r.StatusCode != http.StatusBadRequest {
		t.Errorf("the cursor with another filter: %d", r.StatusCode)
	} else {
		r.Problem(t)
	}
	// A cursor of ours naming a risk that does not exist.
	q = url.Values{"cursor": {base64.RawURLEncoding.EncodeToString([]byte("after:999999:33niihzj4ux45"))}}
	if r := api.call(http.MethodGet, "/api/v1/risks?"+q.Encode(), nil, nil, false); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a cursor past no risk: %d %.200s", r.StatusCode, r.Body)
	}
}
