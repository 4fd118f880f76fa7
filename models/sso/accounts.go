package sso

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// Identity is who the provider says signed in, with the role the mapping gave.
type Identity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
	Role            string
}

// Why a sign-in is refused: each is logged with its reason, the user told only
// that the account cannot sign in here.
var (
	ErrDisabled = errors.New("the account is disabled")
	// ErrEmailLinked: the email's account belongs to another identity (another
	// subject, or another provider): a person whose email changed at the
	// provider cannot take over someone else's account.
	ErrEmailLinked = errors.New("the account with this email is linked to another single sign-on identity")
	// ErrEmailUnverified: a local account with this email exists, and the
	// provider does not vouch for the email, so it is not linked.
	ErrEmailUnverified = errors.New("a local account has this email, and the provider does not say the email is verified")
	ErrNoEmail         = errors.New("the provider sent no email address")
)

// Outcome says what a sign-in did to the account, for the log.
type Outcome struct {
	Created, Linked bool
	RoleFrom        string // the role before, when it changed
	RoleKept        bool   // the provider's role was not applied: it would remove the last active admin
	EmailKept       bool   // the provider's new email belongs to another account: the old one stays
}

// SignIn finds the account of id, by its issuer and subject, and brings its
// name, email and role up to date with what the provider says (through the
// same audited write as the users page, so each change is in the history);
// or links a local account with the same email, or creates one. A disabled
// account stays disabled and is refused (ErrDisabled).
func SignIn(ctx context.Context, db *gorm.DB, id Identity, now time.Time) (models.User, Outcome, error) {
	var out Outcome
	id.Email = models.NormalizeEmail(id.Email)
	u, err := byIdentity(ctx, db, id.Issuer, id.Subject)
	if err != nil {
		return models.User{}, out, err
	}
	if u == nil {
		if id.Email == "" {
			return models.User{}, out, ErrNoEmail
		}
		if u, err = models.UserByEmail(ctx, db, id.Email); err != nil {
			return models.User{}, out, err
		}
		if u == nil {
			nu, err := create(ctx, db, id, now)
			if errors.Is(err, gorm.ErrDuplicatedKey) { // the same person's first sign-in in another tab, at once
				return SignIn(ctx, db, id, now)
			}
			out.Created = true
			return nu, out, err
		}
		// Linking by email: only an account never linked to an identity, and
		// only when the provider vouches for the email (email_verified), so an
		// identity whose email is unverified or merely matches cannot take over
		// a local account, and a linked account never changes hands.
		switch {
		case u.SSOSubject != "":
			return *u, out, ErrEmailLinked
		case !id.EmailVerified:
			return *u, out, ErrEmailUnverified
		case u.Disabled:
			return *u, out, ErrDisabled
		}
		if err := link(ctx, db, u, id, now); err != nil {
			return *u, out, err
		}
		out.Linked = true
	}
	if u.Disabled {
		return *u, out, ErrDisabled
	}
	next := *u
	if id.Name != "" {
		next.Name = id.Name
	}
	if id.Email != "" {
		next.Email = id.Email
	}
	next.Role = id.Role
	for next.Name != u.Name || next.Email != u.Email || next.Role != u.Role {
		err := models.UpdateUser(ctx, db, *u, next, nil, now)
		switch {
		case errors.Is(err, models.ErrEmailTaken):
			next.Email, out.EmailKept = u.Email, true
			continue
		case errors.Is(err, models.ErrLastAdmin):
			next.Role, out.RoleKept = u.Role, true
			continue
		case err != nil:
			return *u, out, err
		}
		if next.Role != u.Role {
			out.RoleFrom = u.Role
		}
		u.Name, u.Email, u.Role = next.Name, next.Email, next.Role
		break
	}
	return *u, out, nil
}

// ByIdentity is the account linked to an identity, or nil.
func byIdentity(ctx context.Context, db *gorm.DB, issuer, subject string) (*models.User, error) {
	var u models.User
	err := db.WithContext(ctx).Where("sso_issuer = ? AND sso_subject = ?", issuer, subject).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &u, err
}

// create makes the account of an identity's first sign-in, with its history.
func create(ctx context.Context, db *gorm.DB, id Identity, now time.Time) (models.User, error) {
	u := models.User{Name: id.Name, Email: id.Email, Role: id.Role, SSOIssuer: id.Issuer, SSOSubject: id.Subject}
	if u.Name == "" {
		u.Name = id.Email
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		ch := models.Created("user", u.ID, nil, now, &u, "Name", "Email", "Role", "SSOIssuer")
		return models.RecordChanges(tx, ch)
	})
	return u, err
}

// link ties a local account to an identity, if it is still unlinked.
func link(ctx context.Context, db *gorm.DB, u *models.User, id Identity, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.User{}).Where("id = ? AND sso_subject = ''", u.ID).
			UpdateColumns(map[string]any{"sso_issuer": id.Issuer, "sso_subject": id.Subject, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrEmailLinked // linked meanwhile
		}
		next := *u
		next.SSOIssuer, next.SSOSubject = id.Issuer, id.Subject
		if err := models.RecordChanges(tx, models.Diff("user", u.ID, nil, now, u, &next, "SSOIssuer")); err != nil {
			return err
		}
		*u = next
		return nil
	})
}
