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
	LocalLogin string // websso.LocalOn, LocalAdminOnly or LocalOff ("": on)
}

// SetSSO sets how people sign in.
func (a *App) SetSSO(s SSO) {
	if s.LocalLogin == "" {
		s.LocalLogin = websso.LocalOn
	}
	a.sso = s
}

const (
	ssoPendingCookie = "portfolio_sso"
	ssoPendingPath   = "/login/oidc"
	ssoOutCookie     = "portfolio_sso_out" // the provider's end-session address, for the signed-out page
	ssoOutPath       = "/login"
	ssoOutFor        = 5 * time.Minute
)

// ssoRefused is what the user is told of a refused single sign-on; the
// reason is the log's.
const ssoRefused = "Single sign-on did not sign you in. Try again; if it fails again, ask an administrator (the reason is in the server's log)."

// ssoStart sends the browser to the provider to sign in, keeping the state,
// nonce and PKCE verifier in a short-lived sealed cookie. Route: auth.sso.
func (a *App) ssoStart(c echo.Context) error {
	if a.sso.Client == nil {
		return web.ErrNotFound
	}
	next := web.LocalPath(c.QueryParam("next"))
	if web.CurrentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	to, pd, err := a.sso.Client.Begin(c.Request().Context(), next)
	if err != nil {
		a.Log().Error("sso: the provider cannot be reached", "err", err, "request_id", web.RequestID(c))
		return a.renderLogin(c, http.StatusBadGateway, pages.LoginProps{Next: next,
			Error: a.sso.Client.Name() + " cannot be reached just now. Try again in a moment."})
	}
	if err := a.SetSealed(c, ssoPendingCookie, ssoPendingPath, websso.PendingFor, pd); err != nil {
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
	a.TakeSealed(c, ssoPendingCookie, ssoPendingPath, websso.PendingFor, &pd) // single use: gone whatever follows
	cl, err := a.sso.Client.Finish(ctx, pd, c.QueryParams())
	var refused *websso.Refused
	switch {
	case errors.As(err, &refused):
		return a.ssoRefuse(c, refused.Reason, "", "")
	case err != nil:
		a.Log().Error("sso sign-in failed", "err", err, "ip", c.RealIP(), "request_id", web.RequestID(c))
		return a.renderLogin(c, http.StatusBadGateway, pages.LoginProps{Error: ssoRefused})
	}
	role := a.sso.Roles.Decide(cl.Roles, a.sso.Unmapped)
	if role == "" {
		return a.ssoRefuse(c, "no value of the role claim is mapped to a role (--oidc-unmapped=refuse): "+strings.Join(cl.Roles, ", "), cl.Subject, cl.Email)
	}
	u, out, err := sso.SignIn(ctx, a.db, sso.Identity{Issuer: cl.Issuer, Subject: cl.Subject, Email: cl.Email,
		EmailVerified: cl.EmailVerified, Name: cl.Name, Role: role}, a.Now())
	switch {
	case errors.Is(err, sso.ErrDisabled), errors.Is(err, sso.ErrEmailLinked), errors.Is(err, sso.ErrEmailUnverified), errors.Is(err, sso.ErrNoEmail):
		return a.ssoRefuse(c, err.Error(), cl.Subject, cl.Email, "user_id", u.ID)
	case err != nil:
		return err
	}
	if err := a.SignInSSO(c, &u, cl.IDToken); err != nil {
		return err
	}
	a.Log().Info("sso sign-in", "user_id", u.ID, "email", u.Email, "role", u.Role, "subject", cl.Subject,
		"created", out.Created, "linked", out.Linked, "role_was", out.RoleFrom, "role_kept_last_admin", out.RoleKept,
		"email_kept_taken", out.EmailKept, "ip", c.RealIP(), "request_id", web.RequestID(c))
	return c.Redirect(http.StatusSeeOther, web.LocalPath(pd.Next))
}

// ssoRefuse logs a refused single sign-on with its reason and shows the
// sign-in page with the one answer to every refusal.
func (a *App) ssoRefuse(c echo.Context, reason, subject, email string, more ...any) error {
	attrs := append([]any{"reason", reason, "subject", subject, "email", email, "ip", c.RealIP(), "request_id", web.RequestID(c)}, more...)
	a.Log().Warn("sso sign-in refused", attrs...)
	return a.renderLogin(c, http.StatusForbidden, pages.LoginProps{Error: ssoRefused})
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

// localLoginAllows reports whether password sign-in admits u.
func (a *App) localLoginAllows(u *models.User) bool {
	switch a.sso.LocalLogin {
	case websso.LocalOff:
		return false
	case websso.LocalAdminOnly:
		return u.Role == models.RoleAdmin
	}
	return true
}
