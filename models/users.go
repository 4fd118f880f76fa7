package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// commonPasswords are among the most used passwords (and the app's own name):
// long enough to pass the length rule, yet the first a guesser tries.
var commonPasswords = map[string]bool{
	"123456789012": true, "1234567890123": true, "12345678901234": true, "passwordpassword": true,
	"password1234": true, "password12345": true, "password123456": true, "qwertyuiopasdf": true,
	"qwertyuiop123": true, "qwerty123456": true, "111111111111": true, "000000000000": true,
	"iloveyou1234": true, "abcdefghijkl": true, "abc123abc123": true, "letmeinletmein": true,
	"welcome12345": true, "welcome123456": true, "administrator": true, "administrator1": true,
	"changeme1234": true, "changemechangeme": true, "portfolio1234": true, "portfolioportfolio": true,
	"1q2w3e4r5t6y": true, "1qaz2wsx3edc": true, "zaq12wsxcde3": true, "trustno1trustno1": true,
	"football1234": true, "baseball1234": true, "sunshine1234": true, "princess1234": true,
	"superman1234": true, "starwars1234": true, "monkey123456": true, "dragon123456": true,
	"master123456": true, "qwertyqwerty": true, "asdfghjkl123": true, "password!234": true,
}

// CheckPassword says what is wrong with a new password, or "" when it is acceptable.
func CheckPassword(pw, email string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case len(pw) > 72:
		return "Use at most 72 bytes."
	case commonPasswords[strings.ToLower(pw)]:
		return "That password is one of the most common; choose another."
	case containsEmailName(pw, email):
		return "Do not use your email name in your password."
	case repeatsOneRune(pw):
		return "Do not repeat one character."
	}
	return ""
}

// containsEmailName reports a password that contains the name part of the email
// (before "@"). Names shorter than three characters are not checked: "jo@…" must
// not forbid every password with "jo" in it, nor "@…" every password at all.
func containsEmailName(pw, email string) bool {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	return utf8.RuneCountInString(name) >= 3 && strings.Contains(strings.ToLower(pw), name)
}

// repeatsOneRune reports a password made of one character repeated (of any script).
func repeatsOneRune(pw string) bool {
	first, size := utf8.DecodeRuneInString(pw)
	return size > 0 && strings.Trim(pw, string(first)) == ""
}

// PasswordCost is bcrypt's work factor; tests lower it to keep seeding fast.
var PasswordCost = bcrypt.DefaultCost

// HashPassword hashes with bcrypt.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	return string(h), err
}

// PasswordMatches compares a password with a stored hash in constant time.
func PasswordMatches(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// NormalizeEmail lower-cases and trims an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// UserByEmail finds a user by email (case-insensitively); nil when none has
// it. An empty email finds nobody: accounts without one (single sign-on's
// since migration 32) are not found by their missing email.
func UserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	email = NormalizeEmail(email)
	if email == "" {
		return nil, nil
	}
	var u User
	err := db.WithContext(ctx).Where("email = ?", email).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &u, err
}

// ValidRole reports a known role.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// SessionEpoch identifies the generation of a user's sessions: a session records
// the epoch it was issued in and is live only while the user's epoch is unchanged.
// Comparing for equality (rather than "issued after") lets a password change
// revoke every other session and issue a new one in the same instant.
func SessionEpoch(u *User) int64 {
	if u.SessionsAfter == nil {
		return 0
	}
	return u.SessionsAfter.UnixMicro()
}

// RevokeSessions ends every session of u (sign-out, password change, disabling)
// by moving its epoch on. Microseconds are what both databases store exactly; the
// epoch always moves, even when the clock has not (tests, coarse clocks).
func RevokeSessions(tx *gorm.DB, u *User, now time.Time) error {
	at := now.UTC().Truncate(time.Microsecond)
	if u.SessionsAfter != nil && !at.After(*u.SessionsAfter) {
		at = u.SessionsAfter.UTC().Truncate(time.Microsecond).Add(time.Microsecond)
	}
	if err := tx.Model(&User{}).Where("id = ?", u.ID).UpdateColumn("sessions_after", at).Error; err != nil {
		return err
	}
	u.SessionsAfter = &at
	return nil
}

// ValidEmail reports an address of the form name@domain (what a sign-in needs;
// deliverability is not checked).
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	local, domain, _ := strings.Cut(s, "@")
	return local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// ErrLastAdmin refuses a change that would leave no active administrator.
var ErrLastAdmin = errors.New("at least one active administrator must remain")

// EnsureAdminRemains returns ErrLastAdmin unless an active admin other than
// userID exists. Call it in the transaction that demotes or disables userID: the
// admin rows are locked (PostgreSQL) so two admins demoting each other at once
// cannot both succeed; SQLite transactions already run one at a time.
func EnsureAdminRemains(tx *gorm.DB, userID uint) error {
	var ids []uint
	if err := tx.Model(&User{}).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("role = ? AND disabled = ?", RoleAdmin, false).Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if id != userID {
			return nil
		}
	}
	return ErrLastAdmin
}

// UserFilter narrows the users list.
type UserFilter struct {
	Q       string // words in the name or email
	Role    string
	Status  string // "active", "disabled" or "" for both
	Page    int
	PerPage int
}

// UserRow is a user with the number of engagements they manage (as lead or co-manager).
type UserRow struct {
	User
	Manages int
}

// ListUsers lists users by name, a page at a time, with the engagements each manages
// counted in SQL.
func ListUsers(ctx context.Context, db *gorm.DB, f UserFilter) ([]UserRow, int64, error) {
	q := db.WithContext(ctx).Model(&User{})
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + strings.ToLower(s) + "%"
		q = q.Where("LOWER(users.name) LIKE ? OR users.email LIKE ?", like, like)
	}
	if f.Role != "" {
		q = q.Where("users.role = ?", f.Role)
	}
	switch f.Status {
	case "active":
		q = q.Where("users.disabled = ?", false)
	case "disabled":
		q = q.Where("users.disabled = ?", true)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []UserRow
	err := q.Select(`users.*, (SELECT COUNT(*) FROM engagements e WHERE ` + managesSQL("e", "users.id") + `) AS manages`).
		Order("users.disabled, LOWER(users.name), users.id").
		Offset((max(f.Page, 1) - 1) * f.PerPage).Limit(f.PerPage).Scan(&rows).Error
	return rows, total, err
}
