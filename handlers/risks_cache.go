package handlers

import (
	"context"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// What the register reads besides its page, kept under the data version read
// first thing in the request (models.DataVersion: moved by every committed
// write of a table the register reads, whichever instance or process wrote):
// the settings, the tally of the filter and the ends of its pages
// (models.RegisterCache), the options of the filter selects and a manager's
// engagements. A request whose version differs from the kept one reads the
// database again; nothing kept is needed for correctness. Keys start with the
// database handle: two apps in one process may serve different databases.

// registerCache keeps the register's tallies and page ends.
var registerCache = models.NewRegisterCache()

// registerSettings keeps the settings per database handle.
var registerSettings = models.NewVersionCache[*gorm.DB, models.Settings](8)

// choicesKey names the filter options of a register: the portfolio's or an
// engagement's (which lists no engagements).
type choicesKey struct {
	db     *gorm.DB
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
	db   *gorm.DB
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
func (a *App) riskRightsAt(c echo.Context, version int64) (pages.RiskRights, error) {
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
	return pages.RiskRights{Editor: true, Engagements: engs}, nil
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
