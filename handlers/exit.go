package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// itoEngagementFromPath loads the path's engagement; only ITO contracts have
// an exit checklist, so a BOT programme is not found here, with where its
// transfer checklist is.
func (a *App) itoEngagementFromPath(c echo.Context) (models.Engagement, error) {
	e, err := a.engagementFromPath(c)
	if err == nil && e.Model != models.ModelITO {
		err = echo.NewHTTPError(http.StatusNotFound, e.Code+" is a BOT programme: only ITO contracts have an exit checklist. "+
			"A BOT programme's hand-over is its transfer checklist, under Transfer readiness.")
	}
	return e, err
}

// exitProps loads an ITO engagement's exit checklist.
func (a *App) exitProps(c echo.Context, e models.Engagement) (pages.ExitProps, error) {
	p := pages.ExitProps{Chrome: web.Chrome(c, "Exit readiness · "+e.Name, "engagements"), E: e,
		Values: map[uint]pages.ReadinessValues{}, Errors: map[uint]map[string]string{}, Shown: map[uint]string{}}
	var err error
	if p.CanEdit, err = a.canEdit(c, &e.ID); err != nil {
		return p, err
	}
	if p.Items, err = models.ListExitItems(c.Request().Context(), a.db, e.ID); err != nil {
		return p, err
	}
	if p.CanEdit {
		for _, it := range p.Items {
			p.Shown[it.ID] = web.EncodeShown(pages.ExitItemValues(it))
		}
	}
	return p, nil
}

// exitReadiness shows an ITO engagement's exit checklist, editable inline by
// its managers and administrators. Route: exit.index.
func (a *App) exitReadiness(c echo.Context) error {
	e, err := a.itoEngagementFromPath(c)
	if err != nil {
		return err
	}
	p, err := a.exitProps(c, e)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Exit(p), pages.ExitChecklist(p))
}

// exitCreate gives an ITO engagement that has none the default exit
// checklist. Route: exit.create; redirects to the checklist.
func (a *App) exitCreate(c echo.Context) error {
	e, err := a.itoEngagementFromPath(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	w, err := a.deliveryWrite(c)
	if err != nil {
		return err
	}
	items, err := models.CreateExitChecklist(c.Request().Context(), a.db, w, e.ID)
	switch {
	case errors.Is(err, models.ErrExitChecklistExists):
		web.AddFlash(c, "info", "This engagement already has its exit checklist.")
	case err != nil:
		return err
	default:
		web.AddFlash(c, "success", fmt.Sprintf("Exit checklist created: %d areas, weighted to 100, all not started.", len(items)))
	}
	return web.Redirect(c, fmt.Sprintf("/engagements/%d/exit", e.ID))
}

// exitUpdate saves one exit checklist item. Route: exit.update. The edit
// forms' cycle (web.SaveEdit), as the transfer checklist's: invalid → 422
// with the item's errors and the input kept; a form rendered before someone
// else saved the item is merged field by field, naming whose change; where
// both changed the same field, 409 with just those fields beside the item.
// An htmx request gets the #exit-checklist partial (with the new total on
// success); a plain post is redirected to the checklist, or answered with
// the page on 422/409.
func (a *App) exitUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	it, err := models.First[models.ExitItem](ctx, a.db, id)
	if err != nil {
		return err
	}
	e, err := models.EngagementByID(ctx, a.db, it.EngagementID)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	mine := pages.ReadinessValues{Weight: c.FormValue("weight"), Status: c.FormValue("status"), Owner: c.FormValue("owner"),
		Evidence: c.FormValue("evidence"), Version: c.FormValue("version")}
	if n, err := strconv.Atoi(strings.TrimSpace(mine.Weight)); err == nil {
		mine.Weight = strconv.Itoa(n) // "07" is the weight 7 shown as "7", not a change
	}
	key := func(f string) string { return pages.ExitFieldID(it.ID, f) }
	var saved models.ExitItem
	render := func(status int, p pages.ExitProps) error {
		return web.Render(c, status, pages.Exit(p), pages.ExitChecklist(p))
	}
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.ReadinessValues]{
		Load: func() (pages.ReadinessValues, int, error) {
			var err error
			it, err = models.First[models.ExitItem](ctx, a.db, it.ID)
			return pages.ExitItemValues(it), it.Version, err
		},
		Save: func(v pages.ReadinessValues, version int) (map[string]string, error) {
			ch := web.Checker{}
			next := it
			next.Weight, next.Status, next.Owner, next.Evidence = checkItem(ch, key, v)
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = next
			_, err = models.UpdateExitItem(ctx, a.db, w, it.ID, version, next)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.ReadinessValues]) error {
			p, err := a.exitProps(c, e)
			if err != nil {
				return err
			}
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p.Values[it.ID], p.Errors[it.ID], p.Shown[it.ID] = v, st.Errors, st.Shown
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy, p.Conflict = it.ID, st.ConflictBy, itemConflicts(st.Conflicts)
			}
			return render(status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged(fmt.Sprintf("%s saved: %s.", it.Area, models.ReadinessStatusLabel(saved.Status)), merged)
			if !web.IsHTMX(c) {
				web.AddFlash(c, "success", msg)
				return web.Redirect(c, fmt.Sprintf("/engagements/%d/exit#ex-%d", e.ID, it.ID))
			}
			p, err := a.exitProps(c, e)
			if err != nil {
				return err
			}
			p.Saved = msg
			return render(http.StatusOK, p)
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.EntityExitItem, it.ID) },
	})
}
