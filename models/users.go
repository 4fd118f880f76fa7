package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
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

// UserByEmail finds a user by email (case-insensitively).
func UserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	err := db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).First(&u).Error
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
