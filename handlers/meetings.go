package handlers

// Governance meetings: an engagement's list with the form to record one,
// a meeting's page with its edit form, and the exports (meeting_actions.go
// has the actions agreed at them).

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

// meetingForm is a meeting as typed.
type meetingForm struct {
	Kind      string `form:"kind" label:"Kind of meeting"`
	HeldOn    string `form:"held_on" label:"Held on"`
	Attendees string `form:"attendees" label:"Attendees"`
	Decisions string `form:"decisions" label:"Decisions"`
	Version   string
}

// newActionRows is how many actions the form records with a meeting; more
// are added on the meeting's page.
const newActionRows = 3

// actionTyped is one action row of the form recording a meeting.
type actionTyped struct{ Action, Owner, Due string }

// meetingValues are a stored meeting as the form shows it.
func meetingValues(m models.Meeting) meetingForm {
	return meetingForm{Kind: m.Kind, HeldOn: m.HeldOn.String(), Attendees: m.Attendees, Decisions: m.Decisions, Version: strconv.Itoa(m.Version)}
}

// validate parses the form; the domain checks the rest (models.Meeting's problems).
func (f meetingForm) validate(engagementID uint) (models.Meeting, web.Checker) {
	ck := web.Checker{}
	m := models.Meeting{EngagementID: engagementID, Kind: ck.OneOf("kind", f.Kind, models.MeetingKinds), HeldOn: ck.Date("held_on", f.HeldOn, true),
		Attendees: ck.Text("attendees", f.Attendees, true, models.MaxAttendees), Decisions: ck.Text("decisions", f.Decisions, false, models.MaxDecisions)}
	return m, ck
}

// readNewActions reads the action rows of the form recording a meeting.
func readNewActions(c echo.Context) []actionTyped {
	out := make([]actionTyped, newActionRows)
	for i := range out {
		n := strconv.Itoa(i + 1)
		out[i] = actionTyped{c.FormValue("action_" + n), c.FormValue("owner_" + n), c.FormValue("due_" + n)}
	}
	return out
}

// parseNewActions parses the rows typed into (a blank row is none).
func parseNewActions(rows []actionTyped, ck web.Checker) []models.MeetingAction {
	var out []models.MeetingAction
	for i, r := range rows {
		if r.Action == "" && r.Owner == "" && r.Due == "" {
			continue
		}
		n := strconv.Itoa(i + 1)
		out = append(out, models.MeetingAction{Action: ck.Text("action_"+n, r.Action, true, models.MaxAction),
			Owner: ck.Text("owner_"+n, r.Owner, true, models.MaxOwner), Due: ck.Date("due_"+n, r.Due, true), Row: i + 1})
	}
	return out
}

// actor is who writes, when, by which settings: the signed-in user, now.
func (a *App) actor(c echo.Context) (models.Actor, error) {
	s, err := a.settings(c)
	return models.Actor{UserID: userID(c), At: a.Now(), Today: a.today(), Settings: s}, err
}

// frozenText says why a meeting of a published quarter cannot change.
func frozenText(quarter string) string {
	return quarter + " is published: its meetings, their decisions and actions are frozen with its pack. An action's status can still be brought up to date."
}

// meetingFrozen is frozenText for the meeting's quarter if it is published, or "".
func (a *App) meetingFrozen(c echo.Context, s models.Settings, m models.Meeting) (string, error) {
	q := m.Quarter(s.Fiscal()).String()
	published, err := models.QuarterPublished(c.Request().Context(), a.db, q)
	if err != nil || !published {
		return "", err
	}
	return frozenText(q), nil
}

// refusedAsFrozen turns a write refused for a published quarter into the
// form's message ("_form", said above the form, which is shown again with a
// 409), with dated's message beside the date that put it there, if given.
func refusedAsFrozen(err error, dated string, frozen *bool) (map[string]string, error) {
	q, ok := models.IsPublishedQuarter(err)
	if !ok {
		return nil, err
	}
	*frozen = true
	errs := map[string]string{"_form": frozenText(q) + " Nothing was saved."}
	if dated != "" {
		errs[dated] = "Held in " + q + ", whose pack is published: no meeting can be recorded in it any more."
	}
	return errs, nil
}

// engagementOfPath reads the engagement of the path's :id.
func (a *App) engagementOfPath(c echo.Context) (models.Engagement, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, err
	}
	return models.EngagementByID(c.Request().Context(), a.db, id)
}

// meetingsShown is how many meetings the engagement's list shows before ?all=1.
const meetingsShown = 25

// meetings lists an engagement's meetings, the latest first, with its open
// actions, and the form to record one for an admin or a manager of the
// engagement. Route: meetings.index.
func (a *App) meetings(c echo.Context) error {
	e, err := a.engagementOfPath(c)
	if err != nil {
		return err
	}
	f := meetingForm{Kind: models.MeetingSteering, HeldOn: a.today().String()}
	last, ok, err := models.LastMeeting(c.Request().Context(), a.db, e.ID)
	if err != nil {
		return err
	}
	if ok { // the same people meet again, mostly
		f.Attendees = last.Attendees
	}
	return a.renderMeetings(c, http.StatusOK, e, web.EditState[meetingForm]{Values: f}, make([]actionTyped, newActionRows), false)
}

// renderMeetings renders the list page with the record form of st's values.
func (a *App) renderMeetings(c echo.Context, status int, e models.Engagement, st web.EditState[meetingForm], rows []actionTyped, frozen bool) error {
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	today := a.today()
	p := pages.MeetingsProps{Engagement: e, Today: today, Fiscal: s.Fiscal(), Editable: may, ShowAll: c.QueryParam("all") == "1"}
	limit := meetingsShown
	if p.ShowAll {
		limit = 0
	}
	if p.Meetings, p.All, err = models.MeetingsOf(ctx, a.db, e.ID, today, limit); err != nil {
		return err
	}
	if p.Open, p.Counts, err = models.OpenActions(ctx, a.db, e.ID, today, 0); err != nil {
		return err
	}
	p.Form = meetingFormProps(c, fmt.Sprintf("/engagements/%d/meetings", e.ID), "Record the meeting", st, frozen)
	for i, r := range rows {
		n := strconv.Itoa(i + 1)
		p.Form.Rows = append(p.Form.Rows, pages.ActionFields{
			Action: components.Field{Name: "action_" + n, Label: "Action " + n, Value: r.Action, Error: st.Errors["action_"+n]},
			Owner:  components.Field{Name: "owner_" + n, Label: "Owner", Value: r.Owner, Error: st.Errors["owner_"+n]},
			Due:    components.Field{Name: "due_" + n, Label: "Due", Type: "date", Value: r.Due, Error: st.Errors["due_"+n]},
		})
	}
	p.Chrome = web.Chrome(c, "Governance meetings "+e.Code, "engagements")
	return web.Render(c, status, pages.Meetings(p), pages.MeetingForm(p.Form))
}

// meetingFormProps are the meeting form's fields of st's values.
func meetingFormProps(c echo.Context, action, submit string, st web.EditState[meetingForm], frozen bool) pages.MeetingFormProps {
	v, errs := st.Values, st.Errors
	var kinds []components.Option
	for _, k := range models.MeetingKinds {
		kinds = append(kinds, components.Option{Value: k, Label: models.MeetingKindLabel(k)})
	}
	p := pages.MeetingFormProps{URL: action, CSRF: web.CSRFToken(c), Submit: submit, Errors: errs, Version: strconv.Itoa(st.Version), Shown: st.Shown,
		Frozen: frozen, ConflictBy: st.ConflictBy,
		Fields: map[string]components.Field{
			"kind":    {Name: "kind", Label: "Kind of meeting", Type: "select", Value: v.Kind, Error: errs["kind"], Options: kinds, Required: true},
			"held_on": {Name: "held_on", Label: "Held on", Type: "date", Value: v.HeldOn, Error: errs["held_on"], Required: true},
			"attendees": {Name: "attendees", Label: "Attendees", Type: "textarea", Value: v.Attendees, Error: errs["attendees"], Required: true,
				Hint: "Names and roles, comma or line separated."},
			"decisions": {Name: "decisions", Label: "Decisions", Type: "textarea", Value: v.Decisions, Error: errs["decisions"],
				Hint: "One a line; the quarter's review pack prints them."},
		}}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	return p
}

// meetingCreate records a meeting with the actions typed with it, through
// the forms' cycle: invalid → 422 with the input kept; a date in a
// published quarter → 409 with the input kept. Route: meetings.create.
func (a *App) meetingCreate(c echo.Context) error {
	e, err := a.engagementOfPath(c)
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
	var mine meetingForm
	web.ReadForm(c, &mine)
	rows := readNewActions(c)
	frozen, saved, n := false, models.Meeting{}, 0
	return web.SaveNew(c, mine, web.EditForm[meetingForm]{
		Save: func(v meetingForm, _ int) (map[string]string, error) {
			m, ck := v.validate(e.ID)
			actions := parseNewActions(rows, ck)
			if !ck.OK() {
				return ck, nil
			}
			saved, err = models.RecordMeeting(c.Request().Context(), a.db, act, m, actions)
			n = len(actions)
			return refusedAsFrozen(err, "held_on", &frozen)
		},
		Render: func(status int, st web.EditState[meetingForm]) error {
			if frozen {
				status = http.StatusConflict
			}
			return a.renderMeetings(c, status, e, st, rows, frozen)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", fmt.Sprintf("%s of %s recorded with %s.", saved.Title(), e.Code, components.Count(n, "action", "actions")))
			return web.Redirect(c, fmt.Sprintf("/meetings/%d", saved.ID))
		},
	})
}

// meetingTarget reads the meeting of the path and its engagement.
func (a *App) meetingTarget(c echo.Context) (models.Meeting, models.Engagement, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Meeting{}, models.Engagement{}, err
	}
	ctx := c.Request().Context()
	m, err := models.MeetingByID(ctx, a.db, id)
	if err != nil {
		return m, models.Engagement{}, err
	}
	e, err := models.EngagementByID(ctx, a.db, m.EngagementID)
	return m, e, err
}

// meeting shows a meeting: its decisions, its actions (marked done or
// dropped in place by an admin or a manager of the engagement) and history,
// with the forms to change it and add an action while its quarter is not
// published. Route: meetings.show.
func (a *App) meeting(c echo.Context) error {
	m, e, err := a.meetingTarget(c)
	if err != nil {
		return err
	}
	f := meetingValues(m)
	return a.renderMeeting(c, http.StatusOK, m, e, meetingPage{form: web.EditState[meetingForm]{Values: f, Version: m.Version, Shown: web.EncodeShown(f)}})
}

// meetingPage is the state of the meeting page's forms: the meeting's, the
// add-action form's, each refused for a published quarter or not, and which
// of them an htmx request gets back.
type meetingPage struct {
	form       web.EditState[meetingForm]
	formFrozen bool
	add        web.EditState[meetingActionForm]
	addFrozen  bool
	adding     bool
}

// renderMeeting renders the meeting's page with its forms in state st.
func (a *App) renderMeeting(c echo.Context, status int, m models.Meeting, e models.Engagement, st meetingPage) error {
	ctx := c.Request().Context()
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	frozen, err := a.meetingFrozen(c, s, m)
	if err != nil {
		return err
	}
	p := pages.MeetingProps{Engagement: e, Meeting: m, Quarter: m.Quarter(s.Fiscal()).String(), Today: a.today(), Editable: may, Frozen: frozen}
	actions, err := models.ActionsOf(ctx, a.db, m.ID)
	if err != nil {
		return err
	}
	for _, x := range actions {
		v := meetingActionValues(x)
		p.Actions = append(p.Actions, pages.ActionRow{A: x, Version: v.Version, Shown: web.EncodeShown(v)})
	}
	if p.History, err = models.HistoryOf(ctx, a.db, models.MeetingEntity, m.ID); err != nil {
		return err
	}
	p.Form = meetingFormProps(c, fmt.Sprintf("/meetings/%d", m.ID), "Save the meeting", st.form, st.formFrozen)
	if st.add.Values.Status == "" {
		st.add.Values.Status = models.ActionOpen
	}
	p.Add = meetingActionFormProps(c, fmt.Sprintf("/meetings/%d/actions", m.ID), "Add the action", st.add, st.addFrozen, "", false)
	p.Chrome = web.Chrome(c, m.Title()+" "+e.Code, "engagements")
	partial := pages.MeetingForm(p.Form)
	if st.adding {
		partial = pages.ActionForm(p.Add)
	}
	return web.Render(c, status, pages.MeetingPage(p), partial)
}

// meetingUpdate saves a meeting's kind, date, attendees and decisions
// through the edit forms' cycle: merged field by field over a save made
// meanwhile, 409 only for a field both changed, 422 with the input kept,
// 409 for a published quarter. Route: meetings.update.
func (a *App) meetingUpdate(c echo.Context) error {
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
	ctx := c.Request().Context()
	var mine meetingForm
	web.ReadForm(c, &mine)
	mine.Version = c.FormValue("version")
	current, frozen := m, false
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[meetingForm]{
		Load: func() (meetingForm, int, error) {
			var err error
			current, err = models.MeetingByID(ctx, a.db, m.ID)
			return meetingValues(current), current.Version, err
		},
		Save: func(v meetingForm, version int) (map[string]string, error) {
			next, ck := v.validate(e.ID)
			if !ck.OK() {
				return ck, nil
			}
			_, err := models.SaveMeeting(ctx, a.db, act, m.ID, next, version)
			return refusedAsFrozen(err, "", &frozen)
		},
		Render: func(status int, st web.EditState[meetingForm]) error {
			if frozen {
				status = http.StatusConflict
			}
			return a.renderMeeting(c, status, current, e, meetingPage{form: st, formFrozen: frozen})
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged("Meeting saved.", merged))
			return web.Redirect(c, fmt.Sprintf("/meetings/%d", m.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.MeetingEntity, m.ID) },
	})
}

// exportMeetings writes the meetings, of ?engagement= or of the whole
// portfolio, as CSV or XLSX, the latest first. Route: meetings.export.
func (a *App) exportMeetings(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "csv" && format != "xlsx" {
		return web.BadRequest("Export as csv or xlsx.")
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	today, eid := a.today(), uint(0)
	name := "governance-meetings"
	if v := c.QueryParam("engagement"); v != "" { // one engagement's: a malformed or unknown one is said so, not the portfolio's
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			return web.BadRequest("Name the engagement by its number, e.g. ?engagement=12.")
		}
		e, err := models.EngagementByID(c.Request().Context(), a.db, uint(n))
		if err != nil {
			return err
		}
		eid, name = e.ID, name+"-"+e.Code
	}
	rows, _, err := models.MeetingsOf(c.Request().Context(), a.db, eid, today, 0)
	if err != nil {
		return err
	}
	spec := exportSpec{Filename: name,
		Header: []string{"Code", "Engagement", "Meeting", "Held on", "Quarter", "Attendees", "Decisions", "Actions", "Open", "Overdue"},
		Types:  []cellType{tText, tText, tText, tDate, tText, tLong, tLong, tCount, tCount, tCount},
		Rows: func(yield func([]string) error) error {
			for _, r := range rows {
				if err := yield([]string{r.Code, r.Name, models.MeetingKindLabel(r.Kind), r.HeldOn.String(), r.Quarter(s.Fiscal()).String(),
					r.Attendees, r.Decisions, strconv.Itoa(r.Actions), strconv.Itoa(r.Open), strconv.Itoa(r.Overdue)}); err != nil {
					return err
				}
			}
			return nil
		}}
	return a.writeExport(c, format, spec)
}
