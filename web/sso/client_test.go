package sso

import (
	"reflect"
	"testing"
)

// The role claim is read as providers send it: a list, a single string, or
// nested (Keycloak's realm_access.roles); email_verified as a bool or a string.
func TestReadingClaims(t *testing.T) {
	all := map[string]any{
		"groups":       []any{"a", "b", 3},
		"role":         "admins",
		"realm_access": map[string]any{"roles": []any{"portfolio-admins"}},
		"a.b":          "flat wins",
	}
	for path, want := range map[string][]string{
		"groups": {"a", "b"}, "role": {"admins"}, "realm_access.roles": {"portfolio-admins"}, "a.b": {"flat wins"},
		"missing": nil, "realm_access.missing": nil, "role.deeper": nil, "": nil,
	} {
		if got := stringsOf(claimAt(all, path)); !reflect.DeepEqual(got, want) {
			t.Errorf("claim %q: %q, want %q", path, got, want)
		}
	}
	for v, want := range map[any]bool{true: true, "true": true, false: false, "false": false, "yes": false, nil: false} {
		if truthy(v) != want {
			t.Errorf("email_verified %#v read as %v", v, !want)
		}
	}
}
