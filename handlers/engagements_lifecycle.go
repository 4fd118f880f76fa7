package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// lifecycleProps loads an engagement with its moves for the lifecycle page.
func (a *App) lifecycleProps(c echo.Context) (pages.LifecycleProps, error) {
	p := pages.LifecycleProps{Errors: map[string]string{}, Users: map[uint]string{}}
	id, err := idParam(c, "id")
	if err != nil {
		return p, err
	}
	ctx := c.Request().Context()
	if p.E, err = models.EngagementByID(ctx, a.db, id); err != nil {
		return p, err
	}
	if p.Moves, p.Users, err = models.PhaseMoves(ctx, a.db, id); err != nil {
		return p, err
	}
	today := a.today().String()
	p.V = pages.LifecycleValues{To: models.NextPhase(p.E.Model, p.E.Phase), On: today, CloseOn: today, Version: strconv.Itoa(p.E.Version)}
	p.IsAdmin = isAdmin(c)
	p.Chrome = web.Chrome(c, "Lifecycle of "+p.E.Name, "engagements")
	return p, nil
}

func isAdmin(c echo.Context) bool {
	u := web.CurrentUser(c)
	return u != nil && u.Role == models.RoleAdmin
}

// engagementLifecycle shows an engagement's moves and, to admins, the forms
// that move, close or reopen it. Route: engagements.lifecycle.
func (a *App) engagementLifecycle(c echo.Context) error {
	p, err := a.lifecycleProps(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.EngagementLifecycle(p), nil)
}

// lifecycleWrite runs one lifecycle change and answers it: a flash and a
// redirect to the engagement on success; the #lifecycle-forms partial (the
// whole page without htmx) with 422 for a broken rule or 409 when the
// engagement changed since the form was loaded, the user's choice kept.
func (a *App) lifecycleWrite(c echo.Context, v pages.LifecycleValues, ch web.Checker, done string,
	write func(w models.Actor, id uint, version int) error) error {
	p, err := a.lifecycleProps(c)
	if err != nil {
		return err
	}
	version, verr := strconv.Atoi(v.Version)
	if verr != nil {
		return web.BadRequest("The form has no version; reload the page and try again.")
	}
	status := http.StatusUnprocessableEntity
	if ch.OK() {
		w, err := a.engagementWrite(c)
		if err != nil {
			return err
		}
		err = write(w, p.E.ID, version)
		switch re, isRule := models.IsRuleError(err); {
		case err == nil:
			web.AddFlash(c, "success", done)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d", p.E.ID))
		case isRule:
			ch.Add(re.Field, re.Msg)
		case errors.Is(err, models.ErrStale):
			status, p.Stale = http.StatusConflict, true
			v.Version = strconv.Itoa(p.E.Version) // p was loaded fresh: submitting again applies to the current state
		default:
			return err
		}
	}
	p.V, p.Errors = v, ch
	return web.Render(c, status, pages.EngagementLifecycle(p), pages.LifecycleForms(p))
}

// moveEngagement moves an engagement to another phase on a date. Route: engagements.move.
func (a *App) moveEngagement(c echo.Context) error {
	v := pages.LifecycleValues{To: c.FormValue("to"), On: c.FormValue("on"), Version: c.FormValue("version"), CloseOn: a.today().String()}
	ch := web.Checker{}
	to := ch.Text("to", v.To, true, 40)
	on := ch.Date("on", v.On, true)
	return a.lifecycleWrite(c, v, ch, "Moved to "+to+".", func(w models.Actor, id uint, version int) error {
		return models.MovePhase(c.Request().Context(), a.db, w, id, version, to, on)
	})
}

// closeEngagement closes an engagement on a date. Route: engagements.close.
func (a *App) closeEngagement(c echo.Context) error {
	v := pages.LifecycleValues{CloseOn: c.FormValue("close_on"), Version: c.FormValue("version"), On: a.today().String()}
	ch := web.Checker{}
	on := ch.Date("close_on", v.CloseOn, true)
	return a.lifecycleWrite(c, v, ch, "Engagement closed; it stays in the lists and past quarters.", func(w models.Actor, id uint, version int) error {
		err := models.CloseEngagement(c.Request().Context(), a.db, w, id, version, on)
		if re, ok := models.IsRuleError(err); ok && re.Field == "on" {
			re.Field = "close_on"
		}
		return err
	})
}

// reopenEngagement undoes a closure. Route: engagements.reopen.
func (a *App) reopenEngagement(c echo.Context) error {
	v := pages.LifecycleValues{Version: c.FormValue("version"), On: a.today().String(), CloseOn: a.today().String()}
	return a.lifecycleWrite(c, v, web.Checker{}, "Engagement reopened.", func(w models.Actor, id uint, version int) error {
		return models.ReopenEngagement(c.Request().Context(), a.db, w, id, version)
	})
}
