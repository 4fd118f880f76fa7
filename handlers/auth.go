package handlers

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
	websso "portfolio/web/sso"
)

// dummyHash is compared against when an email is unknown, so that a wrong email
// takes as long as a wrong password and reveals nothing. It is made on first use,
// at the configured bcrypt cost, like real hashes.
var dummyHash = sync.OnceValue(func() string {
	h, _ := models.HashPassword("portfolio-timing-equaliser")
	return h
})

// signInRefused is the one answer to a wrong email, a wrong password and a
// disabled account alike: which of them it was is nobody's business but the log's.
const signInRefused = "That email and password do not match an active account."

// loginForm shows the sign-in page. Route: auth.login.
func (a *App) loginForm(c echo.Context) error {
	next := web.LocalPath(c.QueryParam("next"))
	if web.CurrentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	p := pages.LoginProps{Next: next}
	if c.QueryParam("out") == "1" {
		p.Notice = "You are signed out."
		var end string
		if a.TakeSealed(c, ssoOutCookie, ssoOutPath, ssoOutFor, &end) && strings.HasPrefix(end, "http") {
			p.EndSessionURL = end
		}
	}
	return a.renderLogin(c, http.StatusOK, p)
}

func (a *App) renderLogin(c echo.Context, status int, p pages.LoginProps) error {
	p.Chrome = web.Chrome(c, "Sign in", "")
	p.LocalLogin = a.sso.LocalLogin
	if a.sso.Client != nil {
		p.SSOName = a.sso.Client.Name()
	}
	return web.Render(c, status, pages.Login(p), nil)
}

// login checks the credentials with per-account and per-address throttling,
// then starts a fresh session and returns the user where they were. Route: auth.signin.
func (a *App) login(c echo.Context) error {
	ctx := c.Request().Context()
	email := models.NormalizeEmail(c.FormValue("email"))
	pw := c.FormValue("password")
	next := web.LocalPath(c.FormValue("next"))
	p := pages.LoginProps{Email: email, Next: next}
	if a.sso.LocalLogin == websso.LocalOff {
		a.Log().Warn("sign-in refused", "email", email, "reason", "password sign-in is off (--local-login=off)", "ip", c.RealIP(), "request_id", web.RequestID(c))
		p.Error = "Password sign-in is turned off: use single sign-on."
		return a.renderLogin(c, http.StatusForbidden, p)
	}
	if email == "" || pw == "" {
		p.Error = "Enter your email and password."
		return a.renderLogin(c, http.StatusUnprocessableEntity, p)
	}
	keys := models.ThrottleKeys(email, c.RealIP())
	if dk, ok := a.TrustedDevice(c, email); ok {
		// A browser that has signed in to this account before counts against
		// its own limit, so a lock-out caused by someone else cannot keep the
		// owner out (web/device.go).
		keys = []string{dk, ""}
	}
	// The attempt is counted before the password is checked, in one step
	// with the check of the locks: attempts made at once cannot all be tried.
	wait, err := models.AttemptLogin(ctx, a.db, a.Now(), nonEmpty(keys)...)
	if err != nil {
		return err
	}
	if wait > 0 {
		a.Log().Warn("sign-in throttled", "email", email, "ip", c.RealIP())
		p.Error = fmt.Sprintf("Too many failed attempts. Try again in %s.", humanWait(wait.Seconds()))
		return a.renderLogin(c, http.StatusTooManyRequests, p)
	}
	u, err := models.UserByEmail(ctx, a.db, email)
	if err != nil {
		return err
	}
	hash := dummyHash()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok := models.PasswordMatches(hash, pw) && u != nil && u.PasswordHash != ""
	if !ok || u.Disabled || !a.localLoginAllows(u) { // counted already (AttemptLogin)
		reason := "unknown email"
		switch {
		case u != nil && !ok:
			reason = "wrong password"
		case u != nil && u.Disabled:
			reason = "account disabled"
		case u != nil:
			// Told as any failure is: whether the password was right is nobody's business.
			reason = "password sign-in is for administrators only (--local-login=admin-only)"
		}
		a.Log().Warn("sign-in failed", "email", email, "reason", reason, "ip", c.RealIP(), "request_id", web.RequestID(c))
		p.Error = signInRefused
		return a.renderLogin(c, http.StatusUnauthorized, p)
	}
	if err := models.LoginSucceeded(ctx, a.db, keys[0], keys[1]); err != nil {
		return err
	}
	if err := a.SignIn(c, u); err != nil {
		return err
	}
	if err := a.TrustDevice(c, email); err != nil {
		return err
	}
	a.Log().Info("sign-in", "user_id", u.ID, "email", email, "ip", c.RealIP(), "request_id", web.RequestID(c))
	return c.Redirect(http.StatusSeeOther, next)
}

// nonEmpty are the keys that are set.
func nonEmpty(keys []string) []string {
	out := keys[:0:0]
	for _, k := range keys {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// humanWait says how long a throttled user must wait, rounded up: seconds up to
// two minutes, minutes after.
func humanWait(sec float64) string {
	if sec <= 120 {
		return fmt.Sprintf("%d seconds", int(math.Ceil(sec)))
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(sec/60)))
}

// logout ends the session here and on every other device (see web.SignOut).
// Route: auth.logout; an htmx request gets HX-Redirect.
func (a *App) logout(c echo.Context) error {
	// A form's redirect to another site is blocked by the pages' CSP
	// (form-action 'self'): the signed-out page offers the provider's
	// end-session link instead.
	end := a.ssoSignedOut(c)
	if err := a.SignOut(c); err != nil {
		return err
	}
	if end != "" {
		if err := a.SetSealed(c, ssoOutCookie, ssoOutPath, ssoOutFor, end); err != nil {
			return err
		}
	}
	return web.Redirect(c, "/login?out=1")
}
