package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/pack"
	"portfolio/static"
	"portfolio/views/pages"
	"portfolio/web"
)

// quarterParam reads the :quarter path parameter; a malformed one is not found.
func quarterParam(c echo.Context) (models.Quarter, error) {
	q, err := models.ParseQuarter(c.Param("quarter"))
	if err != nil {
		return q, web.ErrNotFound
	}
	return q, nil
}

// reviewQuarters lists the quarters a pack can be made for, newest first: from the
// first month with cost records to the last complete quarter.
func (a *App) reviewQuarters(c echo.Context, s models.Settings) ([]string, error) {
	first, err := models.FirstCostMonth(c.Request().Context(), a.db)
	if err != nil {
		return nil, err
	}
	f := s.Fiscal()
	last := f.LastComplete(a.today())
	if first.IsZero() {
		return []string{last.String()}, nil
	}
	var out []string
	for q := last; !q.Before(f.QuarterOf(first)); q = q.Prev() {
		out = append(out, q.String())
	}
	return out, nil
}

// reviews lists the quarters with their pack's status. Route: reviews.index.
// ?quarter=2026-Q3 (the chooser's no-JS form) redirects to that pack.
func (a *App) reviews(c echo.Context) error {
	if q := c.QueryParam("quarter"); q != "" {
		if _, err := models.ParseQuarter(q); err != nil {
			return web.BadRequest("Choose a quarter such as 2026-Q3.")
		}
		return c.Redirect(http.StatusSeeOther, "/reviews/"+q)
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	qs, err := a.reviewQuarters(c, s)
	if err != nil {
		return err
	}
	published, err := models.PublishedQuarters(c.Request().Context(), a.db)
	if err != nil {
		return err
	}
	p := pages.ReviewsProps{Chrome: web.Chrome(c, "Quarterly reviews", "reviews"), Quarters: qs, Published: published}
	return web.Render(c, http.StatusOK, pages.Reviews(p), nil)
}

// loadPack returns the quarter's published pack, or a draft computed live:
// of the portfolio, or of engagement only when only is not 0. A draft is
// produced on today; the portfolio's is built in the background when there
// is a yield (portfolioPack).
func (a *App) loadPack(ctx context.Context, s models.Settings, q models.Quarter, only uint, today models.Date, yield models.Yield) (*pack.Pack, error) {
	p, err := pack.PublishedPackFor(ctx, a.db, q.String())
	if err != nil || p != nil {
		return p, err
	}
	switch {
	case only != 0:
		return pack.BuildEngagementPack(ctx, a.db, s, q, today, only)
	case yield != nil:
		return pack.BuildPackInBackground(ctx, a.db, s, q, today, yield)
	}
	return pack.BuildPack(ctx, a.db, s, q, today)
}

// review renders a quarter's portfolio pack. Route: reviews.show (full page; it prints).
func (a *App) review(c echo.Context) error {
	return a.renderPack(c, 0)
}

// engagementReview renders one engagement's pack for a quarter. Route: reviews.engagement.
func (a *App) engagementReview(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.renderPack(c, id)
}

func (a *App) renderPack(c echo.Context, engagementID uint) error {
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	qs, err := a.reviewQuarters(c, s)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	p := pages.ReviewProps{Quarters: qs, Risk: s.Risk, CanPublish: u.Role == models.RoleAdmin}
	if p.Versions, err = pack.PackVersions(c.Request().Context(), a.db, q.String()); err != nil {
		return err
	}
	title := "Portfolio review " + q.String()
	version, _ := strconv.Atoi(c.QueryParam("version"))
	if version > 0 && (len(p.Versions) == 0 || version == p.Versions[len(p.Versions)-1].Version) {
		version = 0 // the latest is the pack itself
	}
	var cached *web.Body // the part of the portfolio's pack shown, when it is cached
	if engagementID == 0 && c.QueryParam("part") != "all" && version == 0 {
		kp, err := a.cachedPortfolioPack(c, s, q)
		if err != nil {
			return err
		}
		part, err := strconv.Atoi(c.QueryParam("part"))
		if err != nil || part < 1 {
			part = 1
		}
		p.P, p.Cached = kp.head, web.Slot
		p.Whole = len(kp.parts) == 1
		cached = kp.parts[min(part, len(kp.parts))-1]
	} else {
		pk, err := a.loadPack(c.Request().Context(), s, q, engagementID, a.today(), nil)
		if version > 0 { // an earlier published version, whole
			pk, err = pack.PublishedPackVersion(c.Request().Context(), a.db, q.String(), version)
			if err == nil && pk == nil {
				return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("%s has no published version %d.", q.String(), version))
			}
			p.Viewing = version
		}
		if err != nil {
			return err
		}
		p.P, p.Part = packPart(pk, engagementID, c.QueryParam("part"))
		p.Whole = p.Part.Parts == 1
		for i := range pk.Engagements {
			if e := &pk.Engagements[i]; engagementID != 0 && e.ID == engagementID {
				p.Only = e
			}
		}
		if engagementID != 0 && p.Only == nil {
			return echo.NewHTTPError(http.StatusNotFound, "That engagement was not live in "+q.String()+".")
		}
		if p.Only != nil {
			title = p.Only.Name + " review " + q.String()
		}
	}
	p.PackCSS = fmt.Sprintf("/reviews/%s/pack.css?on=%s", p.P.Quarter, p.P.ProducedOn)
	p.Chrome = web.Chrome(c, title, "reviews")
	p.Chrome.ExtraCSS = []string{p.PackCSS, static.Path("review.css")}
	if cached != nil {
		return web.RenderAround(c, http.StatusOK, pages.Review(p), cached)
	}
	return web.Render(c, http.StatusOK, pages.Review(p), nil)
}

// packCSS serves the pack's print stylesheet: the running header names the quarter
// and the production date on every printed page (CSS margin boxes cannot read the
// page, and the CSP forbids inline styles, so the sheet is made per pack). Route: reviews.css.
func (a *App) packCSS(c echo.Context) error {
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	on, err := models.ParseDate(c.QueryParam("on"))
	if err != nil {
		on = a.today()
	}
	css := fmt.Sprintf(`@page {
  margin: 18mm 14mm 18mm;
  @top-left { content: "Portfolio review %[1]s"; font: 8pt system-ui, sans-serif; color: #333; }
  @top-right { content: "Confidential · produced %[2]s"; font: 8pt system-ui, sans-serif; color: #333; }
  @bottom-left { content: "Quarter %[1]s"; font: 8pt system-ui, sans-serif; color: #333; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, sans-serif; color: #333; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
`, q, strings.ReplaceAll(on.Human(), `"`, ""))
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(css))
}

// publishConfirm asks before a quarter's pack is frozen, naming the quarter
// and what freezes. Route: reviews.publish.confirm (admin). A published
// quarter goes to its correction page instead.
func (a *App) publishConfirm(c echo.Context) error {
	q, s, err := a.endedQuarter(c)
	if err != nil {
		return err
	}
	versions, err := pack.PackVersions(c.Request().Context(), a.db, q.String())
	if err != nil {
		return err
	}
	if len(versions) > 0 {
		return c.Redirect(http.StatusSeeOther, "/reviews/"+q.String()+"/correct")
	}
	return a.renderPublish(c, http.StatusOK, s, q, nil, "", nil)
}

// correctConfirm shows the form that publishes a correction of a published
// quarter, with its reason. Route: reviews.correct.confirm (admin).
func (a *App) correctConfirm(c echo.Context) error {
	q, s, err := a.endedQuarter(c)
	if err != nil {
		return err
	}
	versions, err := pack.PackVersions(c.Request().Context(), a.db, q.String())
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return c.Redirect(http.StatusSeeOther, "/reviews/"+q.String()+"/publish")
	}
	return a.renderPublish(c, http.StatusOK, s, q, versions, "", nil)
}

// quarterRated refuses (422) to publish a quarter while one of its months has
// cost records in a currency without that month's exchange rate: its figures
// would be frozen at a carried-forward rate.
func (a *App) quarterRated(c echo.Context, s models.Settings, q models.Quarter) error {
	f := s.Fiscal()
	missing, err := models.RatesMissingBetween(c.Request().Context(), a.db, s.Finance.ReportingCurrency, f.Start(q), f.End(q))
	if err != nil || len(missing) == 0 {
		return err
	}
	return echo.NewHTTPError(http.StatusUnprocessableEntity, fmt.Sprintf("%s cannot be published while these months have no exchange rate of their own: %s. "+
		"Their figures are provisional (converted at an earlier month's rate); record the rates under Exchange rates, then publish.", q, strings.Join(missing, ", ")))
}

// endedQuarter reads the quarter of the path and the settings, and refuses a
// quarter that has not ended (422).
func (a *App) endedQuarter(c echo.Context) (models.Quarter, models.Settings, error) {
	q, err := quarterParam(c)
	if err != nil {
		return q, models.Settings{}, err
	}
	s, err := a.settings(c)
	if err != nil {
		return q, s, err
	}
	if !s.Fiscal().End(q).Before(a.today()) {
		return q, s, echo.NewHTTPError(http.StatusUnprocessableEntity, "A quarter can be published once it has ended: "+q.String()+" ends on "+s.Fiscal().End(q).Human()+".")
	}
	return q, s, nil
}

func (a *App) renderPublish(c echo.Context, status int, s models.Settings, q models.Quarter, versions []pack.PackVersion, reason string, errs map[string]string) error {
	kp, err := a.cachedPortfolioPack(c, s, q)
	if err != nil {
		return err
	}
	title := "Publish " + q.String()
	if len(versions) > 0 {
		title = "Publish a correction of " + q.String()
	}
	missing, err := models.RatesMissingBetween(c.Request().Context(), a.db, s.Finance.ReportingCurrency, s.Fiscal().Start(q), s.Fiscal().End(q))
	if err != nil {
		return err
	}
	p := pages.PublishProps{Chrome: web.Chrome(c, title, "reviews"), Quarter: q.String(), Start: s.Fiscal().Start(q), End: s.Fiscal().End(q),
		Engagements: kp.engagements, Versions: versions, Reason: reason, Errors: errs, MissingRates: missing}
	return web.Render(c, status, pages.PublishConfirm(p), nil)
}

// publish freezes the quarter's pack. Route: reviews.publish (admin). It
// publishes only what its confirmation page posts (confirm naming the
// quarter); anything else, such as an old page's one-click button, is sent to
// that page. A quarter published already answers 409.
func (a *App) publish(c echo.Context) error {
	q, s, err := a.endedQuarter(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != q.String() {
		return web.Redirect(c, "/reviews/"+q.String()+"/publish")
	}
	if err := a.quarterRated(c, s, q); err != nil {
		return err
	}
	pk, err := pack.BuildPack(c.Request().Context(), a.db, s, q, a.today())
	if err != nil {
		return err
	}
	err = pack.PublishPack(c.Request().Context(), a.db, pk, *web.CurrentUser(c), a.Now())
	if errors.Is(err, models.ErrStale) {
		return echo.NewHTTPError(http.StatusConflict, q.String()+" is already published; its figures are frozen. Publish a correction to change them.")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", q.String()+" published: its figures are now frozen.")
	return web.Redirect(c, "/reviews/"+q.String())
}

// correct publishes the pack as computed now as the next version of a
// published quarter, with the reason typed. Route: reviews.correct (admin).
// A missing reason answers 422 with the page; a version published by
// someone else since the page was rendered, 409 with the page as it is now.
func (a *App) correct(c echo.Context) error {
	q, s, err := a.endedQuarter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	versions, err := pack.PackVersions(ctx, a.db, q.String())
	if err != nil {
		return err
	}
	if len(versions) == 0 || c.FormValue("confirm") != q.String() {
		return web.Redirect(c, "/reviews/"+q.String()+"/correct")
	}
	if err := a.quarterRated(c, s, q); err != nil {
		return err
	}
	ck := web.Checker{}
	reason := ck.Text("reason", c.FormValue("reason"), true, 1000)
	after, _ := strconv.Atoi(c.FormValue("after"))
	if !ck.OK() {
		return a.renderPublish(c, http.StatusUnprocessableEntity, s, q, versions, c.FormValue("reason"), ck)
	}
	pk, err := pack.BuildPack(ctx, a.db, s, q, a.today())
	if err != nil {
		return err
	}
	err = pack.PublishCorrection(ctx, a.db, pk, *web.CurrentUser(c), a.Now(), after, reason)
	if errors.Is(err, models.ErrStale) {
		if versions, err = pack.PackVersions(ctx, a.db, q.String()); err != nil {
			return err
		}
		last := versions[len(versions)-1]
		errs := map[string]string{"reason": fmt.Sprintf("%s published version %d at %s meanwhile: check it before publishing another.",
			last.PublishedBy, last.Version, last.PublishedAt.UTC().Format("15:04"))}
		return a.renderPublish(c, http.StatusConflict, s, q, versions, c.FormValue("reason"), errs)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("%s version %d published; version %d stays readable.", q.String(), pk.Version, pk.Version-1))
	return web.Redirect(c, "/reviews/"+q.String())
}
