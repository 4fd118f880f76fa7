// Package handlers holds the application's endpoints: each parses the request,
// validates it, calls models, builds props and renders a view.
package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// App is the set of handlers with what they share.
type App struct {
	*web.Server
	db        *models.DB
	today     func() models.Date
	caches    caches
	yield     models.Yield  // how background work gives way to requests: the server's Yield
	packAhead packAhead     // the review pack built ahead (reviews_cache.go)
	mailing   pages.Mailing // how email is sent, and where links point (SetMailing)
	unread    *unreadCounts // the bell's counts (countUnread)
	sso       SSO           // single sign-on and password sign-in (SetSSO)
	// tokenMaxLife is the longest life of a personal access token (SetTokenMaxLife).
	tokenMaxLife time.Duration
}

// New mounts every route of the route table on the server.
func New(s *web.Server, db *models.DB) *App {
	a := &App{Server: s, db: db, today: func() models.Date { return models.DateOf(s.Now()) }, caches: newCaches(s.Cache()), yield: s.Yield,
		unread: newUnreadCounts(unreadFor, s.Now), tokenMaxLife: DefaultTokenMaxLife}
	a.SetSSO(SSO{})
	s.CountUnread(a.countUnread)
	for _, r := range a.Routes() {
		s.App.Add(r.Method, r.Path, r.Handler, r.Guard.Middleware()).Name = r.Name
	}
	a.mountAPI()
	return a
}

// settings loads the current settings for this request.
func (a *App) settings(c echo.Context) (models.Settings, error) {
	return models.LoadSettings(c.Request().Context(), a.db)
}

// perPage is the size of every list page.
const perPage = 25

// pageParam reads ?page=, falling back to 1 for anything that is not a positive number.
func pageParam(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// idParam reads a numeric path parameter; anything else is not found.
func idParam(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, web.ErrNotFound
	}
	return uint(n), nil
}

// uintQuery reads an optional numeric query parameter (0 when absent or invalid).
func uintQuery(c echo.Context, name string) uint {
	n, err := strconv.ParseUint(c.QueryParam(name), 10, 32)
	if err != nil {
		return 0
	}
	return uint(n)
}

// oneOf returns v when it is among allowed, else "".
func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return ""
}

// dirParam is "asc" or "desc" ("" when unset or invalid).
func dirParam(c echo.Context) string { return oneOf(c.QueryParam("dir"), "asc", "desc") }

// listQuery captures the known query parameters of a list page (unknown ones are
// dropped so they do not stick to every link).
func listQuery(c echo.Context, path, target string, keys ...string) components.Query {
	v := url.Values{}
	for _, k := range append(keys, "sort", "dir", "page") {
		if x := c.QueryParam(k); x != "" {
			v.Set(k, x)
		}
	}
	return components.Query{Path: path, Values: v, Target: target}
}

// healthz reports whether the app and its database answer and take a write
// (a read-only database or a full disk is unhealthy). Route: health.
func (a *App) healthz(c echo.Context) error {
	ctx := c.Request().Context()
	if err := models.Ping(ctx, a.db); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
	}
	if err := models.CheckWritable(ctx, a.db); err != nil {
		a.Log().Error("health: the database refuses writes", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "refuses writes (read-only or full)"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}
