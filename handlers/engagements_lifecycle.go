package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
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
	p.Shown = web.EncodeShown(lifecycleState(p.E, p.Moves))
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

// lifecycleState is an engagement's lifecycle as its forms count it shown:
// the phase, the date of the last move and the closing date ("" while open).
func lifecycleState(e models.Engagement, moves []models.PhaseChange) pages.LifecycleValues {
	v := pages.LifecycleValues{To: e.Phase, CloseOn: e.ClosedOn.String(), Version: strconv.Itoa(e.Version)}
	if n := len(moves); n > 0 {
		v.On = moves[n-1].ChangedOn.String()
	}
	return v
}

// lifecycleChange is one of the lifecycle forms: move, close or reopen.
type lifecycleChange struct {
	// check parses the form's values into ch and gives the write that makes
	// the change to an engagement at a version.
	check func(v pages.LifecycleValues, ch web.Checker) func(w models.Actor, id uint, version int) error
	// made reports that the engagement holds the change already (someone
	// else made the same one meanwhile).
	made func(v, now pages.LifecycleValues) bool
	done string // the flash of a success, a sentence
}

// lifecycleWrite runs one lifecycle change through the cycle of every edit
// form (web.SaveEdit): a broken rule → 422; a form rendered before someone else
// changed the engagement is merged field by field (a change of its details
// does not stop a move), the flash naming whose change, and a change someone
// else made already is not made twice; where both changed the same field
// (the phase, the move's date, the closing date) → 409 with just those
// fields. Success → flash and redirect to the engagement; refusals get the
// #lifecycle-forms partial for htmx (the whole page without), the user's
// choice kept.
func (a *App) lifecycleWrite(c echo.Context, mine pages.LifecycleValues, change lifecycleChange) error {
	if _, err := strconv.Atoi(strings.TrimSpace(mine.Version)); err != nil {
		return web.BadRequest("The form has no version; reload the page and try again.")
	}
	var p pages.LifecycleProps
	var now pages.LifecycleValues
	posted, _ := c.FormParams()
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.LifecycleValues]{
		Load: func() (pages.LifecycleValues, int, error) {
			var err error
			if p, err = a.lifecycleProps(c); err != nil {
				return now, 0, err
			}
			now = lifecycleState(p.E, p.Moves)
			return now, p.E.Version, nil
		},
		Save: func(v pages.LifecycleValues, version int) (map[string]string, error) {
			ch := web.Checker{}
			write := change.check(v, ch)
			if !ch.OK() {
				return ch, nil
			}
			if strings.TrimSpace(mine.Version) != strconv.Itoa(version) && change.made(v, now) {
				return nil, nil // merged with the very same change: nothing is left to write
			}
			w, err := a.engagementWrite(c)
			if err != nil {
				return nil, err
			}
			err = write(w, p.E.ID, version)
			if re, ok := models.IsRuleError(err); ok {
				return map[string]string{re.Field: re.Msg}, nil
			}
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.LifecycleValues]) error {
			// The forms not posted keep what the page proposes; the posted one
			// holds the user's input (the phase they are in is no choice).
			if _, ok := posted["to"]; ok && st.Values.To != p.E.Phase {
				p.V.To = st.Values.To
			}
			if _, ok := posted["on"]; ok {
				p.V.On = st.Values.On
			}
			if v := st.Values.CloseOn; v != "" {
				if _, ok := posted["close_on"]; ok {
					p.V.CloseOn = v
				}
			}
			p.V.Version, p.Shown, p.Errors = strconv.Itoa(st.Version), st.Shown, st.Errors
			if p.Errors == nil {
				p.Errors = map[string]string{}
			}
			if status == http.StatusConflict {
				p.ConflictBy = st.ConflictBy
				for _, f := range st.Conflicts {
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: lifecycleText(f.Name, f.Yours), Current: lifecycleText(f.Name, f.Stored)})
				}
			}
			return web.Render(c, status, pages.EngagementLifecycle(p), pages.LifecycleForms(p))
		},
		Saved: func(merged string) error {
			msg := web.Merged(change.done, merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d", p.E.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, "engagement", p.E.ID) },
	})
}

// lifecycleText is a lifecycle field's value as a 409 lists it.
func lifecycleText(field, v string) string {
	if d, err := models.ParseDate(v); err == nil && (field == "on" || field == "close_on") {
		return d.Human()
	}
	switch {
	case v != "":
		return v
	case field == "close_on":
		return "not closed"
	}
	return "none"
}

// moveEngagement moves an engagement to another phase on a date. Route: engagements.move.
func (a *App) moveEngagement(c echo.Context) error {
	mine := pages.LifecycleValues{To: c.FormValue("to"), On: c.FormValue("on"), Version: c.FormValue("version")}
	to := strings.TrimSpace(mine.To)
	return a.lifecycleWrite(c, mine, lifecycleChange{
		done: "Moved to " + to + ".",
		check: func(v pages.LifecycleValues, ch web.Checker) func(models.Actor, uint, int) error {
			to, on := ch.Text("to", v.To, true, 40), ch.Date("on", v.On, true)
			return func(w models.Actor, id uint, version int) error {
				return models.MovePhase(c.Request().Context(), a.db, w, id, version, to, on)
			}
		},
		made: func(v, now pages.LifecycleValues) bool {
			return strings.TrimSpace(v.To) == now.To && strings.TrimSpace(v.On) == now.On
		},
	})
}

// closeEngagement closes an engagement on a date. Route: engagements.close.
func (a *App) closeEngagement(c echo.Context) error {
	mine := pages.LifecycleValues{CloseOn: c.FormValue("close_on"), Version: c.FormValue("version")}
	return a.lifecycleWrite(c, mine, lifecycleChange{
		done: "Engagement closed; it stays in the lists and past quarters.",
		check: func(v pages.LifecycleValues, ch web.Checker) func(models.Actor, uint, int) error {
			on := ch.Date("close_on", v.CloseOn, true)
			return func(w models.Actor, id uint, version int) error {
				err := models.CloseEngagement(c.Request().Context(), a.db, w, id, version, on)
				if re, ok := models.IsRuleError(err); ok && re.Field == "on" {
					re.Field = "close_on"
				}
				return err
			}
		},
		made: func(v, now pages.LifecycleValues) bool { return strings.TrimSpace(v.CloseOn) == now.CloseOn },
	})
}

// reopenEngagement undoes a closure. Route: engagements.reopen. Its form
// posts an empty closing date, the change it makes, so that a merge sees it.
func (a *App) reopenEngagement(c echo.Context) error {
	mine := pages.LifecycleValues{CloseOn: c.FormValue("close_on"), Version: c.FormValue("version")}
	return a.lifecycleWrite(c, mine, lifecycleChange{
		done: "Engagement reopened.",
		check: func(pages.LifecycleValues, web.Checker) func(models.Actor, uint, int) error {
			return func(w models.Actor, id uint, version int) error {
				return models.ReopenEngagement(c.Request().Context(), a.db, w, id, version)
			}
		},
		made: func(_, now pages.LifecycleValues) bool { return now.CloseOn == "" },
	})
}
