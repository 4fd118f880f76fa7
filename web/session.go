package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

const (
	sessionName = "portfolio"
	sessionKey  = "session"
	csrfKey     = "csrf"
)

// KeyPair derives a cookie hash key and block (encryption) key from one secret,
// so that configuration holds one secret per key generation.
func KeyPair(secret []byte) [][]byte {
	h := sha256.Sum256(append([]byte("portfolio-session-hash:"), secret...))
	b := sha256.Sum256(append([]byte("portfolio-session-block:"), secret...))
	return [][]byte{h[:], b[:]}
}

func sessionMiddleware(store *sessions.CookieStore) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// A cookie that no key decodes (expired, rotated out, tampered) is a new session.
			sess, err := store.Get(c.Request(), sessionName)
			if err != nil {
				sess, _ = store.New(c.Request(), sessionName)
			}
			c.Set(sessionKey, sess)
			return next(c)
		}
	}
}

// Session is the request's cookie session.
func Session(c echo.Context) *sessions.Session {
	s, _ := c.Get(sessionKey).(*sessions.Session)
	return s
}

// SaveSession writes the session cookie.
func SaveSession(c echo.Context) error {
	return Session(c).Save(c.Request(), c.Response())
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string // "success", "error", "info"
	Text string
}

// AddFlash queues a message for the next page the user sees.
func AddFlash(c echo.Context, kind, text string) {
	Session(c).AddFlash(kind + "\x00" + text)
	_ = SaveSession(c)
}

// TakeFlashes pops the queued messages.
func TakeFlashes(c echo.Context) []Flash {
	s := Session(c)
	if s == nil {
		return nil
	}
	raw := s.Flashes()
	if len(raw) == 0 {
		return nil
	}
	_ = SaveSession(c)
	out := make([]Flash, 0, len(raw))
	for _, r := range raw {
		str, _ := r.(string)
		for i := 0; i < len(str); i++ {
			if str[i] == 0 {
				out = append(out, Flash{str[:i], str[i+1:]})
				break
			}
		}
	}
	return out
}

// csrfCookieName is the cookie holding the CSRF token the forms echo back.
const csrfCookieName = "_csrf"

// csrfMaxAge is how long a CSRF token lives without a request (each request renews it).
const csrfMaxAge = 12 * time.Hour

// csrfMiddleware checks the token of every state-changing request: the form's
// _csrf field (no-JS posts) or the X-CSRF-Token header (htmx). A missing or
// wrong token is a 403 before any handler runs.
//
// Echo (4.15+) lets a request through on "Sec-Fetch-Site: same-origin" without
// looking at the token. We keep the token check for every request (defence in
// depth, and what the forms promise) and use the header only to refuse
// cross-site posts outright.
func csrfMiddleware(secure bool) echo.MiddlewareFunc {
	check := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     csrfCookieName,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   int(csrfMaxAge.Seconds()),
		ContextKey:     csrfKey,
		// Missing and wrong tokens are both a refusal, not a malformed request.
		ErrorHandler: func(err error, c echo.Context) error { return errCSRF },
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := check(next)
		return func(c echo.Context) error {
			r := c.Request()
			if site := r.Header.Get(echo.HeaderSecFetchSite); site != "" {
				if site == "cross-site" && !isSafeMethod(r.Method) {
					return errCSRF
				}
				r.Header.Del(echo.HeaderSecFetchSite)
			}
			return h(c)
		}
	}
}

var errCSRF = echo.NewHTTPError(http.StatusForbidden, "The form's security token is missing or out of date. Reload the page and try again.")

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// rotateCSRF replaces the CSRF token (at sign-in): a token an attacker planted
// or read before the user signed in is worthless afterwards.
func (s *Server) rotateCSRF(c echo.Context) {
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	tok := base64.RawURLEncoding.EncodeToString(raw)
	h := c.Response().Header()
	kept := slices.DeleteFunc(slices.Clone(h.Values("Set-Cookie")), func(v string) bool {
		return strings.HasPrefix(v, csrfCookieName+"=")
	})
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
	c.SetCookie(&http.Cookie{Name: csrfCookieName, Value: tok, Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: s.Now().Add(csrfMaxAge)})
	c.Set(csrfKey, tok)
}

// CSRFToken is the token forms and htmx requests send back.
func CSRFToken(c echo.Context) string {
	t, _ := c.Get(csrfKey).(string)
	return t
}
