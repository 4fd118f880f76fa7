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

// What the provider says is applied at every sign-in, but for a change that
// would leave no active administrator or take another account's email; an
// identity is its issuer and subject, so the same subject at another issuer
// is someone else.
func TestSignInKeepsWhatMustBeKept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, now := context.Background(), dbtest.Now()
		id := sso.Identity{Issuer: "https://idp.example.com", Subject: "s1", Email: "una@example.com", EmailVerified: true, Name: "Una", Role: models.RoleAdmin}
		u, out, err := sso.SignIn(ctx, db, id, now)
		if err != nil || !out.Created || u.Role != models.RoleAdmin {
			t.Fatalf("first sign-in: %+v %+v %v", u, out, err)
		}
		// The only admin is not demoted by the provider.
		id.Role = models.RoleExecutive
		if u, out, err = sso.SignIn(ctx, db, id, now); err != nil || u.Role != models.RoleAdmin || !out.RoleKept {
			t.Fatalf("demoting the last admin: %+v %+v %v", u, out, err)
		}
		// An email someone else has stays theirs; a free one is taken up.
		other := models.User{Name: "Vic", Email: "vic@example.com", Role: models.RoleManager}
		if err := models.CreateUser(ctx, db, &other, "a long local password", nil, now); err != nil {
			t.Fatal(err)
		}
		id.Role, id.Email = models.RoleAdmin, "vic@example.com"
		if u, out, err = sso.SignIn(ctx, db, id, now); err != nil || u.Email != "una@example.com" || !out.EmailKept {
			t.Fatalf("another's email: %+v %+v %v", u, out, err)
		}
		id.Email, id.Name = "una.new@example.com", "Una Nova"
		if u, _, err = sso.SignIn(ctx, db, id, now); err != nil || u.Email != "una.new@example.com" || u.Name != "Una Nova" {
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
			EmailVerified: true, Role: models.RoleAdmin}, now); !errors.Is(err, sso.ErrEmailLinked) {
			t.Errorf("the same subject at another issuer: %v", err)
		}
		if _, _, err := sso.SignIn(ctx, db, sso.Identity{Issuer: "https://idp.example.com", Subject: "s2", Role: models.RoleExecutive}, now); !errors.Is(err, sso.ErrNoEmail) {
			t.Errorf("a new identity with no email: %v", err)
		}
	})
}
