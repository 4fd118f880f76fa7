package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/layouts"
	"portfolio/views/pages"
	"portfolio/web"
)

// What the register reads, kept under the data version read first thing in
// the request (models.DataVersion: moved by every committed write of a table
// the register reads, whichever instance or process wrote): the page itself
// inside the document shell (its body, the same for every user with the same
// rights: drawn into each request's own chrome), and for a page not kept the
// settings, the tally of the filter and the ends of its pages
// (models.RegisterCache), the options of the filter selects and a manager's
// engagements. A request whose version differs from the kept one reads the
// database again; nothing kept is needed for correctness. Keys start with the
// database handle: two apps in one process may serve different databases.

// bodyKey names a kept register body: the request's path and query (filters,
// sort, page or cursor), whether it is the htmx partial, the day (overdue
// reviews), and whose rights it was drawn with (rows a user may act on carry
// quick actions).
type bodyKey struct {
	db     *models.DB
	url    string
	htmx   bool
	today  string
	rights string
}

// registerBodies keeps about a hundred register bodies (~60 KB each).
var registerBodies = models.NewVersionCache[bodyKey, string](128)

// registerBodyKey is the key of the body this request shows, and whether it
// may be kept: not the past (as at a day) nor movement, which replay the
// history and are rarely read twice, nor the body of a user whose rights it
// cannot name.
func (a *App) registerBodyKey(c echo.Context, f models.RiskFilter, day models.Date) (bodyKey, bool) {
	u := web.CurrentUser(c)
	if u == nil || !f.AsAt.IsZero() || !sinceParam(c, day).IsZero() {
		return bodyKey{}, false
	}
	k := bodyKey{db: a.db, url: c.Request().URL.RequestURI(), htmx: web.IsHTMX(c) && !web.IsBoosted(c), today: day.String()}
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

// renderRegisterBody draws the body k names from p: the register's region for
// htmx, else the page inside the shell. p.Chrome is left empty: nothing of the
// user's session (a CSRF token) can be kept for another.
func renderRegisterBody(ctx context.Context, k bodyKey, p pages.RisksProps) (string, error) {
	p.Chrome = layouts.Chrome{}
	c := pages.RisksBody(p)
	if k.htmx {
		c = pages.RiskRegister(p)
	}
	var sb strings.Builder
	sb.Grow(int(bodySize.Load()) + 4<<10) // the last body's size: one allocation, not a dozen doublings
	err := c.Render(ctx, &sb)
	bodySize.Store(int64(sb.Len()))
	return sb.String(), err
}

// bodySize is the size of the register body drawn last.
var bodySize atomic.Int64

// registerAnswer writes a register body, in this request's chrome unless it is
// the htmx partial.
func registerAnswer(c echo.Context, k bodyKey, title, body string) error {
	if k.htmx {
		return web.Render(c, http.StatusOK, templ.Raw(body), templ.Raw(body))
	}
	return web.Render(c, http.StatusOK, layouts.Kept(web.Chrome(c, title, "risks"), body), nil)
}

// registerCache keeps the register's tallies and page ends.
var registerCache = models.NewRegisterCache()

// registerSettings keeps the settings per database handle.
var registerSettings = models.NewVersionCache[*models.DB, models.Settings](8)

// choicesKey names the filter options of a register: the portfolio's or an
// engagement's (which lists no engagements).
type choicesKey struct {
	db     *models.DB
	scoped bool
}

// filterOptions are the options of the register's filter selects.
type filterOptions struct {
	engagements []models.Engagement
	vendors     []models.Vendor
	owners      []models.User
}

var registerChoices = models.NewVersionCache[choicesKey, filterOptions](8)

// rightsKey names the engagements one user manages.
type rightsKey struct {
	db   *models.DB
	user uint
}

var managedEngagements = models.NewVersionCache[rightsKey, map[uint]bool](256)

// settingsAt is the settings at the data version.
func (a *App) settingsAt(ctx context.Context, version int64) (models.Settings, error) {
	if s, ok := registerSettings.Get(a.db, version); ok {
		return s, nil
	}
	s, err := models.LoadSettings(ctx, a.db)
	if err == nil {
		registerSettings.Put(a.db, version, s)
	}
	return s, err
}

// riskRightsAt is riskRights with a manager's engagements kept at the data version.
func (a *App) riskRightsAt(c echo.Context, version int64) (models.Rights, error) {
	u := web.CurrentUser(c)
	if u == nil || u.Role != models.RoleManager {
		return a.riskRights(c)
	}
	k := rightsKey{a.db, u.ID}
	engs, ok := managedEngagements.Get(k, version)
	if !ok {
		rt, err := a.riskRights(c)
		if err != nil {
			return rt, err
		}
		engs = rt.Engagements
		managedEngagements.Put(k, version, engs)
	}
	return models.Rights{Editor: true, Engagements: engs}, nil
}

// filterChoicesAt fills the options of the filter selects, kept at the data version.
func (a *App) filterChoicesAt(c echo.Context, version int64, p *pages.RisksProps) error {
	k := choicesKey{a.db, p.Scope != nil}
	o, ok := registerChoices.Get(k, version)
	if !ok {
		if err := a.filterChoices(c, p); err != nil {
			return err
		}
		registerChoices.Put(k, version, filterOptions{p.Engagements, p.Vendors, p.Owners})
		return nil
	}
	p.Engagements, p.Vendors, p.Owners = o.engagements, o.vendors, o.owners
	return nil
}
