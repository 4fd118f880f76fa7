package web

import (
	"crypto/sha256"
	"net/http"
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

func csrfMiddleware(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   int((12 * time.Hour).Seconds()),
		ContextKey:     csrfKey,
		// Missing and wrong tokens are both a refusal, not a malformed request.
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "The form's security token is missing or out of date. Reload the page and try again.")
		},
	})
}

// CSRFToken is the token forms and htmx requests send back.
func CSRFToken(c echo.Context) string {
	t, _ := c.Get(csrfKey).(string)
	return t
}
