package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/register"
	"portfolio/views/layouts"
	"portfolio/views/pages"
	"portfolio/web"
)

// What the register reads is cached at the data version read first thing in
// the request (caches.go): the page itself inside the document shell (its
// body, the same for every user with the same rights: rendered into each
// request's own chrome), and for a page not cached the settings, the tally of
// the filter and the ends of its pages (register.Cache), the options of
// the filter selects and a manager's engagements.

// bodyKey names a cached register body: the request's path and query
// (filters, sort, page or cursor), whether it is the htmx partial, the day
// (overdue reviews), and whose rights it was rendered with (rows a user may act
// on carry quick actions).
type bodyKey struct {
	url    string
	htmx   bool
	today  string
	rights string
}

// registerBodyKey is the key of the body this request shows, and whether it
// may be cached: not the past (as at a day) nor movement, which replay the
// history and are rarely read twice, nor the body of a user whose rights it
// cannot name.
func (a *App) registerBodyKey(c echo.Context, f register.RiskFilter, day models.Date) (bodyKey, bool) {
	u := web.CurrentUser(c)
	if u == nil || !f.AsAt.IsZero() || !sinceParam(c, day).IsZero() {
		return bodyKey{}, false
	}
	k := bodyKey{url: c.Request().URL.RequestURI(), htmx: web.IsHTMX(c) && !web.IsBoosted(c), today: day.String()}
	switch u.Role {
	case models.RoleExecutive, models.RoleAdmin:
		k.rights = u.Role
	case models.RoleManager:
		k.rights = models.RoleManager + ":" + strconv.FormatUint(uint64(u.ID), 10)
	default:
		return k, false
	}
	return k, true
}

// renderRegisterBody renders the body k names from p: the register's region for
// htmx, else the page inside the shell. p.Chrome is left empty: nothing of the
// user's session (a CSRF token) can be cached for another.
func renderRegisterBody(ctx context.Context, k bodyKey, p pages.RisksProps) (*web.Body, error) {
	p.Chrome = layouts.Chrome{}
	c := pages.RisksBody(p)
	if k.htmx {
		c = pages.RiskRegister(p)
	}
	return web.NewBody(ctx, c)
}

// registerAnswer writes a register body, in this request's chrome unless it is
// the htmx partial (whose body is the partial).
func registerAnswer(c echo.Context, k bodyKey, title string, body *web.Body) error {
	return web.RenderBody(c, http.StatusOK, web.Chrome(c, title, "risks"), body, k.htmx)
}

// filterOptions are the options of the register's filter selects.
type filterOptions struct {
	engagements []models.Engagement
	vendors     []models.Vendor
	owners      []models.User
}

// settingsAt is the settings at the data version.
func (a *App) settingsAt(ctx context.Context, version cache.Version) (models.Settings, error) {
	return a.caches.settings.Load(ctx, struct{}{}, version, func(ctx context.Context) (models.Settings, error) {
		return models.LoadSettings(ctx, a.db)
	})
}

// riskRightsAt is riskRights with a manager's engagements cached at the data version.
func (a *App) riskRightsAt(c echo.Context, version cache.Version) (models.Rights, error) {
	u := web.CurrentUser(c)
	if u == nil || u.Role != models.RoleManager {
		return a.riskRights(c)
	}
	engs, err := a.caches.managed.Load(c.Request().Context(), u.ID, version, func(ctx context.Context) (map[uint]bool, error) {
		engs, err := models.ManagedEngagements(ctx, a.db, u.ID)
		ids := make(map[uint]bool, len(engs))
		for _, e := range engs {
			ids[e.ID] = true
		}
		return ids, err
	})
	return models.Rights{Editor: true, Engagements: engs}, err
}

// filterChoicesAt fills the options of the filter selects, cached at the data version.
func (a *App) filterChoicesAt(c echo.Context, version cache.Version, p *pages.RisksProps) error {
	o, err := a.caches.choices.Load(c.Request().Context(), p.Scope != nil, version, func(ctx context.Context) (filterOptions, error) {
		o, err := register.LoadRegisterChoices(ctx, a.db, p.Scope == nil, maxEngagementOptions)
		return filterOptions{o.Engagements, o.Vendors, o.Owners}, err
	})
	p.Engagements, p.Vendors, p.Owners = o.engagements, o.vendors, o.owners
	return err
}
