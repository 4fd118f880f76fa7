package sso

import "testing"

func TestRoleMapping(t *testing.T) {
	m, err := ParseRoles(" portfolio-admins=admin, portfolio-managers=manager,portfolio-execs=executive,, /groups/ops=manager")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		values   []string
		unmapped string
		want     string
	}{
		{[]string{"portfolio-execs", "portfolio-admins", "portfolio-managers"}, UnmappedExecutive, "admin"}, // several: the highest
		{[]string{"staff", "portfolio-managers"}, UnmappedRefuse, "manager"},
		{[]string{"/groups/ops"}, UnmappedRefuse, "manager"},           // a group path (Keycloak's)
		{[]string{"Portfolio-Admins"}, UnmappedExecutive, "executive"}, // values match exactly
		{[]string{"staff"}, UnmappedExecutive, "executive"},            // least privilege
		{nil, UnmappedExecutive, "executive"},
		{[]string{"staff"}, UnmappedRefuse, ""},
		{nil, UnmappedRefuse, ""},
	} {
		if got := m.Decide(tc.values, tc.unmapped); got != tc.want {
			t.Errorf("Decide(%q, %s) = %q, want %q", tc.values, tc.unmapped, got, tc.want)
		}
	}
	if empty, err := ParseRoles(""); err != nil || empty.Decide([]string{"admins"}, UnmappedExecutive) != "executive" {
		t.Errorf("no mapping: nobody is more than executive (%v)", err)
	}
	for _, bad := range []string{"admins", "=admin", "admins=root", "a=admin,a=manager"} {
		if _, err := ParseRoles(bad); err == nil {
			t.Errorf("ParseRoles(%q) is accepted", bad)
		}
	}
}
