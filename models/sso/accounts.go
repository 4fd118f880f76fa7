package sso

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// Identity is who the provider says signed in, with the role the mapping gave.
type Identity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
	Role            string
}

// Options are the administrator's choices about accounts (flags).
type Options struct {
	// LinkEmail lets a first sign-in take up an existing unlinked local
	// account with the same verified email (--oidc-link-email); never an
	// administrator's, nor one whose role is above the one the provider gives.
	LinkEmail bool
}

// Why a sign-in is refused: each is logged with its reason.
var (
	ErrDisabled = errors.New("the account is disabled")
	// ErrEmailLinked: the email's account belongs to another identity (another
	// subject, or another provider): a person whose email changed at the
	// provider cannot take over someone else's account.
	ErrEmailLinked = errors.New("the account with this email is linked to another single sign-on identity")
	// ErrEmailExists: an unlinked account has this email and linking by email
	// is off (--oidc-link-email): an administrator must sort it out.
	ErrEmailExists = errors.New("an account with this email exists and linking by email is off (--oidc-link-email)")
	// ErrEmailUnverified: an unlinked account has this email, and the provider
	// does not vouch for the email, so it is not linked.
	ErrEmailUnverified = errors.New("a local account has this email, and the provider does not say the email is verified")
	// ErrLinkRefused: the account with this email is an administrator's, or
	// has a role above the provider's: linking by email never raises what a
	// provider account may do to more than the provider gives.
	ErrLinkRefused = errors.New("the account with this email is an administrator's or has a role above the provider's: it is never linked by email")
	// ErrRoleRefused: applying the provider's role would leave no active
	// administrator; signing in with a role the provider did not give is not
	// an option either.
	ErrRoleRefused = errors.New("the provider's role would demote the last active administrator")
)

// Outcome says what a sign-in did to the account, for the log.
type Outcome struct {
	Created, Linked bool
	RoleFrom        string // the role before, when it changed
	EmailKept       bool   // the provider's new email belongs to another account: the old one stays
	EmailIgnored    string // why the provider's email was not stored ("": it was, or there was none)
}

// SignIn finds the account of id, by its issuer and subject, and brings its
// name, email and role up to date with what the provider says (through the
// same audited write as the users page, so each change is in the history);
// or, when opts allow, links a local account with the same email; or creates
// one. A disabled account stays disabled and is refused (ErrDisabled). Two
// sign-ins of one person at once: the loser re-reads and tries once more, then
// gives models.ErrStale.
func SignIn(ctx context.Context, db *gorm.DB, id Identity, opts Options, now time.Time) (models.User, Outcome, error) {
	var out Outcome
	email, why := storable(id)
	out.EmailIgnored = why
	u, err := byIdentity(ctx, db, id.Issuer, id.Subject)
	if err != nil {
		return models.User{}, out, err
	}
	if u == nil {
		existing, err := byEmail(ctx, db, id.Email)
		if err != nil {
			return models.User{}, out, err
		}
		if existing == nil {
			nu, err := create(ctx, db, id, email, now)
			if errors.Is(err, gorm.ErrDuplicatedKey) { // the same person's first sign-in in another tab, at once
				return SignIn(ctx, db, id, opts, now)
			}
			out.Created = true
			return nu, out, err
		}
		u = existing
		// Linking by email: only when the administrator said so, only an
		// account never linked to an identity, only when the provider vouches
		// for the email, and never an account that would gain nothing but
		// lose its guard (an admin's, or one above the provider's role).
		switch {
		case u.SSOSubject != "":
			return *u, out, ErrEmailLinked
		case !opts.LinkEmail:
			return *u, out, ErrEmailExists
		case !id.EmailVerified:
			return *u, out, ErrEmailUnverified
		case u.Disabled:
			return *u, out, ErrDisabled
		case u.Role == models.RoleAdmin || rank(u.Role) > rank(id.Role):
			return *u, out, ErrLinkRefused
		}
		if err := link(ctx, db, u, id, now); err != nil {
			return *u, out, err
		}
		out.Linked = true
	}
	for try := 0; ; try++ {
		err := update(ctx, db, u, id, email, now, &out)
		if !errors.Is(err, models.ErrStale) || try > 0 {
			return *u, out, err
		}
		// Someone saved the account meanwhile (this person in another tab):
		// read it again and apply what the provider says over that.
		fresh, err := byIdentity(ctx, db, id.Issuer, id.Subject)
		if err != nil {
			return *u, out, err
		}
		if fresh == nil {
			return *u, out, models.ErrStale
		}
		u = fresh
	}
}

// update applies the provider's name, email and role to u.
func update(ctx context.Context, db *gorm.DB, u *models.User, id Identity, email string, now time.Time, out *Outcome) error {
	if u.Disabled {
		return ErrDisabled
	}
	next := *u
	if id.Name != "" {
		next.Name = id.Name
	}
	if email != "" {
		next.Email = email
	}
	next.Role = id.Role
	for next.Name != u.Name || next.Email != u.Email || next.Role != u.Role {
		err := models.UpdateUser(ctx, db, *u, next, nil, now)
		switch {
		case errors.Is(err, models.ErrEmailTaken):
			next.Email, out.EmailKept = u.Email, true
			continue
		case errors.Is(err, models.ErrLastAdmin):
			return ErrRoleRefused
		case err != nil:
			return err
		}
		if next.Role != u.Role {
			out.RoleFrom = u.Role
		}
		u.Name, u.Email, u.Role = next.Name, next.Email, next.Role
		break
	}
	return nil
}

// storable is the provider's email as it may be stored: verified, ASCII
// (models.NormalizeEmail's Unicode lower-casing maps look-alikes such as the
// Kelvin sign onto ASCII letters) and valid; or "" and why not.
func storable(id Identity) (string, string) {
	if id.Email == "" {
		return "", ""
	}
	e, ok := asciiLower(id.Email)
	switch {
	case !id.EmailVerified:
		return "", "the provider does not say the email is verified"
	case !ok:
		return "", "the email is not ASCII"
	case !models.ValidEmail(e):
		return "", "not a valid email address"
	}
	return e, ""
}

// asciiLower trims s and lower-cases its ASCII letters; ok is false when s
// holds anything but ASCII.
func asciiLower(s string) (string, bool) {
	b := []byte(s)
	start, end := 0, len(b)
	for start < end && (b[start] == ' ' || b[start] == '\t') {
		start++
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	b = b[start:end]
	for i, c := range b {
		if c >= 0x80 {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b), true
}

// rank orders roles as models.Roles lists them, least first.
func rank(role string) int { return slices.Index(models.Roles, role) }

// byIdentity is the account linked to an identity, or nil.
func byIdentity(ctx context.Context, db *gorm.DB, issuer, subject string) (*models.User, error) {
	var u models.User
	err := db.WithContext(ctx).Where("sso_issuer = ? AND sso_subject = ?", issuer, subject).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &u, err
}

// byEmail is the account whose email is exactly the provider's after ASCII
// lower-casing (verified or not: a match is refused or linked, never
// ignored), or nil; an email with anything but ASCII in it matches none.
func byEmail(ctx context.Context, db *gorm.DB, email string) (*models.User, error) {
	e, ok := asciiLower(email)
	if !ok || e == "" {
		return nil, nil
	}
	var u models.User
	err := db.WithContext(ctx).Where("email = ?", e).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.Email != e) {
		return nil, nil
	}
	return &u, err
}

// create makes the account of an identity's first sign-in, with its history.
func create(ctx context.Context, db *gorm.DB, id Identity, email string, now time.Time) (models.User, error) {
	u := models.User{Name: id.Name, Email: email, Role: id.Role, SSOIssuer: id.Issuer, SSOSubject: id.Subject}
	if u.Name == "" {
		u.Name = email
	}
	if u.Name == "" {
		u.Name = id.Subject
	}
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
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
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
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

// Unmapped deals with a linked account whose provider no longer gives it any
// mapped role (--oidc-unmapped=refuse): its sessions end, and it is demoted to
// executive through the audited write, unless it is the last active admin
// (lastAdmin: its sessions end, its role stays). No linked account: nil.
func Unmapped(ctx context.Context, db *gorm.DB, issuer, subject string, now time.Time) (u *models.User, lastAdmin bool, err error) {
	for try := 0; try < 2; try++ {
		if u, err = byIdentity(ctx, db, issuer, subject); err != nil || u == nil {
			return u, false, err
		}
		if u.Role == models.RoleExecutive {
			break
		}
		next := *u
		next.Role = models.RoleExecutive
		err = models.UpdateUser(ctx, db, *u, next, nil, now)
		if errors.Is(err, models.ErrLastAdmin) {
			lastAdmin, err = true, nil
			break
		}
		if errors.Is(err, models.ErrStale) {
			continue
		}
		if err != nil {
			return u, false, err
		}
		u.Role = models.RoleExecutive
		break
	}
	if err != nil {
		return u, lastAdmin, err
	}
	return u, lastAdmin, models.RevokeSessions(db.WithContext(ctx), u, now)
}
