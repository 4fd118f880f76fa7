package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// OnceField is the hidden input of a create form holding its one-time token
// (components.Once makes a fresh one each time the form is rendered).
const OnceField = "_once"

// onceWait is how long a repeated post waits for the first one to finish
// before it is told the form is still being saved.
const onceWait = 10 * time.Second

// onceForms stores a form post carrying a one-time token once: the first post
// claims the token before its handler runs; a post of the same form again with
// the same values to the same address (a browser retrying after a lost
// response, a second click) is answered with the first one's outcome, a
// redirect to what it stored, and never runs the handler. What is claimed is
// the token and the post together (onceKey), so the same token with other
// values (the user went back, changed a field and saved again) is a post of
// its own, itself stored once. A post that stores nothing (refused, failed,
// panicked) releases its claim. The claim is its own committed write, ahead
// of the handler's: a server that dies between the two leaves it claimed, so
// a retry is told the form may have been saved rather than storing it twice.
func (s *Server) onceForms(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		if c.Request().Method != http.MethodPost {
			return next(c)
		}
		token := c.FormValue(OnceField)
		u := CurrentUser(c)
		if token == "" || u == nil {
			return next(c)
		}
		if len(token) > 64 {
			return BadRequest("This form's token is not one the app made: open the form again.")
		}
		ctx := c.Request().Context()
		key := s.onceKey(c, token)
		for try := 0; ; try++ {
			claimed, prior, err := models.ClaimFormToken(ctx, s.opts.DB, key, u.ID, s.Now())
			if err != nil {
				return err
			}
			if claimed {
				break
			}
			if prior.Token != "" { // released between the claim and the read: claim again
				if err := s.replayOnce(c, key, u.ID, prior); err != errOnceReleased {
					return err
				}
			}
			if try > 2 {
				return echo.NewHTTPError(http.StatusConflict, "This form was sent several times at once. Check the list, then save it again if it is not there.")
			}
		}
		// The outcome is recorded even when the request's context has ended
		// or the handler panicked: a claim left pending would answer every
		// retry "still being saved".
		bg := context.WithoutCancel(ctx)
		release := func() {
			if rerr := models.ReleaseFormToken(bg, s.opts.DB, key); rerr != nil {
				s.opts.Log.Error("form token not released", "err", rerr)
			}
		}
		defer func() {
			if p := recover(); p != nil {
				release()
				panic(p)
			}
		}()
		err = next(c)
		res := c.Response()
		if err == nil && res.Committed && res.Status < 400 {
			loc := res.Header().Get("HX-Redirect")
			if loc == "" {
				loc = res.Header().Get(echo.HeaderLocation)
			}
			if ferr := models.FinishFormToken(bg, s.opts.DB, key, loc); ferr != nil {
				s.opts.Log.Error("form token not finished", "err", ferr)
			}
			return nil
		}
		release()
		return err
	}
}

// onceKey is what a post claims: a keyed hash of its token, address and
// values (tokens aside), the same however the browser orders them. Keyed with
// the session key, so that the stored claims say nothing of what was posted
// (a new user's first password among it).
func (s *Server) onceKey(c echo.Context, token string) string {
	form, _ := c.FormParams() // parsed already for the token
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != OnceField && k != "_csrf" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var secret []byte
	if len(s.opts.SessionKeys) > 0 {
		secret = s.opts.SessionKeys[0]
	}
	h := hmac.New(sha256.New, secret)
	_, _ = fmt.Fprintf(h, "%s\x00%s", token, c.Request().URL.Path)
	for _, k := range keys {
		for _, v := range form[k] {
			_, _ = fmt.Fprintf(h, "\x00%s\x00%s", k, v)
		}
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

var errOnceReleased = errors.New("the first post of the form let its token go")

// replayOnce answers a form posted again: once the first post is done, a
// redirect to where it led with a note that nothing was stored twice.
func (s *Server) replayOnce(c echo.Context, token string, userID uint, prior models.FormToken) error {
	if prior.UserID != userID {
		return BadRequest("This form's token is not one the app made for you: open the form again.")
	}
	ctx := c.Request().Context()
	for wait := time.Duration(0); !prior.Done && wait < onceWait; wait += 100 * time.Millisecond {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		var err error
		if prior, err = models.FormTokenState(ctx, s.opts.DB, token); err != nil {
			return err
		}
		if prior.Token == "" { // the first post stored nothing and let the token go: this one may try
			return errOnceReleased
		}
	}
	if !prior.Done {
		return echo.NewHTTPError(http.StatusConflict, "This form was sent before and is still being saved, or the server stopped while saving it. Check the list before saving it again.")
	}
	if prior.Location == "" {
		return echo.NewHTTPError(http.StatusConflict, "This form was already saved; it was not saved twice.")
	}
	AddFlash(c, "info", "This form had already been saved; it was not saved twice.")
	return Redirect(c, prior.Location)
}
