package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/seed"
)

// The W3C Nu Html Checker (vnu.jar, npm vnu-jar) over every page the server
// draws: read pages for each role, every form, the register's filters and
// as-at view, the SLA pages, the quarterly pack, the 404 and sign-in pages and
// a form re-rendered with its errors (422). The pages are the server's own
// response bodies, fetched over HTTP with a signed-in session, and checked in
// one java run (its start-up costs seconds, each further page little).

// vnuJar is where the checker's jar is: PORTFOLIO_VNU_JAR, or where .ci/run installs it.
func vnuJar() string {
	if p := os.Getenv("PORTFOLIO_VNU_JAR"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "portfolio-vnu", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
}

// requireVnu returns the java binary and the jar, or skips (fails under
// PORTFOLIO_REQUIRE_BROWSER=1) where either is missing.
func requireVnu(t *testing.T) (java, jar string) {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("PORTFOLIO_REQUIRE_BROWSER") == "1" {
			t.Fatalf("the Nu Html Checker is required (PORTFOLIO_REQUIRE_BROWSER=1) but %s", what)
		}
		t.Skipf("Nu check skipped: %s", what)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		missing("java is missing (apt-get install default-jre-headless)")
	}
	jar = vnuJar()
	if _, err := os.Stat(jar); err != nil {
		missing(jar + " is missing (npm install vnu-jar, or set PORTFOLIO_VNU_JAR)")
	}
	return java, jar
}

// webClient is a plain HTTP client with its own cookies, signed in as a browser would.
type webClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &webClient{t, base, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get returns a page's status and body.
func (w *webClient) get(path string) (int, string) {
	w.t.Helper()
	r, err := w.c.Get(w.base + path)
	if err != nil {
		w.t.Fatalf("GET %s: %v", path, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		w.t.Fatalf("GET %s: %v", path, err)
	}
	return r.StatusCode, string(b)
}

// csrf reads the CSRF token from a page's first form.
func (w *webClient) csrf(path string) string {
	w.t.Helper()
	_, body := w.get(path)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok || tok == "" {
		w.t.Fatalf("no CSRF token on %s", path)
	}
	return tok
}

// post sends a form (with the CSRF token of the page it is on) and returns status and body.
func (w *webClient) post(page, path string, form url.Values) (int, string) {
	w.t.Helper()
	form.Set("_csrf", w.csrf(page))
	r, err := w.c.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatalf("POST %s: %v", path, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

// signInAs signs in with the demo account of a role.
func (w *webClient) signInAs(role string) {
	w.t.Helper()
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			if st, _ := w.post("/login", "/login", url.Values{"email": {a.Email}, "password": {a.Password}}); st != http.StatusSeeOther {
				w.t.Fatalf("sign in as %s: status %d", role, st)
			}
			return
		}
	}
	w.t.Fatalf("no demo account with role %s", role)
}

// demoIDs are the records the checked pages are about, read from the demo portfolio.
type demoIDs struct {
	ito, bot, vendor, risk, lesson, cost, sla, milestone, gate, fx, user, obligation uint
	meeting, action                                                                  uint // a meeting of ito with an action
}

func lookupDemoIDs(t *testing.T, db *gorm.DB) demoIDs {
	t.Helper()
	one := func(q string, args ...any) uint {
		t.Helper()
		var id uint
		if err := db.Raw(q, args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("demo data: %s: id %d, %v", q, id, err)
		}
		return id
	}
	var d demoIDs
	// An ITO engagement with service levels (its SLA page has results and breaches).
	d.ito = one(`SELECT e.id FROM engagements e JOIN service_levels s ON s.engagement_id = e.id WHERE e.model = ? ORDER BY e.id LIMIT 1`, models.ModelITO)
	// A BOT programme with milestones and a transfer gate (lifecycle, readiness, gates).
	d.bot = one(`SELECT e.id FROM engagements e JOIN transfer_gates g ON g.engagement_id = e.id WHERE e.model = ? ORDER BY e.id LIMIT 1`, models.ModelBOT)
	d.vendor = one(`SELECT vendor_id FROM engagements WHERE id = ?`, d.ito)
	d.risk = one(`SELECT id FROM risks WHERE engagement_id = ? ORDER BY id LIMIT 1`, d.ito)
	d.obligation = one(`SELECT id FROM obligations WHERE engagement_id = ? ORDER BY id LIMIT 1`, d.ito)
	d.lesson = one(`SELECT id FROM lessons ORDER BY id LIMIT 1`)
	d.cost = one(`SELECT id FROM cost_records WHERE engagement_id = ? ORDER BY id DESC LIMIT 1`, d.ito)
	d.sla = one(`SELECT id FROM service_levels WHERE engagement_id = ? ORDER BY id LIMIT 1`, d.ito)
	d.milestone = one(`SELECT id FROM milestones WHERE engagement_id = ? ORDER BY id LIMIT 1`, d.bot)
	d.gate = one(`SELECT id FROM transfer_gates WHERE engagement_id = ? ORDER BY id LIMIT 1`, d.bot)
	d.fx = one(`SELECT id FROM fx_rates ORDER BY id DESC LIMIT 1`)
	d.user = one(`SELECT id FROM users WHERE role = ? ORDER BY id LIMIT 1`, models.RoleManager)
	d.action = one(`SELECT MAX(id) FROM meeting_actions WHERE engagement_id = ?`, d.ito)
	d.meeting = one(`SELECT meeting_id FROM meeting_actions WHERE id = ?`, d.action)
	return d
}

// readPages are the pages every role reads.
func readPages(d demoIDs, today models.Date) []string {
	q := models.DefaultFiscal.LastComplete(today).String()
	e := func(id uint, rest string) string { return fmt.Sprintf("/engagements/%d%s", id, rest) }
	return []string{
		"/", "/account", "/notifications", "/contracts", "/contracts?days=730", "/partnerships", "/obligations", "/obligations?party=company&days=90",
		"/engagements", "/engagements?model=BOT", e(d.ito, ""), e(d.bot, ""), e(d.ito, "/lifecycle"), e(d.bot, "/lifecycle"),
		"/vendors", fmt.Sprintf("/vendors/%d", d.vendor),
		"/risks", fmt.Sprintf("/risks/%d", d.risk), e(d.ito, "/risks"),
		"/risks?status=open&band=High&kind=residual&sort=score",
		"/risks?overdue=1", "/risks?appetite=out", "/risks?expired=1", "/risks?engagement=portfolio",
		"/risks?as_at=" + today.AddDays(-45).String(),
		"/risks?move=new&since=" + today.AddDays(-90).String(),
		"/risks?i=3&l=4&kind=residual", fmt.Sprintf("/risks?vendor=%d", d.vendor), "/risks?page=2",
		"/lessons", fmt.Sprintf("/lessons/%d", d.lesson), fmt.Sprintf("/lessons?engagement=%d", d.ito), "/lessons?page=2",
		"/engagements?status=active&sort=health", "/vendors?archived=1",
		"/savings", "/savings?by=engagement", "/savings?by=tower", e(d.ito, "/costs"), e(d.ito, "/costs?page=2"),
		e(d.ito, "/slas"), "/slas/breaches", "/slas/breaches?quarter=" + models.DefaultFiscal.QuarterOf(today).Prev().Prev().String(),
		e(d.bot, "/milestones"), e(d.bot, "/readiness"), e(d.ito, "/exit"), "/transfers",
		"/reviews", "/reviews/" + q, "/reviews/" + q + "?part=all", fmt.Sprintf("/reviews/%s/engagements/%d", q, d.ito),
		e(d.ito, "/meetings"), e(d.ito, "/meetings?all=1"), fmt.Sprintf("/meetings/%d", d.meeting), "/actions",
	}
}

// formPages are the forms an admin opens.
func formPages(d demoIDs, today models.Date) []string {
	q := models.DefaultFiscal.LastComplete(today).String()
	e := func(id uint, rest string) string { return fmt.Sprintf("/engagements/%d%s", id, rest) }
	return []string{
		"/engagements/new", e(d.ito, "/edit"),
		"/vendors/new", fmt.Sprintf("/vendors/%d/edit", d.vendor),
		"/risks/new", fmt.Sprintf("/risks/%d/edit", d.risk), fmt.Sprintf("/risks/%d/quick", d.risk), "/risks/import",
		"/lessons/new", fmt.Sprintf("/lessons/%d/edit", d.lesson),
		e(d.ito, "/costs/new"), fmt.Sprintf("/engagements/%d/costs/%d/edit", d.ito, d.cost), "/costs/import",
		e(d.ito, "/slas/new"), fmt.Sprintf("/slas/%d/edit", d.sla), e(d.ito, "/slas/results"),
		e(d.ito, "/slas/results?month="+today.AddDays(-100).Format("2006-01")), // a recorded month, to correct
		e(d.bot, "/milestones/new"), fmt.Sprintf("/milestones/%d/edit", d.milestone),
		e(d.bot, "/gates/new"), fmt.Sprintf("/gates/%d/edit", d.gate),
		"/settings", "/users", "/users/new", fmt.Sprintf("/users/%d", d.user), "/tokens",
		"/fx", "/fx?page=2", "/fx/new", fmt.Sprintf("/fx/%d/edit", d.fx),
		"/reviews/" + q + "/publish", fmt.Sprintf("/reviews/%s/engagements/%d/commentary", q, d.ito), "/reviews/" + q + "/commentary",
		"/reminders", e(d.ito, "/contract"), e(d.bot, "/contract"), e(d.ito, "/partnership"), e(d.bot, "/partnership"),
		e(d.ito, "/obligations"), e(d.ito, fmt.Sprintf("/obligations/%d", d.obligation)),
		fmt.Sprintf("/meetings/%d/actions/%d", d.meeting, d.action),
	}
}

// nuPage is one response body to check.
type nuPage struct{ label, body string }

// vnuMessage is one message of vnu's JSON output.
type vnuMessage struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	LastLine int    `json:"lastLine"`
	LastCol  int    `json:"lastColumn"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
}

// htmxAttribute matches the one message the check ignores: htmx's hx-*
// attributes are not HTML (the checker accepts data-hx-*; the app writes hx-*
// as htmx's own documentation does).
var htmxAttribute = regexp.MustCompile(`^Attribute “hx-[a-z:-]+” not allowed on element`)

// runVnu checks the pages in one java run and returns its messages by page
// label, less those about hx-* attributes.
func runVnu(t *testing.T, pages []nuPage) map[string][]vnuMessage {
	t.Helper()
	java, jar := requireVnu(t)
	// PORTFOLIO_NU_KEEP=DIR keeps the pages and vnu's report there, to read them.
	dir := os.Getenv("PORTFOLIO_NU_KEEP")
	if dir == "" {
		dir = t.TempDir()
	}
	files := make([]string, len(pages))
	labelOf := map[string]string{}
	for i, p := range pages {
		files[i] = filepath.Join(dir, fmt.Sprintf("page-%03d.html", i))
		if err := os.WriteFile(files[i], []byte(p.body), 0o600); err != nil {
			t.Fatal(err)
		}
		labelOf[filepath.Base(files[i])] = p.label
	}
	cmd := exec.Command(java, append([]string{"-jar", jar, "--errors-only", "--format", "json", "--stdout"}, files...)...)
	out, err := cmd.Output()
	// vnu exits 1 when it reports errors; its JSON says what they are.
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	} else if err != nil {
		t.Fatalf("run vnu: %v", err)
	}
	var res struct {
		Messages []vnuMessage `json:"messages"`
	}
	if os.Getenv("PORTFOLIO_NU_KEEP") != "" {
		if err := os.WriteFile(filepath.Join(dir, "vnu.json"), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("vnu output: %v\n%s\n%s", err, out, stderr)
	}
	got := map[string][]vnuMessage{}
	for _, m := range res.Messages {
		if m.Type == "error" && htmxAttribute.MatchString(m.Message) {
			continue
		}
		label := labelOf[filepath.Base(m.URL)]
		if label == "" {
			label = m.URL
		}
		got[label] = append(got[label], m)
	}
	return got
}

// Every page the server draws is valid HTML by the W3C Nu Html Checker, but
// for htmx's hx-* attributes.
func TestBrowserNuHtmlChecker(t *testing.T) {
	requireVnu(t)
	base, a := startTestApp(t)
	ids := lookupDemoIDs(t, a.db)
	today := testToday()

	var pages []nuPage
	add := func(label string, wantStatus, status int, body string) {
		t.Helper()
		if status != wantStatus {
			t.Errorf("%s: status %d, want %d", label, status, wantStatus)
			return
		}
		pages = append(pages, nuPage{label, body})
	}

	anon := newWebClient(t, base)
	st, body := anon.get("/login")
	add("/login (signed out)", http.StatusOK, st, body)
	st, body = anon.post("/login", "/login", url.Values{"email": {"nobody@portfolio.example"}, "password": {"wrong-password-1"}})
	add("/login (a failed sign-in)", st, st, body)

	for _, role := range []string{models.RoleExecutive, models.RoleManager, models.RoleAdmin} {
		w := newWebClient(t, base)
		w.signInAs(role)
		for _, p := range readPages(ids, today) {
			st, body := w.get(p)
			add(p+" as "+role, http.StatusOK, st, body)
		}
		if role == models.RoleAdmin {
			for _, p := range formPages(ids, today) {
				st, body := w.get(p)
				add(p+" as "+role, http.StatusOK, st, body)
			}
			st, body := w.get("/engagements/999999")
			add("the 404 page", http.StatusNotFound, st, body)
			st, body = w.post("/vendors/new", "/vendors", url.Values{"name": {""}})
			add("POST /vendors with no name (422)", http.StatusUnprocessableEntity, st, body)
			st, body = w.post("/risks/new", "/risks", url.Values{"title": {""}})
			add("POST /risks with no title (422)", http.StatusUnprocessableEntity, st, body)
			st, body = w.post("/engagements/new", "/engagements", url.Values{"code": {""}})
			add("POST /engagements with no code (422)", http.StatusUnprocessableEntity, st, body)
			st, body = w.upload("/risks/import", "/risks/import", riskImportCSV(t, w, false))
			add("the risk import's dry run", http.StatusOK, st, body)
			st, body = w.upload("/risks/import", "/risks/import", riskImportCSV(t, w, true))
			add("the risk import's dry run with a bad row (422)", http.StatusUnprocessableEntity, st, body)
			for _, p := range emptyEngagementPages(t, w, ids) {
				st, body := w.get(p)
				add(p+" (a new engagement: empty states)", http.StatusOK, st, body)
			}
			st, body = lessonConflict(t, base, ids.lesson)
			add("a lesson saved over another's change (409)", http.StatusConflict, st, body)

			// The quarter published: the frozen pack, the correction's
			// confirmation and its 422, and publishing it again (409).
			q := models.DefaultFiscal.LastComplete(today).String()
			if st, _ := w.post("/reviews/"+q+"/publish", "/reviews/"+q+"/publish", url.Values{"confirm": {q}}); st != http.StatusSeeOther {
				t.Fatalf("publish %s: status %d", q, st)
			}
			for _, p := range []string{"/reviews/" + q, "/reviews/" + q + "?part=all", "/reviews", "/reviews/" + q + "/correct"} {
				st, body := w.get(p)
				add(p+" published, as admin", http.StatusOK, st, body)
			}
			st, body = w.post("/reviews/"+q+"/correct", "/reviews/"+q+"/correct", url.Values{"confirm": {q}, "reason": {""}})
			add("POST correct with no reason (422)", http.StatusUnprocessableEntity, st, body)
			st, body = w.post("/reviews/"+q+"/correct", "/reviews/"+q+"/publish", url.Values{"confirm": {q}})
			add("publishing a published quarter (409)", http.StatusConflict, st, body)
		}
		if role == models.RoleExecutive {
			st, body := w.get("/users")
			add("/users as executive (403)", http.StatusForbidden, st, body)
		}
	}

	// A known-bad page proves the pipeline reports errors (a check that
	// silently read nothing would pass every page).
	const canary = "a known-bad page (the check's own control)"
	pages = append(pages, nuPage{canary, `<!DOCTYPE html><html lang="en"><head><title>x</title></head>` +
		`<body><p aria-describedby="" hx-get="/">x</p></body></html>`})

	found := runVnu(t, pages)
	if len(found[canary]) != 1 || !strings.Contains(found[canary][0].Message, "aria-describedby") {
		t.Fatalf("the control page should get one error, about its empty aria-describedby; got %+v", found[canary])
	}
	delete(found, canary)
	pages = pages[:len(pages)-1]
	labels := make([]string, 0, len(found))
	for l := range found {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var report strings.Builder
	n := 0
	for _, l := range labels {
		for _, m := range found[l] {
			n++
			fmt.Fprintf(&report, "  %s, line %d column %d: %s [%s]\n", l, m.LastLine, m.LastCol, m.Message, strings.TrimSpace(m.Extract))
		}
	}
	t.Logf("Nu Html Checker: %d pages checked", len(pages))
	if n > 0 {
		t.Errorf("Nu Html Checker: %d errors on %d of %d pages:\n%s", n, len(labels), len(pages), report.String())
	}
}

// formValues reads the fields of the form at css as a browser would submit them.
func formValues(t *testing.T, body, css string) url.Values {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	form := doc.Find(css).First()
	if form.Length() == 0 {
		t.Fatalf("no form %s", css)
	}
	v := url.Values{}
	form.Find("input[name], select[name], textarea[name]").Each(func(_ int, f *goquery.Selection) {
		name, _ := f.Attr("name")
		switch {
		case goquery.NodeName(f) == "select":
			o := f.Find("option[selected]").First()
			if o.Length() == 0 {
				o = f.Find("option").First()
			}
			val, ok := o.Attr("value")
			if !ok {
				val = o.Text()
			}
			v.Add(name, val)
		case goquery.NodeName(f) == "textarea":
			v.Add(name, f.Text())
		default:
			typ, _ := f.Attr("type")
			_, checked := f.Attr("checked")
			if (typ == "checkbox" || typ == "radio") && !checked || typ == "submit" || typ == "button" {
				return
			}
			val, _ := f.Attr("value")
			v.Add(name, val)
		}
	})
	return v
}

// lessonConflict has two admins open a lesson's form and both change its
// text: the second save answers 409 with the form showing both values.
func lessonConflict(t *testing.T, base string, id uint) (int, string) {
	t.Helper()
	edit, action := fmt.Sprintf("/lessons/%d/edit", id), fmt.Sprintf("/lessons/%d", id)
	first, second := newWebClient(t, base), newWebClient(t, base)
	first.signInAs(models.RoleAdmin)
	second.signInAs(models.RoleAdmin)
	var forms [2]url.Values
	for i, c := range []*webClient{first, second} {
		_, body := c.get(edit)
		forms[i] = formValues(t, body, `form[action="`+action+`"]`)
	}
	forms[0].Set("lesson", "First admin's lesson")
	if st, body := first.post(edit, action, forms[0]); st != http.StatusSeeOther {
		t.Fatalf("the first save: status %d\n%.600s", st, body)
	}
	forms[1].Set("lesson", "Second admin's lesson")
	return second.post(edit, action, forms[1])
}

// upload posts a file as the import form does (with the CSRF token of page).
func (w *webClient) upload(page, path string, file []byte) (int, string) {
	w.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("_csrf", w.csrf(page)); err != nil {
		w.t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "import.csv")
	if err != nil {
		w.t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	r, err := w.c.Post(w.base+path, mw.FormDataContentType(), &b)
	if err != nil {
		w.t.Fatalf("POST %s: %v", path, err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(body)
}

// riskImportCSV is the register's export cut to two risks, one renamed and
// (bad) the other given a category that does not exist.
func riskImportCSV(t *testing.T, w *webClient, bad bool) []byte {
	t.Helper()
	st, body := w.get("/risks/export?format=csv")
	if st != http.StatusOK {
		t.Fatalf("risk export: status %d", st)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 3 {
		t.Fatalf("risk export: %d rows, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	rows = rows[:3]
	rows[1][col["Title"]] = "Renamed by the import"
	if bad {
		rows[2][col["Category"]] = "No such category"
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if err := cw.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// emptyEngagementPages creates an engagement with nothing recorded yet and
// returns its pages, whose every section shows its empty state.
func emptyEngagementPages(t *testing.T, w *webClient, ids demoIDs) []string {
	t.Helper()
	_, body := w.get("/engagements/new")
	v := formValues(t, body, `form[action="/engagements"]`)
	v.Set("code", "NU-EMPTY")
	v.Set("name", "Nothing recorded yet")
	v.Set("model", models.ModelBOT)
	v.Set("tower", models.Towers[0])
	v.Set("phase", models.PhasesBOT[0])
	v.Set("vendor_id", fmt.Sprint(ids.vendor))
	v.Set("currency", "USD")
	r, err := w.c.PostForm(w.base+"/engagements", v)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/engagements/") {
		t.Fatalf("create an engagement: status %d, location %q", r.StatusCode, loc)
	}
	var pages []string
	for _, rest := range []string{"", "/lifecycle", "/risks", "/costs", "/slas", "/milestones", "/readiness", "/edit", "/costs/new", "/slas/results", "/slas/new"} {
		pages = append(pages, loc+rest)
	}
	// An ITO contract with no exit checklist yet: its page and the checklist's empty state.
	v.Set("code", "NU-EMPTY-ITO")
	v.Set("model", models.ModelITO)
	v.Set("phase", models.PhasesITO[1])
	r, err = w.c.PostForm(w.base+"/engagements", v)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	loc = r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/engagements/") {
		t.Fatalf("create an ITO engagement: status %d, location %q", r.StatusCode, loc)
	}
	return append(pages, loc, loc+"/exit")
}

// The pages single sign-on draws are valid HTML too: the sign-in page with its
// "Sign in with …" button (passwords for administrators only, and off), a
// refused sign-in, an SSO user's account page and the signed-out page
// offering the provider's end session.
func TestBrowserNuHtmlCheckerSSO(t *testing.T) {
	requireVnu(t)
	var pages []nuPage
	add := func(label string, wantStatus, status int, body string) {
		t.Helper()
		if status != wantStatus {
			t.Errorf("%s: status %d, want %d", label, status, wantStatus)
			return
		}
		pages = append(pages, nuPage{label, body})
	}
	base, p := startSSOApp(t, "--local-login", "admin-only")
	anon := newWebClient(t, base)
	st, body := anon.get("/login")
	add("/login with SSO, passwords for admins only", http.StatusOK, st, body)
	st, body = anon.get("/login/oidc/callback?state=forged&code=forged")
	add("a refused single sign-on (403)", http.StatusForbidden, st, body)
	w := ssoWebClient(t, base, p, "kim@example.com", "provider-pass")
	st, body = w.get("/account")
	add("/account of an SSO user", http.StatusOK, st, body)
	if st, _ := w.post("/account", "/logout", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("sign out: %d", st)
	}
	st, body = w.get("/login?out=1")
	add("/login?out=1 offering the provider's end session", http.StatusOK, st, body)
	if !strings.Contains(body, "sso-end-session") {
		t.Errorf("the signed-out page offers no end session")
	}
	off, _ := startSSOApp(t, "--local-login", "off")
	st, body = newWebClient(t, off).get("/login")
	add("/login with SSO only", http.StatusOK, st, body)
	found := runVnu(t, pages)
	for label, ms := range found {
		for _, m := range ms {
			t.Errorf("%s, line %d: %s [%s]", label, m.LastLine, m.Message, strings.TrimSpace(m.Extract))
		}
	}
	t.Logf("Nu Html Checker: %d single sign-on pages checked", len(pages))
}
