package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/sso"
	"portfolio/views/pages"
	"portfolio/web"
	websso "portfolio/web/sso"
)

// SSO is how people sign in: through an OpenID Connect provider (Client nil:
// none), the role its claim maps to, and whether passwords still work.
type SSO struct {
	Client     *websso.Client
	Roles      sso.Mapping
	Unmapped   string // sso.UnmappedExecutive or sso.UnmappedRefuse
	LocalLogin string // LocalOn, LocalAdminOnly or LocalOff ("": on)
	// LinkEmail lets a first sign-in take up an unlinked local account with
	// the same verified email (--oidc-link-email); see models/sso.Options.
	LinkEmail bool
}

// The modes of password sign-in (--local-login). Whatever the mode, an
// account linked to a single sign-on identity signs in through the provider
// only while one is configured.
const (
	LocalOn        = "on"         // everyone may sign in with a password
	LocalAdminOnly = "admin-only" // administrators only: the break-glass way in when the provider fails
	LocalOff       = "off"        // nobody: single sign-on only
)

// SetSSO sets how people sign in.
func (a *App) SetSSO(s SSO) {
	if s.LocalLogin == "" {
		s.LocalLogin = LocalOn
	}
	a.sso = s
}

const (
	ssoPendingCookie       = "portfolio_sso"
	ssoPendingPath         = "/login/oidc"
	ssoPendingCookieSecure = "__Host-portfolio_sso" // over TLS: a sibling subdomain cannot set a __Host- cookie
	ssoOutCookie           = "portfolio_sso_out"    // the provider's end-session address, for the signed-out page
	ssoOutPath             = "/login"
	ssoOutFor              = 5 * time.Minute
	// ssoMaxNext bounds where to go after signing in, kept in the pending
	// cookie: a longer one would not fit a cookie (4 KB, sealed).
	ssoMaxNext = 1024
)

// ssoPending is the pending sign-in cookie's name and path: with the __Host-
// prefix (which needs Secure and Path=/) where cookies are Secure.
func (a *App) ssoPending() (name, path string) {
	if a.SecureCookies() {
		return ssoPendingCookieSecure, "/"
	}
	return ssoPendingCookie, ssoPendingPath
}

// What the user is told of a refused single sign-on; the reason is the log's.
const (
	ssoRefused = "Single sign-on did not sign you in. Try again; if it fails again, ask an administrator (the reason is in the server's log)."
	// ssoEmailExists: the provider's email is an existing account's that is
	// not linked to this identity, which only an administrator can sort out.
	ssoEmailExists = "An account with this email already exists here, so single sign-on did not sign you in: an administrator must link it to your sign-on identity, or give that account another email, before you can sign in this way."
	ssoStale       = "Your account was being updated by another sign-in at the same moment. Try again."
)

// ssoStart sends the browser to the provider to sign in, keeping the state,
// nonce and PKCE verifier in a short-lived sealed cookie. Route: auth.sso.
func (a *App) ssoStart(c echo.Context) error {
	if a.sso.Client == nil {
		return web.ErrNotFound
	}
	next := web.LocalPath(c.QueryParam("next"))
	if len(next) > ssoMaxNext {
		next = "/"
	}
	if web.CurrentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	to, pd, err := a.sso.Client.Begin(c.Request().Context(), next)
	if err != nil {
		a.Log().Error("sso: the provider cannot be reached", "err", err, "request_id", web.RequestID(c))
		return a.renderLogin(c, http.StatusBadGateway, pages.LoginProps{Next: next,
			Error: a.sso.Client.Name() + " cannot be reached just now. Try again in a moment."})
	}
	name, path := a.ssoPending()
	if err := a.SetSealed(c, name, path, websso.PendingFor, pd); err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, to)
}

// ssoCallback is where the provider sends the browser back: the code is
// exchanged and the ID token verified (web/sso), the role mapped from the
// claim, the account found or made (models/sso), and a fresh session begun.
// Every sign-in and refusal is logged with its reason. Route: auth.sso.callback.
func (a *App) ssoCallback(c echo.Context) error {
	if a.sso.Client == nil {
		return web.ErrNotFound
	}
	ctx := c.Request().Context()
	var pd websso.Pending
	name, path := a.ssoPending()
	a.TakeSealed(c, name, path, websso.PendingFor, &pd) // single use: gone whatever follows
	pd.Next = web.LocalPath(pd.Next)
	cl, err := a.sso.Client.Finish(ctx, pd, c.QueryParams())
	var refused *websso.Refused
	switch {
	case errors.As(err, &refused):
		return a.ssoRefuse(c, pd.Next, http.StatusForbidden, ssoRefused, refused.Reason, "", "")
	case err != nil:
		a.Log().Error("sso sign-in failed", "err", err, "ip", c.RealIP(), "request_id", web.RequestID(c))
		return a.renderLogin(c, http.StatusBadGateway, pages.LoginProps{Next: pd.Next, Error: ssoRefused})
	}
	role := a.sso.Roles.Decide(cl.Roles, a.sso.Unmapped)
	if role == "" {
		return a.ssoUnmapped(c, pd.Next, cl)
	}
	u, out, err := sso.SignIn(ctx, a.db, sso.Identity{Issuer: cl.Issuer, Subject: cl.Subject, Email: cl.Email,
		EmailVerified: cl.EmailVerified, Name: cl.Name, Role: role}, sso.Options{LinkEmail: a.sso.LinkEmail}, a.Now())
	switch {
	case errors.Is(err, sso.ErrEmailExists), errors.Is(err, sso.ErrLinkRefused), errors.Is(err, sso.ErrEmailUnverified), errors.Is(err, sso.ErrEmailLinked):
		return a.ssoRefuse(c, pd.Next, http.StatusForbidden, ssoEmailExists, err.Error(), cl.Subject, cl.Email, "user_id", u.ID)
	case errors.Is(err, sso.ErrDisabled), errors.Is(err, sso.ErrRoleRefused):
		return a.ssoRefuse(c, pd.Next, http.StatusForbidden, ssoRefused, err.Error(), cl.Subject, cl.Email, "user_id", u.ID, "role", role)
	case errors.Is(err, models.ErrStale):
		return a.ssoRefuse(c, pd.Next, http.StatusConflict, ssoStale, "the account changed twice while signing in", cl.Subject, cl.Email, "user_id", u.ID)
	case err != nil:
		return err
	}
	if out.EmailIgnored != "" || out.EmailKept {
		a.Log().Info("sso: the provider's email is not stored", "user_id", u.ID, "reason", out.EmailIgnored,
			"taken_by_another", out.EmailKept, "request_id", web.RequestID(c))
	}
	if err := a.SignInSSO(c, &u, cl.IDToken); err != nil {
		return err
	}
	a.Log().Info("sso sign-in", "user_id", u.ID, "email", u.Email, "role", u.Role, "subject", cl.Subject,
		"created", out.Created, "linked", out.Linked, "role_was", out.RoleFrom,
		"email_kept_taken", out.EmailKept, "ip", c.RealIP(), "request_id", web.RequestID(c))
	return c.Redirect(http.StatusSeeOther, pd.Next)
}

// ssoUnmapped refuses a sign-in none of whose claim values is mapped
// (--oidc-unmapped=refuse). The provider took the person's groups away: a
// linked account loses its sessions and is demoted to executive (the last
// active admin keeps its role, with a warning).
func (a *App) ssoUnmapped(c echo.Context, next string, cl websso.Claims) error {
	reason := "no value of the role claim is mapped to a role (--oidc-unmapped=refuse): " + strings.Join(cl.Roles, ", ")
	u, lastAdmin, err := sso.Unmapped(c.Request().Context(), a.db, cl.Issuer, cl.Subject, a.Now())
	if err != nil {
		return err
	}
	if u == nil {
		return a.ssoRefuse(c, next, http.StatusForbidden, ssoRefused, reason, cl.Subject, cl.Email)
	}
	if lastAdmin {
		a.Log().Warn("sso: the last active administrator is no longer mapped to a role: sessions ended, role kept",
			"user_id", u.ID, "subject", cl.Subject, "request_id", web.RequestID(c))
	}
	return a.ssoRefuse(c, next, http.StatusForbidden, ssoRefused, reason, cl.Subject, cl.Email,
		"user_id", u.ID, "role_now", u.Role, "sessions_ended", true)
}

// ssoRefuse logs a refused single sign-on with its reason and shows the
// sign-in page with msg, keeping where the user was going.
func (a *App) ssoRefuse(c echo.Context, next string, status int, msg, reason, subject, email string, more ...any) error {
	attrs := append([]any{"reason", reason, "subject", subject, "email", email, "ip", c.RealIP(), "request_id", web.RequestID(c)}, more...)
	a.Log().Warn("sso sign-in refused", attrs...)
	return a.renderLogin(c, status, pages.LoginProps{Next: next, Error: msg})
}

// ssoSignedOut is the provider's end-session address for a user signing out
// of a single sign-on session ("" when it has none), hinting the ID token and
// coming back to the signed-out page.
func (a *App) ssoSignedOut(c echo.Context) string {
	hint, ok := web.SSOSession(c)
	if !ok || a.sso.Client == nil {
		return ""
	}
	back := ""
	if u, err := url.Parse(a.sso.Client.RedirectURL()); err == nil && u.Host != "" {
		back = u.Scheme + "://" + u.Host + "/login?out=1"
	}
	return a.sso.Client.EndSessionURL(c.Request().Context(), hint, back)
}

// ssoOnly reports an account that signs in through single sign-on only: one
// linked to an identity while a provider is configured.
func (a *App) ssoOnly(u *models.User) bool { return a.sso.Client != nil && u.SSOSubject != "" }

// localLoginAllows reports whether password sign-in admits u: never an
// account linked to a single sign-on identity while a provider is configured
// (its password, if it has one, is not how it signs in), else as
// --local-login says.
func (a *App) localLoginAllows(u *models.User) bool {
	if a.ssoOnly(u) {
		return false
	}
	switch a.sso.LocalLogin {
	case LocalOff:
		return false
	case LocalAdminOnly:
		return u.Role == models.RoleAdmin
	}
	return true
}
