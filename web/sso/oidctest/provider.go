// Package oidctest runs a real OpenID Connect provider on 127.0.0.1 for tests:
// zitadel's op package (the protocol: discovery, authorization with PKCE,
// token, keys, userinfo, end session) over a small in-memory storage, with a
// plain sign-in page. Tests only: nothing the app ships imports it.
//
// The provider issues tokens on the clock it is given (the app's, which
// PORTFOLIO_TEST_TODAY may set to another day) through the client's clock
// skew, the one lever op offers over the times it signs. Tamper rewrites the
// claims of the ID tokens it hands out, re-signed with its own key, so that a
// test can present a wrong nonce, issuer, audience or expiry.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is an account at the provider.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Groups        []string // sent as the "groups" claim
	Password      string
}

// Provider is a running provider with one registered client.
type Provider struct {
	Issuer       string
	ClientID     string
	ClientSecret string

	st  *storage
	srv *httptest.Server
}

// Start runs a provider until the test ends, signing on the clock now.
func Start(t testing.TB, now func() time.Time) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Issuer: "http://" + ln.Addr().String(), ClientID: "portfolio", ClientSecret: "test-client-secret-0123456789"}
	p.st = &storage{now: now, key: key, kid: "test-key-1", users: map[string]*User{}, requests: map[string]*authRequest{},
		codes: map[string]string{}, tokens: map[string]string{}}
	p.st.client = &client{id: p.ClientID, secret: p.ClientSecret, now: now}
	cfg := &op.Config{CryptoKey: sha256.Sum256([]byte("oidctest")), CodeMethodS256: true, AuthMethodPost: true}
	prov, err := op.NewProvider(cfg, p.st, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	login := &loginPage{st: p.st, callback: op.AuthCallbackURL(prov)}
	mux.Handle("/login", op.NewIssuerInterceptor(prov.IssuerFromRequest).HandlerFunc(login.ServeHTTP))
	mux.Handle("/", p.tampering(prov))
	p.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	return p
}

// AddUser creates or replaces an account at the provider.
func (p *Provider) AddUser(u User) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	cp := u
	p.st.users[u.Subject] = &cp
}

// SetGroups changes an account's groups.
func (p *Provider) SetGroups(subject string, groups ...string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.users[subject].Groups = groups
}

// Register allows a redirect URI and a post-logout redirect URI for the client.
func (p *Provider) Register(redirectURI, postLogoutURI string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.client.redirects = append(p.st.client.redirects, redirectURI)
	p.st.client.postLogout = append(p.st.client.postLogout, postLogoutURI)
}

// Tamper rewrites the claims of every ID token the token endpoint hands out
// from now on (nil: none), re-signing it with the provider's key; forge signs
// it with a key of the same id the provider never published instead.
func (p *Provider) Tamper(fn func(claims map[string]any), forge bool) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.tamper, p.st.forge = fn, forge
}

// Key is the provider's signing key.
func (p *Provider) Key() *rsa.PrivateKey { return p.st.key }

// tampering passes every request to the provider, rewriting the ID token of
// the token endpoint's answer when a test asked for it.
func (p *Provider) tampering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.st.mu.Lock()
		fn, forge := p.st.tamper, p.st.forge
		p.st.mu.Unlock()
		if fn == nil || !strings.HasSuffix(r.URL.Path, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			copyResponse(w, rec, rec.Body.Bytes())
			return
		}
		if raw, ok := body["id_token"].(string); ok {
			if tok, err := p.st.retamper(raw, fn, forge); err == nil {
				body["id_token"] = tok
			}
		}
		b, _ := json.Marshal(body)
		copyResponse(w, rec, b)
	})
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// retamper parses an ID token the provider signed, rewrites its claims and
// signs it again.
func (s *storage) retamper(raw string, fn func(map[string]any), forge bool) (string, error) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return "", err
	}
	payload, err := jws.Verify(&s.key.PublicKey)
	if err != nil {
		return "", err
	}
	claims := map[string]any{}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	fn(claims)
	key := s.key
	if forge {
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return "", err
		}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", s.kid))
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(claims)
	sig, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return sig.CompactSerialize()
}

// loginPage is the provider's own sign-in page: email and password.
type loginPage struct {
	st       *storage
	callback func(context.Context, string) string
}

var loginHTML = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><h1>Test provider</h1>{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login"><input type="hidden" name="id" value="{{.ID}}">
<label>Email <input id="username" name="username" type="email"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Continue</button></form></body></html>`))

func (l *loginPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		_ = loginHTML.Execute(w, map[string]string{"ID": r.URL.Query().Get("authRequestID")})
		return
	}
	id := r.FormValue("id")
	if err := l.st.authenticate(id, r.FormValue("username"), r.FormValue("password")); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		_ = loginHTML.Execute(w, map[string]string{"ID": id, "Error": err.Error()})
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}

// errNotFound answers what the tests never ask for.
var errNotFound = errors.New("oidctest: not found")
