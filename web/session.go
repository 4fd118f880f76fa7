package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
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

// csrfMiddleware checks the token of every state-changing request: the form's
// _csrf field (no-JS posts) or the X-CSRF-Token header (htmx), against the
// token kept in the session (a synchronizer token: the session cookie is
// signed and encrypted, so a cookie planted from a sibling subdomain cannot
// carry a token the attacker knows, as a double-submit cookie could). A
// missing or wrong token is a 403 before any handler runs; a cross-site post
// (Sec-Fetch-Site) is refused outright.
func csrfMiddleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if strings.HasPrefix(r.URL.Path, UnsubscribePrefix) {
				// An unsubscribe link's signature is its only credential, and
				// a mail provider posts it from its own servers (RFC 8058):
				// no session, no token, nothing ambient to forge.
				return next(c)
			}
			if r.Header.Get(echo.HeaderSecFetchSite) == "cross-site" && !isSafeMethod(r.Method) {
				return errCSRF
			}
			sess := Session(c)
			tok, _ := sess.Values[csrfKey].(string)
			if tok == "" {
				tok = newCSRFToken()
				sess.Values[csrfKey] = tok
				if err := SaveSession(c); err != nil {
					return err
				}
			}
			c.Set(csrfKey, tok)
			if !isSafeMethod(r.Method) {
				sent := r.Header.Get("X-CSRF-Token")
				if sent == "" {
					sent = c.FormValue("_csrf")
				}
				if subtle.ConstantTimeCompare([]byte(sent), []byte(tok)) != 1 {
					return errCSRF
				}
			}
			return next(c)
		}
	}
}

// UnsubscribePrefix starts the addresses of signed unsubscribe links, which
// the CSRF check leaves alone.
const UnsubscribePrefix = "/unsubscribe/"

var errCSRF = echo.NewHTTPError(http.StatusForbidden, "The form's security token is missing or out of date. Reload the page and try again.")

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

func newCSRFToken() string {
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// rotateCSRF replaces the session's CSRF token (at sign-in): a token an
// attacker planted or read before the user signed in is worthless afterwards.
func (s *Server) rotateCSRF(c echo.Context) {
	tok := newCSRFToken()
	Session(c).Values[csrfKey] = tok
	c.Set(csrfKey, tok)
}

// CSRFToken is the token forms and htmx requests send back.
func CSRFToken(c echo.Context) string {
	t, _ := c.Get(csrfKey).(string)
	return t
}
