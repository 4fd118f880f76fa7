package web

import (
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
)

// sealedCodecs sign and encrypt a short-lived cookie with the session keys
// (JSON inside), refusing one older than maxAge.
func (s *Server) sealedCodecs(maxAge time.Duration) []securecookie.Codec {
	cs := securecookie.CodecsFromPairs(s.opts.SessionKeys...)
	for _, c := range cs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int(maxAge.Seconds()))
			sc.SetSerializer(securecookie.JSONEncoder{})
		}
	}
	return cs
}

// SetSealed keeps v in a cookie of its own, signed and encrypted with the
// session keys, sent only to path and for maxAge: state a browser carries
// between two requests (a sign-in at the provider) apart from its session.
func (s *Server) SetSealed(c echo.Context, name, path string, maxAge time.Duration, v any) error {
	val, err := securecookie.EncodeMulti(name, v, s.sealedCodecs(maxAge)...)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: name, Value: val, Path: path, MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	return nil
}

// TakeSealed reads a cookie SetSealed wrote into v and removes it: it is read
// once. It reports false when there is none, or it is forged or too old.
func (s *Server) TakeSealed(c echo.Context, name, path string, maxAge time.Duration, v any) bool {
	ck, err := c.Cookie(name)
	if err != nil {
		return false
	}
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	return securecookie.DecodeMulti(name, ck.Value, v, s.sealedCodecs(maxAge)...) == nil
}
