package handlers_test

import (
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/web"
)

// The route walk: every route the server registers is requested as anonymous,
// executive, manager and admin, and without a CSRF token. A route someone adds
// later is walked too; if its path pattern is missing from routeTargets below
// the test fails and says what to add.

// routeTarget says how to aim a route at a record the demo manager does NOT
// manage (or a portfolio-wide one, which only admins change).
type routeTarget struct {
	// params gives the path parameters (":id" → "12").
	params func(f *fixture) map[string]string
	// form gives the fields a state-changing request needs to name its target,
	// e.g. the engagement_id of a create. Give valid values for the rest when the
	// handler validates before it authorises.
	form func(f *fixture) url.Values
	// managerMay marks a route the demo manager may use even so (a blank "new"
	// form whose engagement is chosen in it).
	managerMay bool
}

// routeTargets maps every route path pattern with parameters, and every path a
// state-changing route uses, to its target. EXTEND IT when you add a route: the
// walk fails on a pattern missing here and says so.
var routeTargets = map[string]routeTarget{
	// Sign-in, account and users.
	"/login":                   {},
	"/login/oidc":              {}, // single sign-on: 404 where none is configured (the walk's app); handlers/sso_test.go walks it
	"/login/oidc/callback":     {},
	"/logout":                  {},
	"/account/password":        {},
	"/account/calendar":        {},
	"/account/calendar/revoke": {},
	"/calendar/:token":         {params: func(*fixture) map[string]string { return map[string]string{"token": "not-a-feed.ics"} }},
	"/account/email":           {},
	"/account/tokens": {form: func(*fixture) url.Values {
		return url.Values{"name": {"Route walk"}, "scope": {models.ScopeRead}, "expires": {today().AddDays(30).String()}}
	}},
	"/account/tokens/:id/revoke": {params: id(spareToken)},
	"/tokens":                    {},
	"/tokens/:id/revoke":         {params: id(spareToken)},
	"/unsubscribe/:token":        {params: func(*fixture) map[string]string { return map[string]string{"token": "not-a-signed-link"} }},
	"/notifications/read":        {},
	"/reminders/:id/retry":       {params: func(*fixture) map[string]string { return map[string]string{"id": "1"} }},
	"/users":                     {},
	"/users/:id":                 {params: id(spareUser)},
	"/users/:id/password":        {params: id(spareUser)},
	"/users/:id/disable":         {params: id(spareUser)},
	"/users/:id/enable":          {params: id(spareUser)},

	// Engagements and vendors (admins only change them).
	"/engagements":               {},
	"/engagements/:id":           {params: id(foreignEngagement)},
	"/engagements/:id/edit":      {params: id(foreignEngagement)},
	"/engagements/:id/lifecycle": {params: id(foreignEngagement)},
	"/engagements/:id/contract":  {params: id(foreignEngagement), form: func(*fixture) url.Values { return url.Values{"notice_days": {"90"}} }},
	"/engagements/:id/partnership": {params: id(foreignEngagement), form: func(*fixture) url.Values {
		return url.Values{"communication": {"3"}, "cultural_fit": {"3"}, "service_quality": {"3"}, "responsiveness": {"3"}, "innovation": {"3"}, "control_autonomy": {"3"}}
	}},
	"/engagements/:id/partnership/suggestions/:sid": {params: func(f *fixture) map[string]string {
		return map[string]string{"id": fmt.Sprint(f.foreign), "sid": "1"}
	}, form: func(*fixture) url.Values { return url.Values{"decision": {"dismiss"}} }},
	"/engagements/:id/contract/decision": {params: id(foreignEngagement), form: func(*fixture) url.Values {
		return url.Values{"decision": {models.DecisionRenew}}
	}},
	"/engagements/:id/obligations": {params: id(foreignEngagement), form: func(*fixture) url.Values {
		return url.Values{"party": {"vendor"}, "title": {"Walk report"}, "frequency": {"monthly"}, "first_due": {today().String()}}
	}},
	"/engagements/:id/obligations/:oid": {params: foreignChild("obligations", "oid"), form: func(*fixture) url.Values {
		return url.Values{"party": {"vendor"}, "title": {"Walk report"}, "frequency": {"monthly"}, "first_due": {today().String()}, "version": {"1"}}
	}},
	"/engagements/:id/obligations/:oid/record": {params: foreignChild("obligations", "oid"), form: func(*fixture) url.Values {
		return url.Values{"status": {"waived"}, "reason": {"Walk"}, "due_on": {today().String()}}
	}},
	"/obligations":              {},
	"/obligations/export":       {},
	"/engagements/:id/meetings": {params: id(foreignEngagement), form: meetingPost},
	"/meetings/:id":             {params: id(foreignRow("governance_meetings")), form: meetingPost},
	"/meetings/:id/actions": {params: id(foreignRow("governance_meetings")), form: func(*fixture) url.Values {
		return url.Values{"action": {"Walk the route"}, "owner": {"Route walker"}, "due": {today().AddDays(30).String()}}
	}},
	"/meetings/:id/actions/:aid": {params: foreignMeetingAction, form: func(*fixture) url.Values { return url.Values{"status": {models.ActionDone}} }},
	"/engagements/:id/phase":     {params: id(foreignEngagement)},
	"/engagements/:id/close":     {params: id(foreignEngagement)},
	"/engagements/:id/reopen":    {params: id(foreignEngagement)},
	"/vendors":                   {},
	"/vendors/:id":               {params: id(anyOf("vendors"))},
	"/vendors/:id/edit":          {params: id(anyOf("vendors"))},
	"/vendors/:id/archive":       {params: id(anyOf("vendors"))},
	"/vendors/:id/restore":       {params: id(anyOf("vendors"))},

	// Risk register.
	"/engagements/:id/risks": {params: id(foreignEngagement)},
	"/risks":                 {form: func(f *fixture) url.Values { return url.Values{"engagement": {f.foreignCode()}} }},
	"/risks/new":             {managerMay: true}, // a blank form: the engagement is chosen in it
	// The import checks each row: a manager's file naming a foreign engagement is refused row by row (nothing stored).
	"/risks/import":           {managerMay: true, form: foreignRiskCSV},
	"/risks/import/apply":     {managerMay: true, form: foreignRiskCSV},
	"/risks/:id":              {params: id(foreignRow("risks"))},
	"/risks/:id/edit":         {params: id(foreignRow("risks"))},
	"/risks/:id/quick":        {params: id(foreignRow("risks"))},
	"/risks/:id/status":       {params: id(foreignRow("risks"))},
	"/risks/:id/review":       {params: id(foreignRow("risks"))},
	"/risks/:id/close":        {params: id(foreignRow("risks"))},
	"/risks/:id/accept":       {params: id(foreignRow("risks"))},
	"/risks/:id/actions":      {params: id(foreignRow("risks"))},
	"/risks/:id/actions/:aid": {params: foreignAction},
	"/settings":               {},
	"/settings/finance":       {},

	// Costs, service levels, BOT transfers.
	"/engagements/:id/costs":                       {params: id(foreignEngagement)},
	"/engagements/:id/costs/new":                   {params: id(foreignEngagement)},
	"/engagements/:id/costs/:cid/edit":             {params: foreignChild("cost_records", "cid")},
	"/engagements/:id/costs/:cid":                  {params: foreignChild("cost_records", "cid")},
	"/costs/import":                                {managerMay: true, form: foreignCostCSV}, // checked row by row, like the risk import
	"/costs/import/apply":                          {managerMay: true, form: foreignCostCSV},
	"/fx":                                          {},
	"/fx/:id/edit":                                 {params: id(anyOf("fx_rates"))},
	"/fx/:id":                                      {params: id(anyOf("fx_rates"))},
	"/engagements/:id/slas":                        {params: id(foreignEngagement)},
	"/engagements/:id/slas/new":                    {params: id(foreignEngagement)},
	"/engagements/:id/slas/results":                {params: id(foreignEngagement)},
	"/engagements/:id/slas/results/export":         {params: id(foreignEngagement)},
	"/engagements/:id/slas/breaches/export":        {params: id(foreignEngagement)},
	"/slas/:id/edit":                               {params: id(foreignRow("service_levels"))},
	"/slas/:id":                                    {params: id(foreignRow("service_levels"))},
	"/slas/:id/archive":                            {params: id(foreignRow("service_levels"))},
	"/slas/:id/restore":                            {params: id(foreignRow("service_levels"))},
	"/engagements/:id/milestones":                  {params: id(foreignEngagement)},
	"/engagements/:id/milestones/export":           {params: id(foreignEngagement)},
	"/engagements/:id/milestones/new":              {params: id(foreignEngagement)},
	"/milestones/:id/edit":                         {params: id(foreignRow("milestones"))},
	"/milestones/:id":                              {params: id(foreignRow("milestones"))},
	"/engagements/:id/readiness":                   {params: id(foreignBOT)},
	"/readiness/:id":                               {params: id(foreignRow("readiness_items"))},
	"/engagements/:id/exit":                        {params: id(foreignITO)},
	"/exit/:id":                                    {params: id(foreignRow("exit_readiness_items"))},
	"/engagements/:id/gates/new":                   {params: id(foreignBOT)},
	"/engagements/:id/gates":                       {params: id(foreignBOT)},
	"/gates/:id/edit":                              {params: id(foreignRow("transfer_gates"))},
	"/gates/:id":                                   {params: id(foreignRow("transfer_gates"))},
	"/reviews/:quarter":                            {params: quarter},
	"/reviews/:quarter/pack.css":                   {params: quarter},
	"/reviews/:quarter/publish":                    {params: quarter},
	"/reviews/:quarter/correct":                    {params: quarter},
	"/reviews/:quarter/commentary":                 {params: quarter},
	"/reviews/:quarter/engagements/:id":            {params: quarterAnd(foreignEngagement)},
	"/reviews/:quarter/engagements/:id/commentary": {params: quarterAnd(foreignEngagement)},

	// Lessons: any manager may add one (the library is shared); only its author or an admin changes it.
	"/lessons":             {managerMay: true},
	"/lessons/new":         {managerMay: true},
	"/lessons/:id":         {params: id(foreignLesson)},
	"/lessons/:id/edit":    {params: id(foreignLesson)},
	"/lessons/:id/archive": {params: id(foreignLesson)},
	"/lessons/:id/restore": {params: id(foreignLesson)},
}

// Pickers for routeTargets.
func spareUser(f *fixture) uint { return f.spareUser }

// spareToken is a live API token of the spare account (made once).
func spareToken(f *fixture) uint {
	if f.token == 0 {
		var u models.User
		if err := f.db.First(&u, f.spareUser).Error; err != nil {
			f.t.Fatal(err)
		}
		_, tok, err := models.CreateToken(f.t.Context(), f.db, models.NewToken{Owner: u, Name: "route walk", Scope: models.ScopeRead}, nil, dbtest.Now())
		if err != nil {
			f.t.Fatal(err)
		}
		f.token = tok.ID
	}
	return f.token
}
func foreignEngagement(f *fixture) uint { return f.foreign }
func foreignBOT(f *fixture) uint {
	return f.pick("engagements", "model = 'BOT' AND id NOT IN "+managedSQL)
}
func foreignITO(f *fixture) uint {
	return f.pick("engagements", "model = 'ITO' AND id NOT IN "+managedSQL)
}
func foreignLesson(f *fixture) uint {
	return f.pick("lessons", "(author_id IS NULL OR author_id <> @m)")
}
func anyOf(table string) func(f *fixture) uint { return func(f *fixture) uint { return f.any(table) } }
func foreignRow(table string) func(f *fixture) uint {
	return func(f *fixture) uint { return f.foreignRow(table) }
}

// foreignChild fills :id with a foreign engagement and param with one of its rows in table.
func foreignChild(table, param string) func(f *fixture) map[string]string {
	return func(f *fixture) map[string]string {
		row := f.foreignRow(table)
		var eng uint
		f.db.Raw("SELECT engagement_id FROM "+table+" WHERE id = ?", row).Scan(&eng)
		return map[string]string{"id": fmt.Sprint(eng), param: fmt.Sprint(row)}
	}
}

// foreignCostCSV is an import file recording a month of costs on a foreign engagement.
func foreignCostCSV(f *fixture) url.Values {
	csv := "Engagement,Month,Currency,Baseline,Vendor fees,Retained,One-off,Credits,Planned savings,Savings type\n" +
		f.foreignCode() + ",2026-10,EUR,1000.00,500.00,100.00,0,0,300.00,hard\n"
	return url.Values{"content": {csv}, "filename": {"walk.csv"}}
}

// reviewQuarter is the last complete quarter on today's date, the one due for
// review, or the quarter offset from it (-1 the one before, 1 today's own).
func reviewQuarter(offset ...int) string {
	q := models.DefaultFiscal.LastComplete(today())
	for _, o := range offset {
		for ; o < 0; o++ {
			q = q.Prev()
		}
		for ; o > 0; o-- {
			q = q.Next()
		}
	}
	return q.String()
}

func quarter(f *fixture) map[string]string { return map[string]string{"quarter": reviewQuarter()} }

func quarterAnd(pick func(f *fixture) uint) func(f *fixture) map[string]string {
	return func(f *fixture) map[string]string {
		return map[string]string{"quarter": reviewQuarter(), "id": fmt.Sprint(pick(f))}
	}
}

// foreignRiskCSV is an import file (dry run or apply) raising a risk on a foreign engagement.
func foreignRiskCSV(f *fixture) url.Values {
	csv := "Title,Engagement,Category,Inherent likelihood,Inherent impact,Residual likelihood,Residual impact\n" +
		"Walk test risk," + f.foreignCode() + "," + models.RiskCategories[0] + ",3,3,2,2\n"
	return url.Values{"content": {csv}, "filename": {"walk.csv"}}
}

// selfService are the state-changing routes any signed-in user (or anyone, for
// sign-in) may use because they touch only the user's own session or account.
// Every other state-changing route must be guarded web.Editor or web.Admin.
var selfService = map[string]bool{
	"POST /login":                     true,
	"POST /logout":                    true,
	"POST /account/password":          true,
	"POST /account/calendar":          true,
	"POST /account/calendar/revoke":   true,
	"POST /account/email":             true,
	"POST /account/tokens":            true, // makes a token of one's own
	"POST /account/tokens/:id/revoke": true, // revokes one's own (another's is not found)
	"POST /notifications/read":        true,
	"POST /unsubscribe/:token":        true, // a signed link: it acts on its own user's email only
}

// infraRoutes are mounted on the bare Echo instance (not the route table): public, read-only.
var infraRoutes = map[string]bool{"GET /static/*": true, "GET /favicon.ico": true}

func id(pick func(f *fixture) uint) func(f *fixture) map[string]string {
	return func(f *fixture) map[string]string { return map[string]string{"id": fmt.Sprint(pick(f))} }
}

// fixture picks records from the demo data.
type fixture struct {
	t         *testing.T
	db        *gorm.DB
	manager   models.User // the demo manager
	foreign   uint        // an engagement the demo manager does not manage
	spareUser uint        // an account that is none of the demo sign-ins (admin routes act on it)
	token     uint        // a live API token of the spare account (spareToken)
}

// managed is the SQL set of engagements the demo manager manages.
const managedSQL = `(SELECT id FROM engagements WHERE manager_id = @m OR id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = @m))`

func newFixture(t *testing.T, db *gorm.DB) *fixture {
	f := &fixture{t: t, db: db, manager: userByEmail(t, db, demoAccount(t, models.RoleManager).Email)}
	f.foreign = f.pick("engagements", "id NOT IN "+managedSQL)
	f.spareUser = f.pick("users", "email NOT IN @emails")
	return f
}

// pick is the lowest id of table matching where (named args @m, @emails); it fails when none matches.
func (f *fixture) pick(table, where string) uint {
	f.t.Helper()
	var emails []string
	for _, a := range seed.DemoAccounts {
		emails = append(emails, a.Email)
	}
	var args []any
	if strings.Contains(where, "@") {
		args = append(args, map[string]any{"m": f.manager.ID, "emails": emails})
	}
	var id *uint
	err := f.db.Raw("SELECT MIN(id) FROM "+table+" WHERE "+where, args...).Scan(&id).Error
	if err != nil || id == nil {
		f.t.Fatalf("route walk fixture: no %s row where %s (%v): seed one in the demo data", table, where, err)
	}
	return *id
}

// any is some row of table.
func (f *fixture) any(table string) uint { return f.pick(table, "1 = 1") }

// foreignRow is a row of table on an engagement the demo manager does not manage.
func (f *fixture) foreignRow(table string) uint {
	return f.pick(table, "engagement_id IS NOT NULL AND engagement_id NOT IN "+managedSQL)
}

// foreignCode is the code of the foreign engagement (forms and files name engagements by code).
func (f *fixture) foreignCode() string { return f.code(f.foreign) }

// walkRoute is one registered route with what the route table says of it.
type walkRoute struct {
	method, path string
	guard        web.Guard
	inTable      bool
}

func (r walkRoute) key() string { return r.method + " " + r.path }

// registered lists the routes the Echo instance serves, with their guards.
func registered(t *testing.T, e *echo.Echo, a *handlers.App) []walkRoute {
	t.Helper()
	guards := map[string]web.Guard{}
	for _, r := range a.Routes() {
		guards[r.Method+" "+r.Path] = r.Guard
	}
	seen := map[string]bool{}
	var out []walkRoute
	for _, r := range e.Routes() {
		if r.Name == "echo_route_not_found" || r.Method == echo.RouteNotFound {
			continue
		}
		w := walkRoute{method: r.Method, path: r.Path}
		if seen[w.key()] {
			continue
		}
		seen[w.key()] = true
		w.guard, w.inTable = guards[w.key()]
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// fill puts the target's parameters into a path pattern.
func fill(t *testing.T, pattern string, params map[string]string) string {
	t.Helper()
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			v, ok := params[p[1:]]
			if !ok {
				t.Fatalf("routeTargets[%q] gives no value for %s", pattern, p)
			}
			parts[i] = url.PathEscape(v)
		} else if p == "*" {
			parts[i] = "app.css"
		}
	}
	return strings.Join(parts, "/")
}

// fingerprint sums a hash of every row of every table (but sign-in throttling and
// migrations), so that "nothing stored" covers inserts, updates and deletes anywhere.
func fingerprint(t *testing.T, db *gorm.DB) map[string]uint64 {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, tb := range tables {
		// (The health probe writes its own row: /healthz proves the database takes a write.)
		if tb == "login_throttles" || tb == "schema_migrations" || tb == "health_probe" || strings.HasPrefix(tb, "sqlite_") {
			continue
		}
		rows, err := db.Raw("SELECT * FROM " + tb).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var sum uint64
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			fmt.Fprintf(h, "%v", vals)
			sum += h.Sum64()
		}
		rows.Close()
		out[tb] = sum
	}
	return out
}

// changedTables names the tables whose fingerprint moved.
func changedTables(before, after map[string]uint64) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// checkPageSafety fails on what the CSP would block or what could run script:
// inline <script>, on* handler attributes, hx-on, style attributes, javascript: URLs.
func checkPageSafety(t *testing.T, where string, r resp) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return
	}
	doc := r.Doc(t)
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("%s: inline <script> (the CSP allows script-src 'self' only: move it to static/app.js)", where)
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"), strings.HasPrefix(k, "hx-on"):
				t.Errorf("%s: <%s %s=…>: inline event handlers are blocked by the CSP; use static/app.js", where, s.Nodes[0].Data, a.Key)
			case k == "style":
				t.Errorf("%s: <%s style=%q>: style attributes are blocked by the CSP (style-src 'self'); use a class", where, s.Nodes[0].Data, a.Val)
			case (k == "href" || k == "src" || k == "action" || k == "formaction") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:"):
				t.Errorf("%s: javascript: URL in %s", where, a.Key)
			}
		}
	})
}

// checkHeaders fails when a response lacks the security headers.
func checkHeaders(t *testing.T, where string, r resp) {
	t.Helper()
	h := r.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "style-src 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", where, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows unsafe script or style: %q", where, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("%s: security headers missing: nosniff=%q referrer=%q frame=%q", where,
			h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), h.Get("X-Frame-Options"))
	}
}

func TestEveryRouteIsGuarded(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) { walkRoutes(t, dbtest.Demo(t, kind)) })
	}
}

func walkRoutes(t *testing.T, db *gorm.DB) {
	ae := newAppEnv(t, db, nil)
	a := ae.app
	var routes []walkRoute
	for _, r := range registered(t, ae.server.Echo, ae.app) {
		if !apiRoutes(a)[r.key()] { // the JSON API's are walked by TestEveryAPIRouteIsGuarded
			routes = append(routes, r)
		}
	}
	var missing []string
	for _, r := range routes {
		switch {
		case !r.inTable && !infraRoutes[r.key()] && !apiRoutes(a)[r.key()]:
			t.Errorf("%s is registered outside handlers.Routes(): add it to the route table with a guard", r.key())
		case r.inTable && r.method != http.MethodGet && r.guard != web.Editor && r.guard != web.Admin && !selfService[r.key()]:
			t.Errorf("%s changes state but is guarded %s: guard it web.Editor (and a.authorizeEngagement in the handler) or web.Admin", r.key(), r.guard)
		}
		if _, ok := routeTargets[r.path]; !ok && r.inTable && (strings.ContainsAny(r.path, ":*") || r.method != http.MethodGet) {
			missing = append(missing, r.path)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("routeTargets in handlers/routes_test.go has no entry for %q.\nAdd one per path pattern: how to fill its parameters with a record on an engagement the demo manager does NOT manage (and, for a create, the form fields naming that engagement), so the walk can check every role against it.", missing)
	}
	f := newFixture(t, db)

	anon, exec, mgr, admin := ae.client(), ae.client(), ae.client(), ae.client()
	anonToken := anon.csrf("/login")
	exec.login(models.RoleExecutive)
	mgr.login(models.RoleManager)
	admin.login(models.RoleAdmin)
	tokens := map[*client]string{anon: anonToken, exec: exec.token(), mgr: mgr.token(), admin: admin.token()}

	type aimed struct {
		walkRoute
		url  string
		form url.Values
		tgt  routeTarget
	}
	var aims []aimed
	for _, r := range routes {
		tgt := routeTargets[r.path]
		params := map[string]string{}
		if tgt.params != nil {
			params = tgt.params(f)
		}
		form := url.Values{}
		if tgt.form != nil && r.method != http.MethodGet {
			form = tgt.form(f)
		}
		aims = append(aims, aimed{r, fill(t, r.path, params), form, tgt})
	}
	withToken := func(c *client, form url.Values) url.Values {
		v := url.Values{}
		for k, x := range form {
			v[k] = x
		}
		v.Set("_csrf", tokens[c])
		return v
	}

	// Pass 1: nobody but admins may get past the guards; nothing is stored by a refusal.
	// stored is the database as the last check saw it.
	stored := fingerprint(t, db)
	for _, r := range aims {
		state := r.method != http.MethodGet
		where := r.method + " " + r.url + " (" + r.path + ")"

		// Anonymous: the sign-in page (htmx: 401 + HX-Redirect), unless public.
		res := anon.send(r.method, r.url, withToken(anon, r.form), nil)
		checkHeaders(t, "anonymous "+where, res)
		checkPageSafety(t, "anonymous "+where, res)
		toLogin := res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")
		if r.guard == web.Public || !r.inTable {
			if toLogin || res.StatusCode == http.StatusUnauthorized {
				t.Errorf("anonymous %s: public route sent to sign-in (%d)", where, res.StatusCode)
			}
		} else {
			if !toLogin {
				t.Errorf("anonymous %s: %d, want 303 to /login", where, res.StatusCode)
			} else if !state && res.Header.Get("Location") != "/login?next="+url.QueryEscape(r.url) && r.url != "/" {
				t.Errorf("anonymous %s: sent to %q, want /login?next=%s", where, res.Header.Get("Location"), url.QueryEscape(r.url))
			}
			hx := anon.send(r.method, r.url, withToken(anon, r.form), map[string]string{"HX-Request": "true", "HX-Current-URL": ae.srv.URL + "/risks?page=2"})
			if hx.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(hx.Header.Get("HX-Redirect"), "/login") {
				t.Errorf("anonymous htmx %s: %d HX-Redirect=%q, want 401 and HX-Redirect to /login", where, hx.StatusCode, hx.Header.Get("HX-Redirect"))
			}
		}
		if !r.inTable || selfService[r.key()] {
			continue // public infrastructure; self-service routes act on the caller's own account
		}

		// Executives and managers: 403 where their role or the engagement forbids it,
		// and nothing stored by a refusal, by a GET, or by a manager aiming at an
		// engagement they do not manage.
		for _, who := range []struct {
			name   string
			c      *client
			forbid bool
		}{
			{"executive", exec, r.guard == web.Editor || r.guard == web.Admin},
			{"manager", mgr, r.guard == web.Admin || (r.guard == web.Editor && !r.tgt.managerMay)},
		} {
			res := who.c.send(r.method, r.url, withToken(who.c, r.form), nil)
			checkHeaders(t, who.name+" "+where, res)
			if who.forbid && res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", who.name, where, res.StatusCode)
			}
			if !who.forbid && (res.StatusCode == http.StatusForbidden || res.StatusCode >= 500) {
				t.Errorf("%s %s: %d, want it allowed", who.name, where, res.StatusCode)
			}
			if state || who.name == "executive" {
				after := fingerprint(t, db)
				if moved := changedTables(stored, after); len(moved) > 0 {
					switch {
					case !state:
						t.Errorf("%s %s: a GET stored changes in %v (GET must have no side effects)", who.name, where, moved)
					case who.forbid:
						t.Errorf("%s %s: must be refused, yet stored changes in %v", who.name, where, moved)
					default:
						t.Errorf("%s %s: a manager aiming at an engagement they do not manage stored changes in %v", who.name, where, moved)
					}
				}
				stored = after
			}
		}

		// No CSRF token, or a wrong one: 403 and nothing stored.
		if state {
			for name, form := range map[string]url.Values{"no token": r.form, "wrong token": withToken(admin, r.form)} {
				if name == "wrong token" {
					form.Set("_csrf", "not-the-token")
				}
				res := admin.send(r.method, r.url, form, nil)
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("admin %s with %s: %d, want 403", where, name, res.StatusCode)
				}
			}
			after := fingerprint(t, db)
			if moved := changedTables(stored, after); len(moved) > 0 {
				t.Errorf("%s without a valid CSRF token stored changes in %v", where, moved)
			}
			stored = after

			// A body past the route's limit (a form's: 1 MB; the imports' larger
			// limit is web.TestBodyLimits'): 413 even for an admin, nothing stored.
			// Sent without a length, so the server reads to its limit.
			if !strings.HasSuffix(r.path, "/import") && !strings.HasSuffix(r.path, "/import/apply") {
				big := withToken(admin, r.form)
				big.Set("padding", strings.Repeat("x", web.FormBodyLimit))
				res := admin.do(r.method, r.url, io.MultiReader(strings.NewReader(big.Encode())),
					map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
				if res.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("admin %s with a body past 1 MB: %d, want 413", where, res.StatusCode)
				}
				after := fingerprint(t, db)
				if moved := changedTables(stored, after); len(moved) > 0 {
					t.Errorf("%s with a body past its limit stored changes in %v", where, moved)
				}
				stored = after
			}
		}
	}
	// The public sign-in form refuses a post without a token too.
	if res := anon.send(http.MethodPost, "/login", url.Values{"email": {"a@b.example"}, "password": {"x"}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST /login without a CSRF token: %d, want 403", res.StatusCode)
	}

	t.Logf("walked %d routes", len(aims))

	// Pass 2: admins get past every guard (a validation error is fine, a refusal or a crash is not).
	for _, r := range aims {
		if !r.inTable {
			continue
		}
		where := "admin " + r.method + " " + r.url + " (" + r.path + ")"
		res := admin.send(r.method, r.url, withToken(admin, r.form), nil)
		checkHeaders(t, where, res)
		checkPageSafety(t, where, res)
		toLogin := res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")
		switch {
		case res.StatusCode == http.StatusForbidden, res.StatusCode == http.StatusUnauthorized, res.StatusCode >= 500:
			t.Errorf("%s: %d, want it allowed (2xx, 3xx or a 4xx about the input)\n%.300s", where, res.StatusCode, res.Body)
		case toLogin && r.key() != "POST /logout":
			t.Errorf("%s: sent to sign-in", where)
		}
		if r.method == http.MethodGet && res.StatusCode == http.StatusOK && strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") &&
			!strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: a signed-in page without Cache-Control: no-store (Back after sign-out would show it)", where)
		}
		if !admin.signedIn() { // POST /logout, or a route that ended the session: sign in again
			admin.login(models.RoleAdmin)
			tokens[admin] = admin.token()
		}
	}
}

// code is an engagement's code (risk forms name engagements by code).
func (f *fixture) code(engagementID uint) string {
	f.t.Helper()
	var e models.Engagement
	if err := f.db.Select("id, code").First(&e, engagementID).Error; err != nil {
		f.t.Fatal(err)
	}
	return e.Code
}

// meetingPost is a meeting as its form posts it, held today.
func meetingPost(*fixture) url.Values {
	return url.Values{"kind": {models.MeetingSteering}, "held_on": {today().String()}, "attendees": {"Route walker"}}
}

// foreignMeetingAction aims at an action agreed at a meeting of an engagement the demo manager does not manage.
func foreignMeetingAction(f *fixture) map[string]string {
	aid := f.foreignRow("meeting_actions")
	var a models.MeetingAction
	if err := f.db.First(&a, aid).Error; err != nil {
		f.t.Fatal(err)
	}
	return map[string]string{"id": fmt.Sprint(a.MeetingID), "aid": fmt.Sprint(a.ID)}
}

// foreignAction aims at a mitigation action of a risk on an engagement the demo manager does not manage.
func foreignAction(f *fixture) map[string]string {
	aid := f.pick("mitigation_actions", "risk_id IN (SELECT id FROM risks WHERE engagement_id IS NOT NULL AND engagement_id NOT IN "+managedSQL+")")
	var m models.MitigationAction
	if err := f.db.First(&m, aid).Error; err != nil {
		f.t.Fatal(err)
	}
	return map[string]string{"id": fmt.Sprint(m.RiskID), "aid": fmt.Sprint(m.ID)}
}

// apiRoutes are the JSON API's routes as the server registers them ("GET /api/v1/risks").
func apiRoutes(a *handlers.App) map[string]bool {
	out := map[string]bool{}
	for _, r := range a.APIRoutes() {
		out[r.Method+" /api/v1"+r.Path] = true
	}
	return out
}

// apiTarget aims an API route at a record of an engagement the demo manager
// does NOT manage: its path parameters and, for a write, its body.
type apiTarget struct {
	params func(f *fixture) map[string]string
	body   func(f *fixture) any
}

// apiTargets maps every API path pattern with parameters or a body to its
// target. EXTEND IT when you add an API route: the walk fails on one missing here.
var apiTargets = map[string]apiTarget{
	"/engagements/:id":   {params: id(foreignEngagement)},
	"/vendors/:id":       {params: id(anyOf("vendors"))},
	"/risks/:id":         {params: id(foreignRow("risks")), body: func(*fixture) any { return map[string]any{"title": "Route walk title"} }},
	"/risks/:id/history": {params: id(foreignRow("risks"))},
	"/cost-records/:id":  {params: id(foreignRow("cost_records")), body: func(*fixture) any { return map[string]any{"credits": 100} }},
	"/sla-results/:id":   {params: id(foreignRow("sla_measurements")), body: func(*fixture) any { return map[string]any{"note": "Route walk"} }},
	"/sla-results": {body: func(f *fixture) any {
		return map[string]any{"sla_id": f.pick("service_levels", "NOT archived AND engagement_id NOT IN "+managedSQL), "month": ym(month(0)), "actual": "99.9"}
	}},
	"/cost-records": {body: func(f *fixture) any {
		return map[string]any{"engagement_id": f.foreign, "month": ym(month(0)), "baseline": 100000, "planned_savings": 1000}
	}},
	"/milestones/:id": {params: id(foreignRow("milestones")), body: func(*fixture) any { return map[string]any{"name": "Route walk milestone"} }},
	"/milestones": {body: func(f *fixture) any {
		return map[string]any{"engagement_id": f.foreign, "name": "Route walk milestone", "planned": today().AddDays(30).String()}
	}},
	"/readiness-items/:id": {params: id(foreignRow("readiness_items")), body: func(*fixture) any { return map[string]any{"owner": "Route walker"} }},
	"/lessons/:id":         {params: id(foreignLesson)},
	"/packs/:quarter":      {params: func(f *fixture) map[string]string { return map[string]string{"quarter": publishedQuarter(f.t, f.db)} }},
	"/risks": {body: func(f *fixture) any {
		return map[string]any{"engagement": f.foreignCode(), "title": "Route walk risk", "category": models.RiskCategories[0],
			"inherent_likelihood": 3, "inherent_impact": 3, "residual_likelihood": 2, "residual_impact": 2}
	}},
}

// TestEveryAPIRouteIsGuarded walks every API route with no token, a token
// that is not one, a session cookie alone, and a read and a write token of
// each role: no token → 401; a read route answers every token; a write route
// refuses (403) a read token, an executive's (who cannot hold a write token)
// and a manager's aimed at an engagement they do not manage, storing nothing;
// an admin's write token gets through.
func TestEveryAPIRouteIsGuarded(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) { walkAPIRoutes(t, dbtest.Demo(t, kind)) })
	}
}

func walkAPIRoutes(t *testing.T, db *gorm.DB) {
	ae := newAPIEnv(t, db)
	f := newFixture(t, db)
	exec := userByEmail(t, db, demoAccount(t, models.RoleExecutive).Email)
	if _, _, err := models.CreateToken(t.Context(), db, models.NewToken{Owner: exec, Name: "x", Scope: models.ScopeWrite}, nil, dbtest.Now()); err == nil {
		t.Fatal("an executive was given a write token")
	}
	tokens := map[string]string{
		"executive read": apiToken(t, db, models.RoleExecutive, models.ScopeRead),
		"manager read":   apiToken(t, db, models.RoleManager, models.ScopeRead),
		"manager write":  apiToken(t, db, models.RoleManager, models.ScopeWrite),
		"admin read":     apiToken(t, db, models.RoleAdmin, models.ScopeRead),
		"admin write":    apiToken(t, db, models.RoleAdmin, models.ScopeWrite),
	}
	cookie := ae.client()
	cookie.login(models.RoleAdmin)
	sessionCookie := "portfolio=" + cookie.cookie("portfolio")

	publishedQuarter(t, db) // a pack to read
	stored := fingerprint(t, db)
	for _, r := range ae.app.APIRoutes() {
		tgt, ok := apiTargets[r.Path]
		if !ok && (strings.Contains(r.Path, ":") || r.Method != http.MethodGet) {
			t.Fatalf("apiTargets in handlers/routes_test.go has no entry for %s: add how to aim it at a record of an engagement the demo manager does not manage", r.Path)
		}
		params := map[string]string{}
		if tgt.params != nil {
			params = tgt.params(f)
		}
		path := "/api/v1" + fill(t, r.Path, params)
		var body any
		if tgt.body != nil && r.Method != http.MethodGet {
			body = tgt.body(f)
		}
		write := r.Method != http.MethodGet
		where := r.Method + " " + path
		hdr := map[string]string{}
		if r.Method == http.MethodPatch { // a fresh ETag, so that only the guard can refuse
			cur := ae.api(tokens["admin read"]).get(path)
			hdr["If-Match"] = cur.Header.Get("ETag")
		}
		check := func(who string, res apiResp, want int) {
			t.Helper()
			if want != 0 && res.StatusCode != want {
				t.Errorf("%s %s: %d, want %d\n%.300s", who, where, res.StatusCode, want, res.Body)
			}
			if res.StatusCode >= 400 {
				res.Problem(t)
			}
		}
		// nothingStored fails when anything but tokens' last use moved since the last look.
		nothingStored := func(what string) {
			t.Helper()
			after := fingerprint(t, db)
			if moved := slices.DeleteFunc(changedTables(stored, after), func(tb string) bool { return tb == "api_tokens" }); len(moved) > 0 {
				t.Errorf("%s %s stored changes in %v", what, where, moved)
			}
			stored = after
		}
		if r.Access == handlers.APIPublic {
			check("anonymous", ae.api("").call(r.Method, path, body, hdr, true), http.StatusOK)
			nothingStored("a read of")
			continue
		}
		check("anonymous", ae.api("").call(r.Method, path, body, hdr, true), http.StatusUnauthorized)
		check("a token that is none", ae.api("pfl_not-a-token").call(r.Method, path, body, hdr, true), http.StatusUnauthorized)
		cookieHdr := map[string]string{"Cookie": sessionCookie}
		for k, v := range hdr {
			cookieHdr[k] = v
		}
		check("an admin's session cookie", ae.api("").call(r.Method, path, body, cookieHdr, true), http.StatusUnauthorized)
		for _, who := range []string{"executive read", "manager read", "admin read", "manager write"} {
			want := http.StatusOK
			if write {
				want = http.StatusForbidden
			}
			check(who, ae.api(tokens[who]).call(r.Method, path, body, hdr, true), want)
		}
		nothingStored("refused or read-only requests to")
		res := ae.api(tokens["admin write"]).call(r.Method, path, body, hdr, true)
		if res.StatusCode >= 300 {
			t.Errorf("admin write %s: %d, want it allowed\n%.300s", where, res.StatusCode, res.Body)
		}
		stored = fingerprint(t, db)
	}
}
