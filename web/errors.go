package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/views/pages"
)

// Errors handed to the error handler render as pages; these name the common ones.
var (
	ErrNotFound = echo.NewHTTPError(http.StatusNotFound, "")
)

// BadRequest is a 400 with a message for the user.
func BadRequest(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }

// Forbidden is a 403 with a message for the user.
func Forbidden(msg string) error { return echo.NewHTTPError(http.StatusForbidden, msg) }

var statusTitles = map[int]string{
	http.StatusBadRequest:            "That request could not be understood",
	http.StatusUnauthorized:          "Please sign in",
	http.StatusForbidden:             "You may not do that",
	http.StatusNotFound:              "Page not found",
	http.StatusMethodNotAllowed:      "That action is not available here",
	http.StatusConflict:              "Someone else changed this first",
	http.StatusRequestEntityTooLarge: "That is too large",
	http.StatusUnprocessableEntity:   "Please correct the form",
	http.StatusTooManyRequests:       "Too many attempts",
	http.StatusServiceUnavailable:    "The service is busy",
}

// handleError is the one error handler: a page (or an htmx fragment) with a
// message for people; server errors are logged with the request id, and no
// stack trace or SQL reaches the user.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The request's context may already be cancelled (ContextTimeout has returned),
	// but the error page must still render.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	if IsAPI(c) {
		s.writeProblem(c, err)
		return
	}
	code, msg := httpStatus(err)
	if code >= 500 {
		s.opts.Log.Error("request failed", "request_id", RequestID(c), "method", c.Request().Method, "uri", LoggedURI(c.Request().RequestURI), "err", err)
		msg = ""
	}
	title, ok := statusTitles[code]
	if !ok {
		title = "Something went wrong"
		if code < 500 {
			title = http.StatusText(code)
		}
	}
	if msg == "" || msg == http.StatusText(code) {
		msg = defaultMessage(code)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	props := pages.ErrorProps{Code: code, Title: title, Message: msg, RequestID: RequestID(c)}
	var rerr error
	if IsHTMX(c) {
		rerr = Render(c, code, pages.ErrorFragment(props), nil)
	} else {
		props.Chrome = Chrome(c, title, "")
		rerr = Render(c, code, pages.ErrorPage(props), nil)
	}
	if rerr != nil && !errors.Is(rerr, http.ErrHandlerTimeout) {
		s.opts.Log.Error("error page failed", "request_id", RequestID(c), "err", rerr)
		_ = c.String(code, title)
	}
}

func defaultMessage(code int) string {
	switch code {
	case http.StatusNotFound:
		return "There is nothing at this address. It may have been mistyped, or the record may not exist."
	case http.StatusForbidden:
		return "Your account does not have permission for this. Ask an administrator if you need it."
	case http.StatusMethodNotAllowed:
		return "This address does not accept that kind of request."
	}
	if code >= 500 {
		return "The error has been logged. Try again in a moment; if it keeps happening, send the request id below to support."
	}
	return "Check what you entered and try again."
}

// LoggedURI is a request's URI as the logs write it: a calendar feed's
// address is its secret, so only its route is written.
func LoggedURI(uri string) string {
	if strings.HasPrefix(uri, "/calendar/") {
		return "/calendar/…"
	}
	if strings.HasPrefix(uri, "/login/oidc/callback?") {
		// The provider's authorization code is a credential until it is
		// exchanged, and the state is the pending sign-in's: the query is
		// left out altogether (a provider's error is logged by the callback).
		return "/login/oidc/callback?…"
	}
	return uri
}
