package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"portfolio/views/layouts"
)

// IsHTMX reports a request made by htmx.
func IsHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// IsBoosted reports an hx-boost navigation, which wants the whole page.
func IsBoosted(c echo.Context) bool { return c.Request().Header.Get("HX-Boosted") == "true" }

// Render writes the partial to htmx requests that are not boosted and the page to
// everything else, buffered so that a failing template becomes an error page, not
// half a page.
func Render(c echo.Context, status int, page, partial templ.Component) error {
	comp := page
	if partial != nil && IsHTMX(c) && !IsBoosted(c) {
		comp = partial
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Add("Vary", "HX-Request")
	if CurrentUser(c) != nil {
		// Private pages must not be shown from cache after sign-out (back button).
		h.Set("Cache-Control", "no-store")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBuffers are the buffers pages render into, reused: a page of tens of
// kilobytes grown from an empty buffer is allocated and copied several times
// over, on every view, cached or not. The response is written from the buffer
// before Render returns, so it is free again then.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

// putRenderBuffer returns a buffer to the pool, unless one exceptional page
// grew it past what is worth keeping.
func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// Chrome gathers what the document shell needs: title, navigation, the user,
// the CSRF token and any flash messages.
func Chrome(c echo.Context, title, active string) layouts.Chrome {
	ch := layouts.Chrome{Title: title, Active: active, CSRF: CSRFToken(c), RequestID: RequestID(c), Path: c.Request().URL.Path}
	if u := CurrentUser(c); u != nil {
		ch.UserName, ch.UserRole = u.Name, u.Role
		if count, ok := c.Get(unreadKey).(func(context.Context, uint) (int64, error)); ok {
			n, err := count(c.Request().Context(), u.ID)
			if err != nil { // the bell is not worth failing a page for
				slog.Error("counting unread notices", "err", err, "request_id", RequestID(c))
			}
			ch.Unread = n
		}
	}
	for _, f := range TakeFlashes(c) {
		ch.Flashes = append(ch.Flashes, layouts.Flash{Kind: f.Kind, Text: f.Text})
	}
	return ch
}

// Redirect answers a successful form post: 303 for plain requests, HX-Redirect for htmx.
func Redirect(c echo.Context, to string) error {
	if IsHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}
