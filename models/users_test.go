package models

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	t.Parallel()
	const (
		short    = "Use at least 12 characters."
		long     = "Use at most 72 bytes."
		common   = "That password is one of the most common; choose another."
		name     = "Do not use your email name in your password."
		repeated = "Do not repeat one character."
	)
	tests := []struct {
		name, pw, email, want string
	}{
		{"empty", "", "", short},
		{"short", "short", "", short},
		{"eleven characters", "abcdefgh1jk", "", short},
		{"eleven accented letters", strings.Repeat("é", 11), "", short},
		{"twelve characters", "tr0ub4dor&3x", "", ""},
		{"passphrase", "correct horse battery staple", "", ""},
		{"72 bytes", strings.Repeat("ab", 36), "", ""},
		{"73 bytes", strings.Repeat("ab", 36) + "c", "", long},
		{"common", "password1234", "", common},
		{"common, any case", "Password1234", "", common},
		{"common, app name", "portfolio1234", "", common},
		{"common, 13 letters", "administrator", "", common},
		{"common beats repeated", "111111111111", "", common},
		{"email name", "maria.lopez2026!", "maria.lopez@example.com", name},
		{"email name, any case", "MARIA.LOPEZrocks", "Maria.Lopez@Example.com", name},
		{"email name inside", "ilovemaria.lopez!", "maria.lopez@example.com", name},
		{"other email", "maria.lopez2026!", "sam.chen@example.com", ""},
		{"short email name is not checked", "journey to the west", "jo@example.com", ""},
		{"empty email name is not checked", "journey to the west", "@example.com", ""},
		{"repeated", "aaaaaaaaaaaa", "", repeated},
		{"repeated symbol", strings.Repeat("!", 20), "", repeated},
		{"repeated accented letter", strings.Repeat("é", 12), "", repeated},
		{"almost repeated", "aaaaaaaaaaab", "", ""},
		{"accented, fine", "été à Genève 2026", "", ""},
	}
	for _, tt := range tests {
		if got := CheckPassword(tt.pw, tt.email); got != tt.want {
			t.Errorf("%s: CheckPassword(%q, %q) = %q, want %q", tt.name, tt.pw, tt.email, got, tt.want)
		}
	}
}
