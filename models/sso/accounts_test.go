package sso_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/sso"
)

var linkOff, linkOn = sso.Options{}, sso.Options{LinkEmail: true}

// What the provider says is applied at every sign-in, but for an email that
// is another account's; a role that would leave no active administrator
// refuses the sign-in (never a sign-in with a role the provider did not
// give); an identity is its issuer and subject, so the same subject at
// another issuer is someone else.
func TestSignInKeepsWhatMustBeKept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, now := context.Background(), dbtest.Now()
		id := sso.Identity{Issuer: "https://idp.example.com", Subject: "s1", Email: "una@example.com", EmailVerified: true, Name: "Una", Role: models.RoleAdmin}
		u, out, err := sso.SignIn(ctx, db, id, linkOff, now)
		if err != nil || !out.Created || u.Role != models.RoleAdmin {
			t.Fatalf("first sign-in: %+v %+v %v", u, out, err)
		}
		// The only admin demoted by the provider is refused, still admin in
		// the database but not signed in.
		id.Role = models.RoleExecutive
		if _, _, err = sso.SignIn(ctx, db, id, linkOff, now); !errors.Is(err, sso.ErrRoleRefused) {
			t.Fatalf("demoting the last admin: %v, want ErrRoleRefused", err)
		}
		// An email someone else has stays theirs; a free one is taken up.
		other := models.User{Name: "Vic", Email: "vic@example.com", Role: models.RoleManager}
		if err := models.CreateUser(ctx, db, &other, "a long local password", nil, now); err != nil {
			t.Fatal(err)
		}
		id.Role, id.Email = models.RoleAdmin, "vic@example.com"
		if u, out, err = sso.SignIn(ctx, db, id, linkOff, now); err != nil || u.Email != "una@example.com" || !out.EmailKept {
			t.Fatalf("another's email: %+v %+v %v", u, out, err)
		}
		id.Email, id.Name = "una.new@example.com", "Una Nova"
		if u, _, err = sso.SignIn(ctx, db, id, linkOff, now); err != nil || u.Email != "una.new@example.com" || u.Name != "Una Nova" {
			t.Fatalf("a new email: %+v %v", u, err)
		}
		var changes int64
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND action = ? AND field IN ?", "user", u.ID, "update", []string{"email", "name"}).Count(&changes)
		if changes != 2 {
			t.Errorf("%d history rows for the new name and email, want 2", changes)
		}
		// The same subject at another issuer is another person, whose
		// verified email is already linked to the first identity's account.
		if _, _, err := sso.SignIn(ctx, db, sso.Identity{Issuer: "https://other.example.com", Subject: "s1", Email: "una.new@example.com",
			EmailVerified: true, Role: models.RoleAdmin}, linkOn, now); !errors.Is(err, sso.ErrEmailLinked) {
			t.Errorf("the same subject at another issuer: %v", err)
		}
	})
}

// Only a verified, valid, ASCII email is stored, at creation and at each
// sign-in; otherwise the old one stays (none at creation).
func TestSignInStoresOnlyVerifiedEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, now := context.Background(), dbtest.Now()
		id := sso.Identity{Issuer: "https://idp.example.com", Subject: "s1", Email: "wes@example.com", Name: "Wes", Role: models.RoleManager}
		u, out, err := sso.SignIn(ctx, db, id, linkOff, now)
		if err != nil || u.Email != "" || out.EmailIgnored == "" {
			t.Fatalf("an unverified email at creation: %+v %+v %v", u, out, err)
		}
		// Two accounts without an email may exist.
		if u2, _, err := sso.SignIn(ctx, db, sso.Identity{Issuer: "https://idp.example.com", Subject: "s2", Role: models.RoleExecutive}, linkOff, now); err != nil || u2.Email != "" || u2.Name != "s2" {
			t.Fatalf("a second account without email: %+v %v", u2, err)
		}
		id.EmailVerified = true
		if u, _, err = sso.SignIn(ctx, db, id, linkOff, now); err != nil || u.Email != "wes@example.com" {
			t.Fatalf("verified now: %+v %v", u, err)
		}
		for _, bad := range []sso.Identity{
			{Email: "wes.other@example.com", EmailVerified: false},
			{Email: "not an email", EmailVerified: true},
			{Email: "wes\u212a@example.com", EmailVerified: true}, // the Kelvin sign
		} {
			id.Email, id.EmailVerified = bad.Email, bad.EmailVerified
			if u, out, err = sso.SignIn(ctx, db, id, linkOff, now); err != nil || u.Email != "wes@example.com" || out.EmailIgnored == "" {
				t.Errorf("%q verified=%v: %+v %+v %v", bad.Email, bad.EmailVerified, u, out, err)
			}
		}
	})
}

// Linking a provider identity to an existing account by email: off unless
// the administrator turns it on; even then never an administrator's account,
// nor one whose role is above the provider's, nor on an unverified email or a
// look-alike one.
func TestSignInLinksByEmailOnlyWhenSafe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, now := context.Background(), dbtest.Now()
		mk := func(name, email, role string) models.User {
			u := models.User{Name: name, Email: email, Role: role}
			if err := models.CreateUser(ctx, db, &u, "a long local password", nil, now); err != nil {
				t.Fatal(err)
			}
			return u
		}
		root := mk("Root", "root@example.com", models.RoleAdmin)
		mk("Kate", "kate@example.com", models.RoleManager)
		mo := mk("Mo", "mo@example.com", models.RoleManager)
		id := func(sub, email string, verified bool, role string) sso.Identity {
			return sso.Identity{Issuer: "https://idp.example.com", Subject: sub, Email: email, EmailVerified: verified, Role: role}
		}
		for name, tc := range map[string]struct {
			id   sso.Identity
			opts sso.Options
			want error
		}{
			"linking off, verified":           {id("a", "mo@example.com", true, models.RoleManager), linkOff, sso.ErrEmailExists},
			"linking off, unverified":         {id("a", "MO@example.com", false, models.RoleManager), linkOff, sso.ErrEmailExists},
			"an admin's account":              {id("a", "root@example.com", true, models.RoleAdmin), linkOn, sso.ErrLinkRefused},
			"a role above the provider's":     {id("a", "mo@example.com", true, models.RoleExecutive), linkOn, sso.ErrLinkRefused},
			"unverified":                      {id("a", "mo@example.com", false, models.RoleManager), linkOn, sso.ErrEmailUnverified},
			"the Kelvin sign is not a k (on)": {id("k", "\u212aate@example.com", true, models.RoleManager), linkOn, nil},
		} {
			t.Run(name, func(t *testing.T) {
				u, out, err := sso.SignIn(ctx, db, tc.id, tc.opts, now)
				if !errors.Is(err, tc.want) {
					t.Fatalf("%v, want %v", err, tc.want)
				}
				if tc.want == nil && (!out.Created || u.Email != "") {
					t.Errorf("a look-alike email: %+v %+v, want a new account without email", u, out)
				}
			})
		}
		var r models.User
		db.First(&r, root.ID)
		if r.SSOSubject != "" || r.Role != models.RoleAdmin {
			t.Errorf("the admin account changed: %+v", r)
		}
		u, out, err := sso.SignIn(ctx, db, id("m", "Mo@Example.com", true, models.RoleManager), linkOn, now)
		if err != nil || !out.Linked || u.ID != mo.ID || u.SSOSubject != "m" {
			t.Errorf("a manager's account to a manager, verified, linking on: %+v %+v %v", u, out, err)
		}
	})
}

// A linked account the provider no longer maps (--oidc-unmapped=refuse) is
// demoted to executive through the audited write and its sessions end; the
// last admin keeps the role, and its sessions end.
func TestUnmappedDemotesAndRevokes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, now := context.Background(), dbtest.Now()
		mk := func(sub string) models.User {
			u, _, err := sso.SignIn(ctx, db, sso.Identity{Issuer: "i", Subject: sub, Email: sub + "@example.com", EmailVerified: true, Role: models.RoleAdmin}, linkOff, now)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		a, b := mk("a"), mk("b")
		u, last, err := sso.Unmapped(ctx, db, "i", "a", now)
		if err != nil || last || u.Role != models.RoleExecutive || models.SessionEpoch(u) == models.SessionEpoch(&a) {
			t.Fatalf("the first admin: %+v last=%v %v", u, last, err)
		}
		var ch models.Change
		if err := db.Where("entity = ? AND entity_id = ? AND field = ?", "user", a.ID, "role").Order("id DESC").First(&ch).Error; err != nil || ch.New != models.RoleExecutive {
			t.Errorf("no history of the demotion: %+v %v", ch, err)
		}
		u, last, err = sso.Unmapped(ctx, db, "i", "b", now)
		if err != nil || !last || u.Role != models.RoleAdmin || models.SessionEpoch(u) == models.SessionEpoch(&b) {
			t.Fatalf("the last admin: %+v last=%v %v", u, last, err)
		}
		if u, _, err := sso.Unmapped(ctx, db, "i", "nobody", now); u != nil || err != nil {
			t.Errorf("no account: %+v %v", u, err)
		}
	})
}

// Two sign-ins of one person at once (two tabs): the one whose save finds the
// row changed reads it again and tries once more; changed again, ErrStale.
func TestSignInRetriesOnceWhenStale(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, now := context.Background(), dbtest.Now()
		id := sso.Identity{Issuer: "i", Subject: "s", Email: "tab@example.com", EmailVerified: true, Name: "Tab", Role: models.RoleExecutive}
		u, _, err := sso.SignIn(ctx, db, id, linkOff, now)
		if err != nil {
			t.Fatal(err)
		}
		races := 0 // how many saves another tab gets in before
		if err := db.Callback().Update().Before("gorm:update").Register("test:other-tab", func(tx *gorm.DB) {
			if tx.Statement.Table == "users" && races > 0 {
				races--
				tx.Session(&gorm.Session{NewDB: true}).Exec("UPDATE users SET name = name || '.' WHERE id = ?", u.ID)
			}
		}); err != nil {
			t.Fatal(err)
		}
		id.Role, races = models.RoleManager, 1
		if got, _, err := sso.SignIn(ctx, db, id, linkOff, now); err != nil || got.Role != models.RoleManager || got.Name != "Tab" {
			t.Fatalf("one save in between: %+v %v", got, err)
		}
		id.Role, races = models.RoleExecutive, 2
		if _, _, err := sso.SignIn(ctx, db, id, linkOff, now); !errors.Is(err, models.ErrStale) {
			t.Fatalf("two saves in between: %v, want ErrStale", err)
		}
	})
}
