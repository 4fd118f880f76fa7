package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/cache"
)

const (
	userKey   = "user"
	unreadKey = "unread" // the server's count of unread notices, for Chrome
)

// Session values.
const (
	sessUserID   = "uid"
	sessIssuedAt = "iat"
	sessSeenAt   = "seen"
	sessEpoch    = "rev" // the user's session epoch when this session was issued (models.SessionEpoch)
	sessSSO      = "sso" // signed in through single sign-on: the ID token ("-" when too large to keep)
)

// maxIDTokenHint is the largest ID token the session keeps for the
// provider's end-session hint: a cookie holds about 4 KB, and the session
// its own values besides.
const maxIDTokenHint = 1500

// loadUser puts the signed-in user on the context when the session is live:
// not idle too long, not too old, issued in the user's current session epoch
// (sign-out, a password change or disabling moves it on, on every instance at
// once because it lives in the database), and the account still enabled.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := Session(c)
		uid, _ := sess.Values[sessUserID].(uint)
		if uid == 0 {
			return next(c)
		}
		now := s.Now()
		iat, _ := sess.Values[sessIssuedAt].(int64)
		seen, _ := sess.Values[sessSeenAt].(int64)
		issued, lastSeen := time.Unix(iat, 0), time.Unix(seen, 0)
		if now.Sub(issued) > s.opts.MaxSessionAge || now.Sub(lastSeen) > s.opts.IdleTimeout {
			s.endSession(c, "Your session expired. Sign in again.")
			return next(c)
		}
		epoch, _ := sess.Values[sessEpoch].(int64)
		u, err := s.user(c, uid)
		if err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err // a database failure is an error page, not a silent sign-out
			}
			s.endSession(c, "")
			return next(c)
		}
		if u.Disabled || epoch != models.SessionEpoch(&u) {
			s.endSession(c, "")
			return next(c)
		}
		c.Set(userKey, &u)
		if s.unread != nil {
			c.Set(unreadKey, s.unread)
		}
		if now.Sub(lastSeen) > time.Minute { // refresh the idle clock without a cookie on every request
			sess.Values[sessSeenAt] = now.Unix()
			_ = SaveSession(c)
		}
		return next(c)
	}
}

// user reads the signed-in user's row as of this request. Every write of the
// users table moves the data version (models.DataVersion), so a row read at
// the version the request finds is still the row: a sign-out, password change
// or disabling anywhere is seen at the next request, on every instance. Each
// request gets a copy of its own.
func (s *Server) user(c echo.Context, id uint) (models.User, error) {
	version, err := s.DataVersion(c)
	if err != nil {
		return models.User{}, err
	}
	return s.users.Load(c.Request().Context(), id, version, func(ctx context.Context) (models.User, error) {
		var u models.User
		err := s.opts.DB.WithContext(ctx).First(&u, id).Error
		return u, err
	})
}

const versionKey = "data_version"

// DataVersion is the data version (models.DataVersion) as this request first
// read it: read once, before the request loads anything cached under it. A
// request that writes and then reads what it wrote must read
// models.DataVersion afresh: this one is from before its write.
func (s *Server) DataVersion(c echo.Context) (cache.Version, error) {
	if v, ok := c.Get(versionKey).(cache.Version); ok {
		return v, nil
	}
	v, err := s.opts.Cache.Version(c.Request().Context())
	if err != nil {
		return v, err
	}
	c.Set(versionKey, v)
	return v, nil
}

func (s *Server) endSession(c echo.Context, flash string) {
	sess := Session(c)
	for k := range sess.Values {
		if k != csrfKey { // the page being rendered carries it: its form must still post
			delete(sess.Values, k)
		}
	}
	if flash != "" {
		sess.AddFlash("info\x00" + flash)
	}
	_ = SaveSession(c)
}

// SignIn starts a fresh session for u in its current session epoch: every value
// of the old session is dropped and the CSRF token is replaced, so that nothing
// set before authentication (by an attacker who planted a cookie) survives it.
// Call it again after revoking the user's sessions to keep this browser signed in.
func (s *Server) SignIn(c echo.Context, u *models.User) error {
	sess := Session(c)
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	return s.signIn(c, u)
}

func (s *Server) signIn(c echo.Context, u *models.User) error {
	sess := Session(c)
	now := s.Now().Unix()
	sess.Values[sessUserID] = u.ID
	sess.Values[sessIssuedAt] = now
	sess.Values[sessSeenAt] = now
	sess.Values[sessEpoch] = models.SessionEpoch(u)
	c.Set(userKey, u)
	s.rotateCSRF(c)
	return SaveSession(c)
}

// SignInSSO is SignIn for a user who signed in through single sign-on,
// keeping the ID token (when small enough) to hint the provider's end-session
// endpoint at sign-out.
func (s *Server) SignInSSO(c echo.Context, u *models.User, idToken string) error {
	if len(idToken) > maxIDTokenHint || idToken == "" {
		idToken = "-"
	}
	sess := Session(c)
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	sess.Values[sessSSO] = idToken
	return s.signIn(c, u)
}

// SSOSession reports whether this session began with single sign-on, and the
// ID token it kept ("" when it kept none).
func SSOSession(c echo.Context) (idToken string, ok bool) {
	t, ok := Session(c).Values[sessSSO].(string)
	if t == "-" {
		t = ""
	}
	return t, ok
}

// SignOut ends the session in this browser and every other session of the user:
// a cookie cannot be recalled, and a copy of it (another device, another app
// instance, a stolen one) must stop working too, so the user's epoch moves on.
func (s *Server) SignOut(c echo.Context) error {
	if u := CurrentUser(c); u != nil {
		if err := models.RevokeSessions(s.DB(c), u, s.Now()); err != nil {
			return err
		}
		s.opts.Log.Info("sign-out", "user_id", u.ID, "ip", c.RealIP(), "request_id", RequestID(c))
	}
	sess := Session(c)
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	sess.Options.MaxAge = -1
	c.Set(userKey, nil)
	return SaveSession(c)
}

// CurrentUser is the signed-in user, or nil.
func CurrentUser(c echo.Context) *models.User {
	u, _ := c.Get(userKey).(*models.User)
	return u
}

// Guard is what a route requires of the user.
type Guard int

// Guards, from open to strict.
const (
	Public   Guard = iota // anyone, signed in or not
	SignedIn              // any signed-in user: executives read everything
	Editor                // managers and admins; handlers check the engagement is theirs
	Admin                 // admins only
)

// String names the guard for the route list.
func (g Guard) String() string {
	return [...]string{"public", "signed-in", "editor", "admin"}[g]
}

// Allows reports whether a role passes the guard (before any per-engagement check).
func (g Guard) Allows(role string) bool {
	switch g {
	case Editor:
		return role == models.RoleManager || role == models.RoleAdmin
	case Admin:
		return role == models.RoleAdmin
	}
	return true
}

// Middleware enforces the guard: anonymous users go to sign-in (htmx requests by
// HX-Redirect, so a sign-in form never lands inside a table), others get 403.
func (g Guard) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if g == Public {
				return next(c)
			}
			u := CurrentUser(c)
			if u == nil {
				return RedirectToSignIn(c)
			}
			if !g.Allows(u.Role) {
				return echo.NewHTTPError(http.StatusForbidden, "Your role ("+u.Role+") may not do this.")
			}
			return next(c)
		}
	}
}

// RedirectToSignIn sends the user to /login, remembering where they were.
func RedirectToSignIn(c echo.Context) error {
	back := c.Request().URL.RequestURI()
	if IsHTMX(c) {
		if cur, err := url.Parse(c.Request().Header.Get("HX-Current-URL")); err == nil && cur.Path != "" {
			back = cur.RequestURI()
		}
	}
	if c.Request().Method != http.MethodGet && !IsHTMX(c) {
		back = ""
	}
	target := "/login"
	if back != "" && back != "/" {
		target += "?next=" + url.QueryEscape(back)
	}
	if IsHTMX(c) {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// LocalPath returns p when it is a path on this site, else "/": no open redirects.
// Browsers read "//host", "/\\host" and paths with tabs or newlines removed as
// another site, so those are refused along with anything that has a scheme or host.
func LocalPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) >= 0 {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}
