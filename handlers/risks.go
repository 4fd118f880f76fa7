package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/register"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// maxEngagementOptions is the most engagements a filter select lists; past it
// the engagement filter comes from links (engagement and vendor pages) instead.
const maxEngagementOptions = 400

// registerKeys are the query parameters of the register carried in its links.
var registerKeys = []string{"engagement", "vendor", "owner", "category", "status", "band", "kind", "overdue", "appetite", "expired",
	"l", "i", "q", "as_at", "since", "move"}

// riskFilter reads the register's filters from the query, ignoring bad values.
// as_at must be a past day (today or later is the live register); since must
// come before the day the register shows.
func riskFilter(c echo.Context, today models.Date) register.RiskFilter {
	f := register.RiskFilter{
		EngagementID:  uintQuery(c, "engagement"),
		PortfolioWide: c.QueryParam("engagement") == "portfolio",
		VendorID:      uintQuery(c, "vendor"),
		OwnerID:       uintQuery(c, "owner"),
		Category:      oneOf(c.QueryParam("category"), models.RiskCategories...),
		Status:        oneOf(c.QueryParam("status"), append([]string{"all"}, models.RiskStatuses...)...),
		Band:          oneOf(c.QueryParam("band"), models.Bands...),
		BandKind:      oneOf(c.QueryParam("kind"), "residual", "inherent"),
		Overdue:       c.QueryParam("overdue") == "1",
		OutOfAppetite: c.QueryParam("appetite") == "out",
		Expired:       c.QueryParam("expired") == "1",
		Q:             c.QueryParam("q"),
		Sort:          c.QueryParam("sort"),
		Dir:           dirParam(c),
		Page:          pageParam(c),
		PerPage:       50,
		After:         uintQuery(c, "after"),
		Before:        uintQuery(c, "before"),
	}
	if f.BandKind == "" {
		f.BandKind = "residual"
	}
	if _, ok := register.RiskSorts[f.Sort]; !ok {
		f.Sort = ""
	}
	l, i := int(uintQuery(c, "l")), int(uintQuery(c, "i"))
	if models.ValidLevel(l) && models.ValidLevel(i) {
		f.Likelihood, f.Impact = l, i
	}
	if d, err := models.ParseDate(c.QueryParam("as_at")); err == nil && d.Before(today) && d.Year() >= 1990 {
		f.AsAt = d
	}
	to := today
	if !f.AsAt.IsZero() {
		to = f.AsAt
	}
	// Movement since a date marks the rows; only ?move= filters them.
	if since := sinceParam(c, to); !since.IsZero() {
		if f.MoveKind = oneOf(c.QueryParam("move"), register.MoveKinds...); f.MoveKind != "" {
			f.MovedSince = since
		}
	}
	return f
}

// sinceParam is ?since= when it is a day before to, else the zero date.
func sinceParam(c echo.Context, to models.Date) models.Date {
	if d, err := models.ParseDate(c.QueryParam("since")); err == nil && d.Before(to) && d.Year() >= 1990 {
		return d
	}
	return models.Date{}
}

// riskRights says which risks the signed-in user may change.
func (a *App) riskRights(c echo.Context) (models.Rights, error) {
	u := web.CurrentUser(c)
	switch {
	case u == nil || u.Role == models.RoleExecutive:
		return models.Rights{}, nil
	case u.Role == models.RoleAdmin:
		return models.Rights{Admin: true, Editor: true}, nil
	}
	engs, err := models.ManagedEngagements(c.Request().Context(), a.db, u.ID)
	if err != nil {
		return models.Rights{}, err
	}
	rt := models.Rights{Editor: u.Role == models.RoleManager, Engagements: map[uint]bool{}}
	for _, e := range engs {
		rt.Engagements[e.ID] = true
	}
	return rt, nil
}

// risks is the portfolio-wide register. Route: risks.index; an htmx request gets
// the #risk-register partial (heat maps, movement, table, pager). ?as_at= shows
// it as it stood at the end of a past day (read-only); ?since= marks movement.
// ?after=ID and ?before=ID page on from a row (keyset: as quick at page 3,000
// as at page 1); ?page=N alone counts from the nearer end.
func (a *App) risks(c echo.Context) error { return a.register(c, nil) }

// engagementRisks is one engagement's register: the same page scoped to it.
// Route: risks.engagement; an htmx request gets the #risk-register partial.
func (a *App) engagementRisks(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	e, err := models.EngagementByID(c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	return a.register(c, &e)
}

// register renders the register, of scope's engagement when scope is set.
func (a *App) register(c echo.Context, scope *models.Engagement) error {
	ctx := c.Request().Context()
	// Read before anything it guards (risks_cache.go).
	version, err := a.DataVersion(c)
	if err != nil {
		return err
	}
	today := a.today()
	f := riskFilter(c, today)
	base := "/risks"
	keys := registerKeys
	if scope != nil {
		f.EngagementID, f.PortfolioWide = scope.ID, false
		base = fmt.Sprintf("/engagements/%d/risks", scope.ID)
		keys = keys[1:]
	}
	// The day the register shows: overdue reviews are judged on it.
	day := today
	if !f.AsAt.IsZero() {
		day = f.AsAt
	}
	title := "Risk register"
	if scope != nil {
		title += " · " + scope.Code
	}
	bk, cacheable := a.registerBodyKey(c, f, day)
	if cacheable {
		body, err := a.caches.bodies.Load(ctx, bk, version, func(ctx context.Context) (*web.Body, error) {
			p, err := a.registerProps(ctx, c, version, f, day, scope, base, keys)
			if err != nil {
				return nil, err
			}
			return renderRegisterBody(ctx, bk, p)
		})
		if err != nil {
			return err
		}
		return registerAnswer(c, bk, title, body)
	}
	p, err := a.registerProps(ctx, c, version, f, day, scope, base, keys)
	if err != nil {
		return err
	}
	p.Chrome = web.Chrome(c, title, "risks")
	return web.Render(c, http.StatusOK, pages.Risks(p), pages.RiskRegister(p))
}

// risk shows one risk with its mitigation actions and its history (the risk's
// and its actions'). Route: risks.show.
func (a *App) risk(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := a.riskPage(c, id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.RiskPage(p), nil)
}

// riskPage gathers a risk page's props.
func (a *App) riskPage(c echo.Context, id uint) (pages.RiskProps, error) {
	s, err := a.settings(c)
	if err != nil {
		return pages.RiskProps{}, err
	}
	ctx := c.Request().Context()
	p := pages.RiskProps{Risk: s.Risk, Today: a.today()}
	if p.R, err = models.First[models.Risk](ctx, a.db, id, "Engagement", "Owner"); err != nil {
		return p, err
	}
	if p.History, err = models.RiskHistory(ctx, a.db, id); err != nil {
		return p, err
	}
	if p.Actions, err = models.MitigationsOf(ctx, a.db, id); err != nil {
		return p, err
	}
	rights, err := a.riskRights(c)
	if err != nil {
		return p, err
	}
	p.CanEdit = rights.May(p.R.EngagementID)
	if p.CanEdit {
		if p.Owners, err = a.ownerOptions(c); err != nil {
			return p, err
		}
		p.ActionShown = map[uint]string{}
		for _, m := range p.Actions {
			p.ActionShown[m.ID] = web.EncodeShown(pages.ActionValuesOf(m))
		}
	}
	p.Chrome = web.Chrome(c, p.R.Ref+" "+p.R.Title, "risks")
	return p, nil
}

// ownerOptions lists the users a risk or action can be given to.
func (a *App) ownerOptions(c echo.Context) ([]components.Option, error) {
	us, err := models.RiskOwnerChoices(c.Request().Context(), a.db)
	if err != nil {
		return nil, err
	}
	out := make([]components.Option, len(us))
	for i, u := range us {
		out[i] = components.Option{Value: fmt.Sprint(u.ID), Label: u.Name}
	}
	return out, nil
}

// registerProps loads what the register shows: the settings, the filter's
// tally and page, the user's rights, what moved and, for the whole page, the
// options of the filter selects, each cached at the data version where it can
// be.
func (a *App) registerProps(ctx context.Context, c echo.Context, version cache.Version, f register.RiskFilter, day models.Date,
	scope *models.Engagement, base string, keys []string) (pages.RisksProps, error) {
	var p pages.RisksProps
	s, err := a.settingsAt(ctx, version)
	if err != nil {
		return p, err
	}
	tally, err := a.caches.register.Tally(ctx, a.db, version, s.Risk, day, f)
	if err != nil {
		return p, err
	}
	page, err := a.caches.register.Page(ctx, a.db, version, s.Risk, day, f, tally.Total)
	if err != nil {
		return p, err
	}
	rows := page.Rows
	p = pages.RisksProps{
		Query:  listQuery(c, base, "#risk-register", keys...),
		Filter: f, Rows: rows, Total: tally.Total, Page: page, Risk: s.Risk, Today: day,
		Inherent: tally.Inherent, Residual: tally.Residual,
		Base: base, Scope: scope, AsAt: f.AsAt, Since: sinceParam(c, day), Markup: a.caches.markup,
	}
	// Back links (after a quick action) return to this very page.
	p.Here = listQuery(c, base, "", append(slices.Clone(keys), "after", "before")...).URL()
	if p.Rights, err = a.riskRightsAt(c, version); err != nil {
		return p, err
	}
	if !p.Since.IsZero() {
		if p.MoveCounts, err = a.caches.register.MovementCounts(ctx, a.db, version, p.Since, day, f); err != nil {
			return p, err
		}
		ids := make([]uint, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		if p.Moves, err = register.MovesOf(ctx, a.db, p.Since, day, f, ids); err != nil {
			return p, err
		}
	}
	if !web.IsHTMX(c) || web.IsBoosted(c) { // the whole page, with its filter selects
		if err := a.filterChoicesAt(c, version, &p); err != nil {
			return p, err
		}
	}
	return p, nil
}
