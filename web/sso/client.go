// Package sso signs people in through an OpenID Connect provider: the
// authorization code flow with PKCE, state and nonce, and the ID token
// verified by go-oidc (signature by the provider's published keys, issuer,
// audience, expiry on the app's clock). Which account and role that gives is
// models/sso's business; the routes are handlers/sso.go's.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config is the provider and this app's registration with it.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string   // this app's callback, as registered: https://…/login/oidc/callback
	Scopes       []string // openid is always asked for
	Name         string   // shown as "Sign in with <Name>"
	RoleClaim    string   // the claim holding groups or roles; a dotted path reads a nested one (realm_access.roles)
}

// Client talks to the provider. It reads the provider's discovery document on
// first use and keeps it; a provider that cannot be reached is tried again at
// the next sign-in.
type Client struct {
	cfg  Config
	now  func() time.Time
	http *http.Client

	mu         sync.Mutex
	provider   *oidc.Provider
	endSession string
}

// New is a client for cfg, verifying tokens on the clock now (the app's).
func New(cfg Config, now func() time.Time) *Client {
	return &Client{cfg: cfg, now: now, http: &http.Client{Timeout: 15 * time.Second}}
}

// Name is what the sign-in button calls the provider.
func (c *Client) Name() string { return c.cfg.Name }

// Issuer is the provider's issuer URL.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// ClientID is this app's client id at the provider.
func (c *Client) ClientID() string { return c.cfg.ClientID }

func (c *Client) ctx(ctx context.Context) context.Context { return oidc.ClientContext(ctx, c.http) }

// Discover reads the provider's discovery document, once it has been read
// successfully.
func (c *Client) Discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("the provider's discovery document (%s): %w", c.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, err
	}
	c.provider, c.endSession = p, meta.EndSession
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range c.cfg.Scopes {
		if s != oidc.ScopeOpenID && s != "" {
			scopes = append(scopes, s)
		}
	}
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: scopes}
}

// Pending is a sign-in on its way through the provider: what the callback
// must find again. It is kept in a short-lived signed and encrypted cookie of
// the browser that began it (single use: the callback removes it).
type Pending struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // PKCE's code verifier
	Next     string `json:"x"` // where to go once signed in
	At       int64  `json:"t"` // when it began (Unix seconds, the app's clock)
}

// PendingFor is how long a sign-in may spend at the provider.
const PendingFor = 10 * time.Minute

// Begin starts a sign-in: the provider's authorization URL to send the
// browser to, and what to keep for the callback.
func (c *Client) Begin(ctx context.Context, next string) (string, Pending, error) {
	p, err := c.Discover(ctx)
	if err != nil {
		return "", Pending{}, err
	}
	pd := Pending{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(), Next: next, At: c.now().Unix()}
	u := c.oauth(p).AuthCodeURL(pd.State, oidc.Nonce(pd.Nonce), oauth2.S256ChallengeOption(pd.Verifier))
	return u, pd, nil
}

// Claims are what a verified sign-in tells of the person.
type Claims struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
	Roles           []string // the role claim's values
	IDToken         string   // the raw ID token (for the end-session hint; never logged)
}

// Refused is a sign-in the callback refuses, with the reason for the log.
type Refused struct{ Reason string }

func (r *Refused) Error() string { return "single sign-on refused: " + r.Reason }

func refuse(format string, a ...any) error { return &Refused{Reason: fmt.Sprintf(format, a...)} }

// Finish completes a sign-in at the callback: the state must be the pending
// one's, the code is exchanged with PKCE's verifier, and the ID token must be
// signed by the provider's key, issued by it, for this client, not expired on
// the app's clock and carry the pending nonce.
func (c *Client) Finish(ctx context.Context, pd Pending, q url.Values) (Claims, error) {
	if pd.State == "" {
		return Claims{}, refuse("no sign-in was begun in this browser, or it was already used or has expired")
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(pd.State)) != 1 {
		return Claims{}, refuse("state mismatch")
	}
	if age := c.now().Sub(time.Unix(pd.At, 0)); age > PendingFor || age < -time.Minute {
		return Claims{}, refuse("the sign-in took longer than %s", PendingFor)
	}
	if e := q.Get("error"); e != "" {
		return Claims{}, refuse("the provider answered %s: %s", e, q.Get("error_description"))
	}
	code := q.Get("code")
	if code == "" {
		return Claims{}, refuse("no authorization code")
	}
	p, err := c.Discover(ctx)
	if err != nil {
		return Claims{}, err
	}
	oc := c.oauth(p)
	tok, err := oc.Exchange(c.ctx(ctx), code, oauth2.VerifierOption(pd.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Claims{}, refuse("the provider refused the code: %s %s", re.ErrorCode, re.ErrorDescription)
		}
		return Claims{}, fmt.Errorf("exchanging the code at the provider: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, refuse("the provider sent no ID token")
	}
	v := p.VerifierContext(c.ctx(ctx), &oidc.Config{ClientID: c.cfg.ClientID, Now: c.now})
	idt, err := v.Verify(c.ctx(ctx), raw)
	if err != nil {
		return Claims{}, refuse("ID token: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pd.Nonce)) != 1 {
		return Claims{}, refuse("ID token: nonce mismatch")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Claims{}, refuse("ID token: %v", err)
		}
	}
	if idt.Subject == "" {
		return Claims{}, refuse("ID token: no subject")
	}
	all := map[string]any{}
	if err := idt.Claims(&all); err != nil {
		return Claims{}, refuse("ID token claims: %v", err)
	}
	if (claimAt(all, c.cfg.RoleClaim) == nil || all["email"] == nil) && p.UserInfoEndpoint() != "" {
		// Some providers put groups or the email in userinfo only.
		if err := c.mergeUserInfo(ctx, p, oc, tok, idt.Subject, all); err != nil {
			return Claims{}, err
		}
	}
	cl := Claims{Issuer: idt.Issuer, Subject: idt.Subject, IDToken: raw}
	cl.Email, _ = all["email"].(string)
	cl.EmailVerified = truthy(all["email_verified"])
	for _, k := range []string{"name", "preferred_username"} {
		if s, _ := all[k].(string); s != "" && cl.Name == "" {
			cl.Name = strings.TrimSpace(s)
		}
	}
	cl.Roles = stringsOf(claimAt(all, c.cfg.RoleClaim))
	return cl, nil
}

// mergeUserInfo adds the claims of the userinfo endpoint the ID token lacks;
// the answer must be about the same subject (OpenID Connect Core 5.3.2).
func (c *Client) mergeUserInfo(ctx context.Context, p *oidc.Provider, oc *oauth2.Config, tok *oauth2.Token, sub string, into map[string]any) error {
	ui, err := p.UserInfo(c.ctx(ctx), oc.TokenSource(c.ctx(ctx), tok))
	if err != nil {
		return fmt.Errorf("the provider's userinfo: %w", err)
	}
	if ui.Subject != sub {
		return refuse("userinfo is about another subject")
	}
	more := map[string]any{}
	if err := ui.Claims(&more); err != nil {
		return refuse("userinfo claims: %v", err)
	}
	for k, v := range more {
		if _, ok := into[k]; !ok {
			into[k] = v
		}
	}
	return nil
}

// claimAt reads a claim by name, or a nested one by a dotted path.
func claimAt(all map[string]any, path string) any {
	if path == "" {
		return nil
	}
	if v, ok := all[path]; ok {
		return v
	}
	var cur any = all
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// stringsOf reads a claim that is a string or an array of strings.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// truthy reads email_verified, which some providers send as a string.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// EndSessionURL is the provider's end-session address (RP-Initiated Logout)
// with the hint of the ID token and where to come back to, or "" when the
// provider has none. hint may be "" (too large to keep): the client id then
// names the app.
func (c *Client) EndSessionURL(ctx context.Context, hint, back string) string {
	if _, err := c.Discover(ctx); err != nil || c.endSession == "" {
		return ""
	}
	u, err := url.Parse(c.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if hint != "" {
		q.Set("id_token_hint", hint)
	}
	q.Set("client_id", c.cfg.ClientID)
	if back != "" {
		q.Set("post_logout_redirect_uri", back)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// The modes of password sign-in (--local-login).
const (
	LocalOn        = "on"         // everyone may sign in with a password
	LocalAdminOnly = "admin-only" // administrators only: the break-glass way in when the provider fails
	LocalOff       = "off"        // nobody: single sign-on only
)

// RedirectURL is this app's callback address at the provider.
func (c *Client) RedirectURL() string { return c.cfg.RedirectURL }
