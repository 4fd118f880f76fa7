// Package sso keeps the accounts that sign in through an OpenID Connect
// provider: which role a provider's claim gives (least privilege), and which
// account an identity signs in to (found by issuer and subject, made at the
// first sign-in, its role read again at every one). The protocol itself is
// web/sso's.
package sso

import (
	"fmt"
	"slices"
	"strings"

	"portfolio/models"
)

// What happens to a user none of whose claim values is mapped (--oidc-unmapped).
const (
	UnmappedExecutive = "executive" // they read, as every executive does
	UnmappedRefuse    = "refuse"    // they cannot sign in
)

// Mapping maps values of the role claim (a group's name) to roles.
type Mapping map[string]string

// ParseRoles reads a mapping written "value=role,value=role", e.g.
// "portfolio-admins=admin,portfolio-managers=manager". A value may name one
// role only; roles are executive, manager or admin.
func ParseRoles(spec string) (Mapping, error) {
	m := Mapping{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.LastIndex(part, "=")
		if i <= 0 {
			return nil, fmt.Errorf("%q is not value=role", part)
		}
		value, role := strings.TrimSpace(part[:i]), strings.TrimSpace(part[i+1:])
		if value == "" || !models.ValidRole(role) {
			return nil, fmt.Errorf("%q: the role must be executive, manager or admin", part)
		}
		if r, dup := m[value]; dup && r != role {
			return nil, fmt.Errorf("%q is mapped to both %s and %s", value, r, role)
		}
		m[value] = role
	}
	return m, nil
}

// Role is the highest role the claim's values map to, or "" when none is
// mapped. Nothing but the mapping gives admin.
func (m Mapping) Role(values []string) string {
	best := -1
	for _, v := range values {
		if r, ok := m[v]; ok {
			best = max(best, slices.Index(models.Roles, r))
		}
	}
	if best < 0 {
		return ""
	}
	return models.Roles[best]
}

// Decide is the role a user with these claim values gets: the highest mapped,
// else executive, or "" (refused) when unmapped is UnmappedRefuse.
func (m Mapping) Decide(values []string, unmapped string) string {
	if r := m.Role(values); r != "" {
		return r
	}
	if unmapped == UnmappedRefuse {
		return ""
	}
	return models.RoleExecutive
}
