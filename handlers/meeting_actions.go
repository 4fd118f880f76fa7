package handlers

// The actions agreed at governance meetings: added on the meeting's page,
// marked done or dropped there in place, edited on their own page; and the
// portfolio's open actions, the longest overdue first, with their export.

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// meetingActionForm is an action agreed at a meeting, as typed.
type meetingActionForm struct {
	Action        string `form:"action" label:"Action"`
	Owner         string `form:"owner" label:"Owner"`
	Due           string `form:"due" label:"Due"`
	Status        string `form:"status" label:"Status"`
	DroppedReason string `form:"dropped_reason" label:"Why it was dropped"`
	Version       string
}

// meetingActionValues are a stored action as the form shows it.
func meetingActionValues(x models.MeetingAction) meetingActionForm {
	return meetingActionForm{Action: x.Action, Owner: x.Owner, Due: x.Due.String(), Status: x.Status, DroppedReason: x.DroppedReason,
		Version: strconv.Itoa(x.Version)}
}

// readMeetingActionForm reads the posted form over the stored values: the buttons
// that mark an action done or drop it post its status (and reason) alone.
func readMeetingActionForm(c echo.Context, stored meetingActionForm) meetingActionForm {
	f := stored
	posted, _ := c.FormParams()
	for name, dst := range map[string]*string{"action": &f.Action, "owner": &f.Owner, "due": &f.Due, "status": &f.Status, "dropped_reason": &f.DroppedReason} {
		if _, ok := posted[name]; ok {
			*dst = posted.Get(name)
		}
	}
	f.Version = c.FormValue("version")
	return f
}

// validate parses the form; the domain checks the rest (a reason to drop it,
// a due date on or after the meeting).
func (f meetingActionForm) validate() (models.MeetingAction, web.Checker) {
	ck := web.Checker{}
	x := models.MeetingAction{Action: ck.Text("action", f.Action, true, models.MaxAction), Owner: ck.Text("owner", f.Owner, true, models.MaxOwner),
		Due: ck.Date("due", f.Due, true), Status: ck.OneOf("status", f.Status, models.ActionStatuses),
		DroppedReason: ck.Text("dropped_reason", f.DroppedReason, false, models.MaxReason)}
	return x, ck
}

// meetingActionFormProps are an action form's fields of st's values; frozen marks
// a refusal for a published quarter, locked the fields that quarter freezes
// (its status may still change), and withStatus adds the status and reason.
func meetingActionFormProps(c echo.Context, url, submit string, st web.EditState[meetingActionForm], frozen bool, locked string, withStatus bool) pages.ActionFormProps {
	v, errs := st.Values, st.Errors
	lock := templAttrs(locked != "")
	p := pages.ActionFormProps{URL: url, CSRF: web.CSRFToken(c), Submit: submit, Errors: errs, Version: strconv.Itoa(st.Version), Shown: st.Shown,
		Frozen: frozen, Locked: locked, ConflictBy: st.ConflictBy, WithStatus: withStatus,
		Fields: map[string]components.Field{
			"action": {Name: "action", Label: "Action", Value: v.Action, Error: errs["action"], Required: true, Attrs: lock},
			"owner":  {Name: "owner", Label: "Owner", Value: v.Owner, Error: errs["owner"], Required: true, Attrs: lock},
			"due":    {Name: "due", Label: "Due", Type: "date", Value: v.Due, Error: errs["due"], Required: true, Attrs: lock},
			"status": {Name: "status", Label: "Status", Type: "select", Value: v.Status, Error: errs["status"], Required: true,
				Options: []components.Option{{Value: models.ActionOpen, Label: "Open"}, {Value: models.ActionDone, Label: "Done"}, {Value: models.ActionDropped, Label: "Dropped"}}},
			"dropped_reason": {Name: "dropped_reason", Label: "Why it was dropped", Type: "textarea", Value: v.DroppedReason, Error: errs["dropped_reason"],
				Hint: "Needed when dropped: nothing is deleted, so the pack says why."},
		}}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	return p
}

// templAttrs makes a field read-only when on.
func templAttrs(on bool) map[string]any {
	if on {
		return map[string]any{"readonly": true}
	}
	return nil
}

// meetingActionCreate adds an action to a meeting through the forms'
// cycle: 422 with the input kept, 409 for a published quarter. Route:
// meetings.actions.create.
func (a *App) meetingActionCreate(c echo.Context) error {
	m, e, err := a.meetingTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	act, err := a.actor(c)
	if err != nil {
		return err
	}
	var mine meetingActionForm
	web.ReadForm(c, &mine)
	mine.Status = models.ActionOpen
	frozen := false
	return web.SaveNew(c, mine, web.EditForm[meetingActionForm]{
		Save: func(v meetingActionForm, _ int) (map[string]string, error) {
			x, ck := v.validate()
			if !ck.OK() {
				return ck, nil
			}
			return refusedAsFrozen(models.AddMeetingAction(c.Request().Context(), a.db, act, m.ID, x), "", &frozen)
		},
		Render: func(status int, st web.EditState[meetingActionForm]) error {
			if frozen {
				status = http.StatusConflict
			}
			f := meetingValues(m)
			return a.renderMeeting(c, status, m, e, meetingPage{form: web.EditState[meetingForm]{Values: f, Version: m.Version, Shown: web.EncodeShown(f)},
				add: st, addFrozen: frozen, adding: true})
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Action added: "+mine.Action+".")
			return web.Redirect(c, fmt.Sprintf("/meetings/%d#actions", m.ID))
		},
	})
}

// actionTarget reads the meeting and the action of the path (404 unless the
// action was agreed at that meeting) and the engagement.
func (a *App) actionTarget(c echo.Context) (models.MeetingAction, models.Meeting, models.Engagement, error) {
	m, e, err := a.meetingTarget(c)
	if err != nil {
		return models.MeetingAction{}, m, e, err
	}
	aid, err := idParam(c, "aid")
	if err != nil {
		return models.MeetingAction{}, m, e, err
	}
	x, err := models.MeetingActionByID(c.Request().Context(), a.db, aid)
	if err == nil && x.MeetingID != m.ID {
		err = web.ErrNotFound
	}
	return x, m, e, err
}

// meetingActionEdit shows an action's form and history to an admin or a
// manager of its engagement. Route: meetings.actions.edit.
func (a *App) meetingActionEdit(c echo.Context) error {
	x, m, e, err := a.actionTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	f := meetingActionValues(x)
	return a.renderMeetingAction(c, http.StatusOK, x, m, e, web.EditState[meetingActionForm]{Values: f, Version: x.Version, Shown: web.EncodeShown(f)}, false)
}

// renderMeetingAction renders an action's page with its form of st's values.
func (a *App) renderMeetingAction(c echo.Context, status int, x models.MeetingAction, m models.Meeting, e models.Engagement,
	st web.EditState[meetingActionForm], frozen bool) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	locked, err := a.meetingFrozen(c, s, m)
	if err != nil {
		return err
	}
	p := pages.MeetingActionProps{Engagement: e, Meeting: m, Action: x, Today: a.today()}
	if p.History, err = models.HistoryOf(c.Request().Context(), a.db, models.MeetingActionEntity, x.ID); err != nil {
		return err
	}
	p.Form = meetingActionFormProps(c, fmt.Sprintf("/meetings/%d/actions/%d", m.ID, x.ID), "Save the action", st, frozen, locked, true)
	p.Chrome = web.Chrome(c, "Action of "+m.Title(), "engagements")
	return web.Render(c, status, pages.MeetingActionPage(p), pages.ActionForm(p.Form))
}

// meetingActionUpdate saves an action through the edit forms' cycle: its
// edit form, or a button on the meeting's page marking it done, reopening
// it or dropping it with the reason (which post its status alone, merged
// over anything saved meanwhile). 422 and 409 show the action's page with
// the input kept. Route: meetings.actions.update.
func (a *App) meetingActionUpdate(c echo.Context) error {
	x, m, e, err := a.actionTarget(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	act, err := a.actor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	mine := readMeetingActionForm(c, meetingActionValues(x))
	current, frozen, saved := x, false, models.MeetingAction{}
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[meetingActionForm]{
		Load: func() (meetingActionForm, int, error) {
			var err error
			current, err = models.MeetingActionByID(ctx, a.db, x.ID)
			return meetingActionValues(current), current.Version, err
		},
		Save: func(v meetingActionForm, version int) (map[string]string, error) {
			next, ck := v.validate()
			if !ck.OK() {
				return ck, nil
			}
			saved, err = models.SaveMeetingAction(ctx, a.db, act, x.ID, next, version)
			return refusedAsFrozen(err, "", &frozen)
		},
		Render: func(status int, st web.EditState[meetingActionForm]) error {
			if frozen {
				status = http.StatusConflict
			}
			return a.renderMeetingAction(c, status, current, m, e, st, frozen)
		},
		Saved: func(merged string) error {
			msg := "Action saved."
			if saved.Status != current.Status {
				msg = map[string]string{models.ActionDone: "Action marked done.", models.ActionOpen: "Action reopened.",
					models.ActionDropped: "Action dropped."}[saved.Status]
			}
			web.AddFlash(c, "success", web.Merged(msg, merged))
			return web.Redirect(c, fmt.Sprintf("/meetings/%d#actions", m.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.MeetingActionEntity, x.ID) },
	})
}

// actionsMax bounds the open actions' page; the export has every one.
const actionsMax = 500

// openActions lists the portfolio's open actions, the longest overdue
// first. Route: actions.index.
func (a *App) openActions(c echo.Context) error {
	today := a.today()
	rows, counts, err := models.OpenActions(c.Request().Context(), a.db, 0, today, actionsMax)
	if err != nil {
		return err
	}
	p := pages.ActionsProps{Rows: rows, Counts: counts, Today: today, Chrome: web.Chrome(c, "Open actions", "engagements")}
	return web.Render(c, http.StatusOK, pages.Actions(p), nil)
}

// exportActions writes every open action of the portfolio as CSV or XLSX,
// the longest overdue first. Route: actions.export.
func (a *App) exportActions(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "csv" && format != "xlsx" {
		return web.BadRequest("Export as csv or xlsx.")
	}
	today := a.today()
	rows, _, err := models.OpenActions(c.Request().Context(), a.db, 0, today, 0)
	if err != nil {
		return err
	}
	spec := exportSpec{Filename: "open-actions",
		Header: []string{"Code", "Engagement", "Action", "Owner", "Due", "Days overdue", "Agreed at", "Held on"},
		Types:  []cellType{tText, tText, tLong, tText, tDate, tInt, tText, tDate},
		Rows: func(yield func([]string) error) error {
			for _, r := range rows {
				late := ""
				if r.Overdue(today) {
					late = strconv.Itoa(r.Due.DaysUntil(today))
				}
				if err := yield([]string{r.Code, r.Name, r.Action, r.Owner, r.Due.String(), late, models.MeetingKindLabel(r.Kind), r.HeldOn.String()}); err != nil {
					return err
				}
			}
			return nil
		}}
	return a.writeExport(c, format, spec)
}
