package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// botEngagementFromPath loads the path's engagement; only BOT programmes have a
// transfer checklist, so any other is not found here.
func (a *App) botEngagementFromPath(c echo.Context) (models.Engagement, error) {
	e, err := a.engagementFromPath(c)
	if err == nil && !e.IsBOT() {
		err = echo.NewHTTPError(http.StatusNotFound, e.Code+" is an ITO engagement: only BOT programmes have a transfer checklist.")
	}
	return e, err
}

// readinessProps loads the checklist and gates of a BOT engagement.
func (a *App) readinessProps(c echo.Context, e models.Engagement) (pages.ReadinessProps, error) {
	ctx := c.Request().Context()
	p := pages.ReadinessProps{Chrome: web.Chrome(c, "Transfer readiness · "+e.Name, "transfers"), E: e, Today: a.today(),
		Values: map[uint]pages.ReadinessValues{}, Errors: map[uint]map[string]string{}, Shown: map[uint]string{}}
	var err error
	if p.CanEdit, err = a.canEdit(c, &e.ID); err != nil {
		return p, err
	}
	if p.Items, err = models.ListReadiness(ctx, a.db, e.ID); err != nil {
		return p, err
	}
	if p.CanEdit {
		for _, it := range p.Items {
			p.Shown[it.ID] = web.EncodeShown(pages.ReadinessItemValues(it))
		}
	}
	p.Gates, err = models.ListGates(ctx, a.db, e.ID)
	return p, err
}

// readiness shows a BOT engagement's transfer checklist (editable inline by its
// managers) and its go/no-go decisions. Route: readiness.index.
func (a *App) readiness(c echo.Context) error {
	e, err := a.botEngagementFromPath(c)
	if err != nil {
		return err
	}
	p, err := a.readinessProps(c, e)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Readiness(p), pages.ReadinessChecklist(p))
}

// readinessCreate gives a BOT engagement that has none the default checklist.
// Route: readiness.create; redirects to the checklist.
func (a *App) readinessCreate(c echo.Context) error {
	e, err := a.botEngagementFromPath(c)
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
	items, err := models.CreateDefaultChecklist(c.Request().Context(), a.db, w, e.ID)
	switch {
	case errors.Is(err, models.ErrChecklistExists):
		web.AddFlash(c, "info", "This engagement already has its checklist.")
	case err != nil:
		return err
	default:
		web.AddFlash(c, "success", fmt.Sprintf("Default checklist created: %d areas, weighted to 100, all not started.", len(items)))
	}
	return web.Redirect(c, fmt.Sprintf("/engagements/%d/readiness", e.ID))
}

// validEvidence checks an evidence link: empty, or an absolute http(s) address.
func validEvidence(ch web.Checker, field, v string) string {
	v = ch.Text(field, v, false, 500)
	if v == "" {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " \t\r\n") {
		ch.Add(field, "Enter a web address starting with https:// (or http://), or leave it empty.")
	}
	return v
}

// readinessUpdate saves one checklist item. Route: readiness.update. The
// cycle of every edit form (web.SaveEdit): invalid → 422 with the item's
// errors; a form rendered before someone else saved the item is merged field by
// field, the status line or flash naming whose change; where both changed the
// same field, 409 with just those fields beside the item. An htmx request gets
// the #readiness-checklist partial (with the new total on success); a plain
// post is redirected to the checklist, or answered with the page on 422/409.
func (a *App) readinessUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	it, err := models.First[models.ReadinessItem](ctx, a.db, id)
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
	key := func(f string) string { return fmt.Sprintf("rd-%d-%s", it.ID, f) }
	var saved models.ReadinessItem
	render := func(status int, p pages.ReadinessProps) error {
		return web.Render(c, status, pages.Readiness(p), pages.ReadinessChecklist(p))
	}
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.ReadinessValues]{
		Load: func() (pages.ReadinessValues, int, error) {
			var err error
			it, err = models.First[models.ReadinessItem](ctx, a.db, it.ID)
			return pages.ReadinessItemValues(it), it.Version, err
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
			_, err = models.UpdateReadinessItem(ctx, a.db, w, it.ID, version, next)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.ReadinessValues]) error {
			p, err := a.readinessProps(c, e)
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
				return web.Redirect(c, fmt.Sprintf("/engagements/%d/readiness#rd-%d", e.ID, it.ID))
			}
			p, err := a.readinessProps(c, e)
			if err != nil {
				return err
			}
			p.Saved = msg
			return render(http.StatusOK, p)
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.EntityReadinessItem, it.ID) },
	})
}

func statusLabel(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	return models.ReadinessStatusLabel(n)
}

// checkItem reads a checklist item's form (a BOT transfer's or an ITO exit's,
// which share their rule): weight, status, owner and evidence link, each
// objection keyed by key.
func checkItem(ch web.Checker, key func(string) string, v pages.ReadinessValues) (weight, status int, owner, evidence string) {
	return ch.Int(key("weight"), v.Weight, 0, 100), ch.Int(key("status"), v.Status, models.ReadinessNotStarted, models.ReadinessDone),
		ch.Text(key("owner"), v.Owner, false, 120), validEvidence(ch, key("evidence"), v.Evidence)
}

// itemConflicts are a checklist item's fields both people changed, statuses in words.
func itemConflicts(fields []web.ConflictField) []components.ConflictRow {
	var out []components.ConflictRow
	for _, f := range fields {
		if f.Name == "status" {
			f.Yours, f.Stored = statusLabel(f.Yours), statusLabel(f.Stored)
		}
		out = append(out, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
	}
	return out
}
