package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
)

// userChanges lists the history rows of a user, oldest first.
func userChanges(t *testing.T, ae *appEnv, id uint) []models.Change {
	t.Helper()
	var out []models.Change
	if err := ae.db.Where("entity = ? AND entity_id = ?", "user", id).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// fieldError is the error shown beside a form field.
func fieldError(t *testing.T, r resp, field string) string {
	t.Helper()
	return strings.TrimSpace(r.Doc(t).Find(`[data-testid="error-` + field + `"]`).Text())
}

// An admin adds a user: least privilege unless they choose otherwise, bad input
// kept with errors beside the fields, history written with the admin as author,
// and the new account can sign in.
func TestAdminCreatesUser(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		admin := ae.client()
		admin.login(models.RoleAdmin)
		form := admin.get("/users/new").Doc(t)
		if v, _ := form.Find(`select[name="role"] option[selected]`).Attr("value"); v != models.RoleExecutive {
			t.Errorf("the new-user form presets role %q, want executive (least privilege)", v)
		}
		tok := admin.token()
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
			want  string
		}{
			{"common password", url.Values{"name": {"Sam Chen"}, "email": {"sam.chen@portfolio.example"}, "role": {"manager"}, "password": {"password1234"}, "confirm": {"password1234"}}, "password", "most common"},
			{"short password", url.Values{"name": {"Sam Chen"}, "email": {"sam.chen@portfolio.example"}, "role": {"manager"}, "password": {"short"}, "confirm": {"short"}}, "password", "at least 12"},
			{"passwords differ", url.Values{"name": {"Sam Chen"}, "email": {"sam.chen@portfolio.example"}, "role": {"manager"}, "password": {"orbit lantern 42"}, "confirm": {"orbit lantern 43"}}, "confirm", "differ"},
			{"bad email", url.Values{"name": {"Sam Chen"}, "email": {"sam.chen"}, "role": {"manager"}, "password": {"orbit lantern 42"}, "confirm": {"orbit lantern 42"}}, "email", "email address"},
			{"taken email", url.Values{"name": {"Sam Chen"}, "email": {"Manager@Portfolio.example"}, "role": {"manager"}, "password": {"orbit lantern 42"}, "confirm": {"orbit lantern 42"}}, "email", "exists already"},
			{"unknown role", url.Values{"name": {"Sam Chen"}, "email": {"sam.chen@portfolio.example"}, "role": {"superuser"}, "password": {"orbit lantern 42"}, "confirm": {"orbit lantern 42"}}, "role", "Choose one"},
		} {
			tc.form.Set("_csrf", tok)
			r := admin.post("/users", tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(t, r, tc.field), tc.want) {
				t.Errorf("%s: %d, %s error %q, want 422 and %q", tc.name, r.StatusCode, tc.field, fieldError(t, r, tc.field), tc.want)
			}
			if v, _ := r.Doc(t).Find(`input[name="email"]`).Attr("value"); v != tc.form.Get("email") {
				t.Errorf("%s: the form lost the typed email (%q)", tc.name, v)
			}
			if v, _ := r.Doc(t).Find(`input[name="password"]`).Attr("value"); v != "" {
				t.Errorf("%s: the password is echoed back", tc.name)
			}
		}
		var n int64
		ae.db.Model(&models.User{}).Where("email = ?", "sam.chen@portfolio.example").Count(&n)
		if n != 0 {
			t.Fatalf("an invalid form stored the user")
		}

		r := admin.post("/users", url.Values{"_csrf": {tok}, "name": {"Sam Chen"}, "email": {" Sam.Chen@Portfolio.example "}, "role": {"manager"},
			"password": {"orbit lantern 42"}, "confirm": {"orbit lantern 42"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		u := userByEmail(t, ae.db, "sam.chen@portfolio.example")
		if u.Role != models.RoleManager || u.Disabled || u.PasswordHash == "" || strings.Contains(u.PasswordHash, "orbit") {
			t.Errorf("stored user %+v", u)
		}
		if r.Header.Get("Location") != "/users/"+itoa(u.ID) {
			t.Errorf("created: sent to %q", r.Header.Get("Location"))
		}
		page := admin.get(r.Header.Get("Location"))
		if !strings.Contains(page.Body, "Added Sam Chen as manager") {
			t.Errorf("no confirmation after create")
		}
		adminID := userByEmail(t, ae.db, demoAccount(t, models.RoleAdmin).Email).ID
		hist := userChanges(t, ae, u.ID)
		if len(hist) == 0 || hist[0].Action != "create" || hist[0].UserID == nil || *hist[0].UserID != adminID {
			t.Fatalf("history of the new user: %+v", hist)
		}
		for _, h := range hist {
			if strings.Contains(h.New, "$2") || strings.Contains(h.New, "orbit") {
				t.Errorf("history holds a password or its hash: %+v", h)
			}
		}
		sam := ae.client()
		sam.loginAs("sam.chen@portfolio.example", "orbit lantern 42")
		if got := sam.get("/account").Doc(t).Find(`[data-testid="account-role"]`).Text(); got != "manager" {
			t.Errorf("the new user's account page says role %q", got)
		}

		// The list shows the user; its filters narrow it.
		list := admin.get("/users?role=manager&q=sam").Doc(t)
		if rows := list.Find(`[data-testid="user-row"]`); rows.Length() != 1 || !strings.Contains(rows.Text(), "sam.chen@portfolio.example") {
			t.Errorf("users?role=manager&q=sam lists %d rows: %q", rows.Length(), rows.Text())
		}
		part := admin.htmx("/users?status=disabled")
		if !strings.HasPrefix(strings.TrimSpace(part.Body), `<section id="users-list"`) || !strings.Contains(part.Body, "No users match") {
			t.Errorf("htmx users list: %.200s", part.Body)
		}
	})
}

// Changing a role writes history; a stale form changing the role again is a
// 409 that keeps the input;
// the last active admin cannot be demoted; an admin who demotes themselves
// (another admin remaining) loses the users pages at once.
func TestAdminChangesRoles(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		admin := ae.client()
		admin.login(models.RoleAdmin)
		mgr := userByEmail(t, ae.db, demoAccount(t, models.RoleManager).Email)
		me := userByEmail(t, ae.db, demoAccount(t, models.RoleAdmin).Email)
		path := "/users/" + itoa(mgr.ID)
		form := func(role string) url.Values {
			f := scrapeForm(t, admin.get(path), "#user-details form")
			f.Set("role", role)
			return f
		}
		stale := form(models.RoleAdmin) // loaded now, submitted after someone else's change to the role
		if r := admin.post(path, form(models.RoleExecutive)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("demote the manager: %d\n%s", r.StatusCode, r.Body)
		}
		if u := userByEmail(t, ae.db, mgr.Email); u.Role != models.RoleExecutive {
			t.Fatalf("role is %s after the change", u.Role)
		}
		hist := userChanges(t, ae, mgr.ID)
		last := hist[len(hist)-1]
		if last.Field != "role" || last.Old != "manager" || last.New != "executive" || last.UserID == nil || *last.UserID != me.ID {
			t.Errorf("role change history: %+v", last)
		}
		// The manager's own session now has executive rights.
		m := ae.client()
		m.login(models.RoleManager)
		if !strings.Contains(m.get("/account").Doc(t).Find(`[data-testid="signed-in-as"]`).Text(), "executive") {
			t.Errorf("the header does not show the new role")
		}

		r := admin.post(path, stale)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale form: %d, want 409", r.StatusCode)
		}
		doc := r.Doc(t)
		if doc.Find(`[data-testid="conflict"]`).Length() == 0 || !strings.Contains(doc.Find(`[data-testid="conflict"]`).Text(), "executive") {
			t.Errorf("the 409 page does not show the stored role")
		}
		if v, _ := doc.Find(`select[name="role"] option[selected]`).Attr("value"); v != models.RoleAdmin {
			t.Errorf("the 409 form lost the user's choice (%q)", v)
		}
		if u := userByEmail(t, ae.db, mgr.Email); u.Role != models.RoleExecutive {
			t.Errorf("the stale form overwrote the role (%s)", u.Role)
		}
		// Saving the 409 form again (it now counts the stored role as shown) applies it.
		again := scrapeForm(t, r, "#user-details form")
		again.Set("role", models.RoleManager)
		if r := admin.post(path, again); r.StatusCode != http.StatusSeeOther {
			t.Errorf("re-saving the 409 form: %d", r.StatusCode)
		}
		if u := userByEmail(t, ae.db, mgr.Email); u.Role != models.RoleManager {
			t.Errorf("role after re-saving the 409 form: %s", u.Role)
		}

		// The only admin cannot demote themselves.
		self := scrapeForm(t, admin.get("/users/"+itoa(me.ID)), "#user-details form")
		self.Set("role", models.RoleManager)
		r = admin.post("/users/"+itoa(me.ID), self)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(t, r, "role"), "last active administrator") {
			t.Fatalf("demoting the last admin: %d %q, want 422", r.StatusCode, fieldError(t, r, "role"))
		}
		// With a second admin they may, and lose the users pages at once.
		r = admin.post(path, form(models.RoleAdmin))
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("promote: %d", r.StatusCode)
		}
		self.Set("_csrf", admin.token())
		r = admin.post("/users/"+itoa(me.ID), self)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Fatalf("demoting oneself with another admin left: %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
		if r := admin.get("/users"); r.StatusCode != http.StatusForbidden {
			t.Errorf("a demoted admin opens /users: %d, want 403", r.StatusCode)
		}
	})
}

// Resetting a password revokes the user's sessions; disabling may not remove the
// last admin or one's own account; nothing is ever deleted.
func TestAdminResetsPasswordsAndDisables(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		admin := ae.client()
		admin.login(models.RoleAdmin)
		exec := demoAccount(t, models.RoleExecutive)
		u := userByEmail(t, ae.db, exec.Email)
		victim := ae.client()
		victim.login(models.RoleExecutive)

		r := admin.post("/users/"+itoa(u.ID)+"/password", url.Values{"_csrf": {admin.token()}, "password": {"qwerty123456"}, "confirm": {"qwerty123456"}})
		if r.StatusCode != http.StatusUnprocessableEntity || fieldError(t, r, "password") == "" {
			t.Errorf("reset to a common password: %d", r.StatusCode)
		}
		r = admin.post("/users/"+itoa(u.ID)+"/password", url.Values{"_csrf": {admin.token()}, "password": {"granite meadow 77"}, "confirm": {"granite meadow 77"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", r.StatusCode)
		}
		if victim.signedIn() {
			t.Errorf("the user's session survived a password reset")
		}
		if r := ae.client().signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("the old password still signs in: %d", r.StatusCode)
		}
		ae.client().loginAs(exec.Email, "granite meadow 77")
		hist := userChanges(t, ae, u.ID)
		if last := hist[len(hist)-1]; last.Field != "password" || last.New != "changed" || last.Old != "" {
			t.Errorf("password reset history: %+v", last)
		}
		if !admin.signedIn() {
			t.Errorf("the admin was signed out by resetting someone else's password")
		}

		me := userByEmail(t, ae.db, demoAccount(t, models.RoleAdmin).Email)
		r = admin.post("/users/"+itoa(me.ID)+"/disable", url.Values{"_csrf": {admin.token()}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find(`[data-testid="status-error"]`).Text(), "your own account") {
			t.Errorf("disabling oneself: %d", r.StatusCode)
		}
		if !admin.signedIn() {
			t.Fatalf("refused self-disable signed the admin out")
		}
		var n int64
		ae.db.Model(&models.User{}).Where("role = ? AND disabled = ?", models.RoleAdmin, false).Count(&n)
		if n != 1 {
			t.Fatalf("want exactly one active admin in the demo, have %d", n)
		}
		// Disabled accounts stay, with their authored history and their engagements.
		mgr := userByEmail(t, ae.db, demoAccount(t, models.RoleManager).Email)
		if r := admin.post("/users/"+itoa(mgr.ID)+"/disable", url.Values{"_csrf": {admin.token()}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable manager: %d", r.StatusCode)
		}
		page := admin.get("/users/" + itoa(mgr.ID)).Doc(t)
		if got := page.Find(`[data-testid="user-status"] [data-testid="enable"]`).Length(); got != 1 {
			t.Errorf("a disabled account's page offers no enable button")
		}
		if page.Find(`[data-testid="user-manages"] li`).Length() == 0 {
			t.Errorf("the disabled manager's engagements are gone from their page")
		}
		if got := admin.get("/users?status=disabled").Doc(t).Find(`[data-testid="user-row"]`).Text(); !strings.Contains(got, mgr.Email) {
			t.Errorf("the disabled filter does not list the manager: %q", got)
		}
	})
}

// Everyone changes their own password: the current one is required, the new one
// is checked, other sessions end and this one stays signed in.
func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		exec := demoAccount(t, models.RoleExecutive)
		c, other := ae.client(), ae.client()
		c.login(models.RoleExecutive)
		other.login(models.RoleExecutive)
		post := func(current, pw, confirm string) resp {
			return c.post("/account/password", url.Values{"_csrf": {c.token()}, "current": {current}, "password": {pw}, "confirm": {confirm}})
		}
		for _, tc := range []struct {
			name, current, pw, confirm, field, want string
		}{
			{"wrong current", "not my password", "harbour violet 19", "harbour violet 19", "current", "not your current password"},
			{"common new", exec.Password, "letmeinletmein", "letmeinletmein", "password", "most common"},
			{"email name", exec.Password, "executive-2026-x", "executive-2026-x", "password", "email name"},
			{"mismatch", exec.Password, "harbour violet 19", "harbour violet 91", "confirm", "differ"},
			{"same as before", exec.Password, exec.Password, exec.Password, "password", "different"},
		} {
			r := post(tc.current, tc.pw, tc.confirm)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(t, r, tc.field), tc.want) {
				t.Errorf("%s: %d, %s error %q", tc.name, r.StatusCode, tc.field, fieldError(t, r, tc.field))
			}
		}
		r := post(exec.Password, "harbour violet 19", "harbour violet 19")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
			t.Fatalf("change: %d to %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		if page := c.get("/account"); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Your password is changed") {
			t.Errorf("this browser is not signed in after the change: %d", page.StatusCode)
		}
		if other.signedIn() {
			t.Errorf("another session survived the password change")
		}
		if r := ae.client().signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("the old password still works: %d", r.StatusCode)
		}
		ae.client().loginAs(exec.Email, "harbour violet 19")
		u := userByEmail(t, ae.db, exec.Email)
		hist := userChanges(t, ae, u.ID)
		if last := hist[len(hist)-1]; last.Field != "password" || last.UserID == nil || *last.UserID != u.ID {
			t.Errorf("history of the change: %+v", last)
		}
	})
}

// The header says who is signed in, links to the account page, and shows Users to admins only.
func TestHeaderAndNavigation(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	for _, role := range models.Roles {
		c := ae.client()
		c.login(role)
		doc := c.get("/").Doc(t)
		who := strings.Join(strings.Fields(doc.Find(`[data-testid="signed-in-as"]`).Text()), " ")
		if want := "Signed in as " + demoAccount(t, role).Name + " " + role; who != want {
			t.Errorf("%s: header %q, want %q", role, who, want)
		}
		if href, _ := doc.Find(`[data-testid="account-link"]`).Attr("href"); href != "/account" {
			t.Errorf("%s: no link to the account page", role)
		}
		users := doc.Find(`nav[aria-label="Main"] a[href="/users"]`).Length()
		if (role == models.RoleAdmin) != (users == 1) {
			t.Errorf("%s: %d Users links in the navigation", role, users)
		}
	}
}

// userEdit opens a demo manager's account page in two admins' sessions.
func userEdit(t *testing.T, e *env) (u models.User, a, b url.Values, first, second *client, path string) {
	t.Helper()
	acct := seed.DemoAccounts[4]
	if err := e.db.Where("email = ?", acct.Email).First(&u).Error; err != nil {
		t.Fatal(err)
	}
	first = e.client()
	first.login(models.RoleAdmin)
	second, _ = secondAdmin(t, e)
	path = "/users/" + itoa(u.ID)
	a = scrapeForm(t, first.get(path), "#user-details form")
	b = scrapeForm(t, second.get(path), "#user-details form")
	return u, a, b, first, second, path
}

// Two admins editing different fields of one account both keep their
// change, and the second is told whose change theirs was merged with.
func TestUserEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		u, a, b, first, second, path := userEdit(t, e)
		a.Set("name", "A's name")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("role", models.RoleExecutive)
		b.Set("email", strings.ToUpper(b.Get("email"))) // the same address typed another way
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.User
		e.db.First(&got, u.ID)
		if got.Name != "A's name" || got.Role != models.RoleExecutive || got.Email != u.Email {
			t.Errorf("after both saves: name %q, role %q, email %q: a change was lost", got.Name, got.Role, got.Email)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(path).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, "user", u.ID)
		if !hasChange(chs, "name", u.Name, "A's name") || !hasChange(chs, "role", u.Role, models.RoleExecutive) {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestUserEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		u, a, b, first, second, path := userEdit(t, e)
		a.Set("role", models.RoleExecutive)
		a.Set("email", "a.changed@portfolio.example")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("role", models.RoleAdmin)
		b.Set("name", "B's name")
		before := rowText(t, e, "users", u.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "users", u.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Role") || !strings.Contains(rows.Text(), models.RoleExecutive) || !strings.Contains(rows.Text(), models.RoleAdmin) {
			t.Errorf("the conflict lists %d rows: %q; want just the role, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`#user-details input[name="email"]`).AttrOr("value", ""); v != "a.changed@portfolio.example" {
			t.Errorf("the 409 form does not hold A's email: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#user-details form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.User
		e.db.First(&got, u.ID)
		if got.Role != models.RoleAdmin || got.Name != "B's name" || got.Email != "a.changed@portfolio.example" {
			t.Errorf("after saving from the 409 page: role %q, name %q, email %q (A's email must stay)", got.Role, got.Name, got.Email)
		}
	})
}
