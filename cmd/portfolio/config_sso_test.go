package main

import (
	"strings"
	"testing"
)

// The single sign-on settings: read from PORTFOLIO_OIDC_* (a flag wins), all
// of the provider's or none, a mapping that parses, and password sign-in
// turned off only where single sign-on is set.
func TestSSOConfig(t *testing.T) {
	provider := map[string]string{"PORTFOLIO_OIDC_ISSUER": "https://login.example.com/realms/acme", "PORTFOLIO_OIDC_CLIENT_ID": "portfolio",
		"PORTFOLIO_OIDC_CLIENT_SECRET": "s3cret", "PORTFOLIO_BASE_URL": "https://portfolio.example.com",
		"PORTFOLIO_OIDC_ROLES": "portfolio-admins=admin, portfolio-managers=manager"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range provider {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	c := testConfig(t, provider)
	if err := c.validate(); err != nil {
		t.Fatalf("a full provider setting: %v", err)
	}
	if c.oidcRedirectURL() != "https://portfolio.example.com/login/oidc/callback" || c.LocalLogin != "on" || c.OIDCUnmapped != "executive" || c.OIDCRoleClaim != "groups" {
		t.Errorf("defaults: redirect %q, local-login %q, unmapped %q, claim %q", c.oidcRedirectURL(), c.LocalLogin, c.OIDCUnmapped, c.OIDCRoleClaim)
	}
	if cl := c.ssoClient(nil); cl == nil || cl.Name() != "single sign-on" || cl.ClientID() != "portfolio" {
		t.Errorf("client: %+v", cl)
	}
	if c := testConfig(t, provider, "--oidc-name", "Okta", "--local-login", "admin-only"); c.validate() != nil || c.OIDCName != "Okta" || c.LocalLogin != "admin-only" {
		t.Errorf("flags over the environment: %q %q %v", c.OIDCName, c.LocalLogin, c.validate())
	}
	if c := testConfig(t, nil); c.validate() != nil || c.ssoClient(nil) != nil {
		t.Errorf("no single sign-on: %v", c.validate())
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"local-login off without SSO":        {map[string]string{"PORTFOLIO_LOCAL_LOGIN": "off"}, "needs single sign-on"},
		"local-login admin-only without SSO": {map[string]string{"PORTFOLIO_LOCAL_LOGIN": "admin-only"}, "needs single sign-on"},
		"local-login unknown":                {with(map[string]string{"PORTFOLIO_LOCAL_LOGIN": "sometimes"}), "on, admin-only or off"},
		"unmapped admin":                     {with(map[string]string{"PORTFOLIO_OIDC_UNMAPPED": "admin"}), "executive or refuse"},
		"a mapping to an unknown role":       {with(map[string]string{"PORTFOLIO_OIDC_ROLES": "everyone=owner"}), "executive, manager or admin"},
		"a value mapped twice":               {with(map[string]string{"PORTFOLIO_OIDC_ROLES": "g=admin,g=executive"}), "both"},
		"no client id":                       {with(map[string]string{"PORTFOLIO_OIDC_CLIENT_ID": ""}), "--oidc-client-id"},
		"no redirect":                        {with(map[string]string{"PORTFOLIO_BASE_URL": ""}), "--oidc-redirect-url"},
		"not a URL":                          {with(map[string]string{"PORTFOLIO_OIDC_ISSUER": "login.example.com"}), "issuer URL"},
		"http in production":                 {with(map[string]string{"PORTFOLIO_OIDC_ISSUER": "http://login.example.com", "PORTFOLIO_PRODUCTION": "true", "PORTFOLIO_SESSION_KEYS": strings.Repeat("k", 40)}), "https"},
		"a client id without an issuer":      {map[string]string{"PORTFOLIO_OIDC_CLIENT_ID": "portfolio"}, "need --oidc-issuer"},
	} {
		err := testConfig(t, tc.env).validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
}
