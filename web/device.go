package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// A browser that has signed in to an account gets a device cookie for it, so
// that the account's lock-out (counted per account, from anywhere) cannot keep
// its owner out: someone who knows an email can lock the account for every
// browser but those that have signed in to it before, whose attempts count
// against their own device's limit instead. This is OWASP's "device cookies"
// answer to lock-outs anyone can cause.

const (
	deviceCookie = "portfolio_device"
	deviceMaxAge = 365 * 24 * time.Hour
)

// device is what the device cookie holds: the account it signed in to and
// the device's own throttle key.
type device struct {
	Email string `json:"e"`
	Nonce string `json:"n"`
}

// deviceCodecs sign and encrypt the device cookie with the session keys.
func (s *Server) deviceCodecs() []securecookie.Codec {
	cs := securecookie.CodecsFromPairs(s.opts.SessionKeys...)
	for _, c := range cs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int(deviceMaxAge.Seconds()))
			sc.SetSerializer(securecookie.JSONEncoder{})
		}
	}
	return cs
}

// TrustedDevice is the throttle key of this browser for email when it has
// signed in to that account before (ok false otherwise).
func (s *Server) TrustedDevice(c echo.Context, email string) (key string, ok bool) {
	ck, err := c.Cookie(deviceCookie)
	if err != nil {
		return "", false
	}
	var d device
	if securecookie.DecodeMulti(deviceCookie, ck.Value, &d, s.deviceCodecs()...) != nil || d.Nonce == "" {
		return "", false
	}
	if d.Email != models.NormalizeEmail(email) {
		return "", false
	}
	return "device:" + d.Nonce, true
}

// TrustDevice gives this browser a device cookie for email (after a sign-in),
// keeping its nonce when it had one for that account.
func (s *Server) TrustDevice(c echo.Context, email string) error {
	d := device{Email: models.NormalizeEmail(email)}
	if key, ok := s.TrustedDevice(c, email); ok {
		d.Nonce = key[len("device:"):]
	} else {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // never fails (Go 1.24+)
		d.Nonce = base64.RawURLEncoding.EncodeToString(b)
	}
	v, err := securecookie.EncodeMulti(deviceCookie, d, s.deviceCodecs()...)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: v, Path: "/login", MaxAge: int(deviceMaxAge.Seconds()),
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	return nil
}
