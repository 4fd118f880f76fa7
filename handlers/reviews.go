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
	var first models.Date
	if err := a.db.WithContext(c.Request().Context()).Model(&models.CostRecord{}).Select("MIN(month)").Scan(&first).Error; err != nil {
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
	var published []models.PublishedPack
	if err := a.db.WithContext(c.Request().Context()).Where("engagement_id IS NULL").Order("quarter DESC").Find(&published).Error; err != nil {
		return err
	}
	p := pages.ReviewsProps{Chrome: web.Chrome(c, "Quarterly reviews", "reviews"), Quarters: qs, Published: map[string]models.PublishedPack{}}
	for _, pp := range published {
		p.Published[pp.Quarter] = pp
	}
	return web.Render(c, http.StatusOK, pages.Reviews(p), nil)
}

// loadPack returns the quarter's published pack, or a draft computed live:
// of the portfolio, or of engagement only when only is not 0.
// A draft is produced on today.
func (a *App) loadPack(ctx context.Context, s models.Settings, q models.Quarter, only uint, today models.Date) (*models.Pack, error) {
	p, err := models.PublishedPackFor(ctx, a.db, q.String())
	if err != nil || p != nil {
		return p, err
	}
	if only != 0 {
		return models.BuildEngagementPack(ctx, a.db, s, q, today, only)
	}
	return models.BuildPack(ctx, a.db, s, q, today)
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
	rights, err := a.riskRights(c) // the engagements the user may edit, read once (not one query per engagement)
	if err != nil {
		return err
	}
	may := func(id uint) bool { return rights.Admin || rights.Engagements[id] }
	u := web.CurrentUser(c)
	p := pages.ReviewProps{Quarters: qs, Risk: s.Risk, CanPublish: u.Role == models.RoleAdmin, CanEdit: map[uint]bool{}}
	title := "Portfolio review " + q.String()
	if engagementID == 0 && c.QueryParam("part") != "all" {
		kp, err := a.keptPortfolioPack(c, s, q)
		if err != nil {
			return err
		}
		part, err := strconv.Atoi(c.QueryParam("part"))
		if err != nil || part < 1 {
			part = 1
		}
		p.P, p.Kept = kp.head, withCommentaryLinks(kp.parts[min(part, len(kp.parts))-1], q.String(), may)
	} else {
		pack, err := a.loadPack(c.Request().Context(), s, q, engagementID, a.today())
		if err != nil {
			return err
		}
		p.P, p.Part = packPart(pack, engagementID, c.QueryParam("part"))
		for i := range pack.Engagements {
			e := &pack.Engagements[i]
			if engagementID != 0 && e.ID == engagementID {
				p.Only = e
			}
			p.CanEdit[e.ID] = may(e.ID)
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

// publish freezes the quarter's pack. Route: reviews.publish (admin).
func (a *App) publish(c echo.Context) error {
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	if !s.Fiscal().End(q).Before(a.today()) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "A quarter can be published once it has ended.")
	}
	pack, err := models.BuildPack(c.Request().Context(), a.db, s, q, a.today())
	if err != nil {
		return err
	}
	err = models.PublishPack(c.Request().Context(), a.db, pack, *web.CurrentUser(c), a.Now())
	if errors.Is(err, models.ErrStale) {
		return echo.NewHTTPError(http.StatusConflict, q.String()+" is already published; its figures are frozen.")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", q.String()+" published: its figures are now frozen.")
	return web.Redirect(c, "/reviews/"+q.String())
}
