package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// commentaryForm is a manager's quarter commentary for an engagement, as typed.
type commentaryForm struct {
	Rating      string `form:"rating" label:"Rating"`
	HeldOn      string `form:"held_on" label:"Review held on"`
	Commentary  string `form:"commentary" label:"Commentary"`
	Decisions   string `form:"decisions" label:"Decisions"`
	Escalations string `form:"escalations" label:"Escalations"`
	Version     string
	// An action to add with this save (optional): new each time, never merged.
	Action      string
	ActionOwner string
	ActionDue   string
}

// readCommentaryForm reads the posted form.
func readCommentaryForm(c echo.Context) commentaryForm {
	var f commentaryForm
	web.ReadForm(c, &f)
	f.Version, f.Action, f.ActionOwner, f.ActionDue = c.FormValue("version"), c.FormValue("action"), c.FormValue("action_owner"), c.FormValue("action_due")
	return f
}

// commentaryValues are a stored review as the form shows it.
func commentaryValues(r models.GovernanceReview) commentaryForm {
	return commentaryForm{Rating: r.Rating, HeldOn: r.HeldOn.String(), Commentary: r.Commentary, Decisions: r.Decisions,
		Escalations: r.Escalations, Version: strconv.Itoa(r.Version)}
}

// validate parses the form into the review's new values and an optional action.
func (f commentaryForm) validate() (models.GovernanceReview, *models.ReviewAction, map[string]string) {
	ck := web.Checker{}
	var r models.GovernanceReview
	if f.Rating != "" {
		r.Rating = ck.OneOf("rating", f.Rating, []string{models.Red, models.Amber, models.Green})
	}
	r.HeldOn = ck.Date("held_on", f.HeldOn, false)
	r.Commentary = ck.Text("commentary", f.Commentary, false, 4000)
	r.Decisions = ck.Text("decisions", f.Decisions, false, 2000)
	r.Escalations = ck.Text("escalations", f.Escalations, false, 2000)
	var act *models.ReviewAction
	if f.Action != "" || f.ActionOwner != "" || f.ActionDue != "" {
		act = &models.ReviewAction{Action: ck.Text("action", f.Action, true, 500), Owner: ck.Text("action_owner", f.ActionOwner, true, 120),
			Due: ck.Date("action_due", f.ActionDue, true), Status: "open"}
	}
	return r, act, ck
}

// commentaryTarget reads the quarter and engagement of the path, checks the
// user may edit the engagement, and refuses a published quarter (409).
func (a *App) commentaryTarget(c echo.Context) (models.Quarter, models.Engagement, error) {
	q, err := quarterParam(c)
	if err != nil {
		return q, models.Engagement{}, err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return q, models.Engagement{}, err
	}
	ctx := c.Request().Context()
	e, err := models.EngagementByID(ctx, a.db, id)
	if err != nil {
		return q, e, err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return q, e, err
	}
	published, err := models.QuarterPublished(ctx, a.db, q.String())
	if err != nil {
		return q, e, err
	}
	if published {
		return q, e, echo.NewHTTPError(http.StatusConflict, q.String()+" is published; its commentary is frozen.")
	}
	return q, e, nil
}

// commentaryEdit shows a quarter's commentary for an engagement: its form
// to an admin or a manager of the engagement while the quarter is not
// published, the commentary as it stands to everyone else (the portfolio
// pack, cached alike for all, links here from every engagement). Route:
// reviews.commentary.
func (a *App) commentaryEdit(c echo.Context) error {
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := models.EngagementByID(ctx, a.db, id)
	if err != nil {
		return err
	}
	r, _, err := models.ReviewOf(ctx, a.db, e.ID, q.String())
	if err != nil {
		return err
	}
	may, err := a.canEdit(c, &e.ID)
	if err != nil {
		return err
	}
	published, err := models.QuarterPublished(ctx, a.db, q.String())
	if err != nil {
		return err
	}
	if !may || published {
		p := pages.CommentaryProps{Quarter: q.String(), Engagement: e, Review: r,
			ReadOnly: "Only an administrator or a manager of " + e.Code + " can change this commentary."}
		if published {
			p.ReadOnly = q.String() + " is published; its commentary is frozen."
		}
		if p.Actions, err = models.ReviewActions(ctx, a.db, e.ID, q.String()); err != nil {
			return err
		}
		p.Chrome = web.Chrome(c, "Commentary "+q.String()+" "+e.Code, "reviews")
		return web.Render(c, http.StatusOK, pages.Commentary(p), nil)
	}
	f := commentaryValues(r)
	return a.renderCommentary(c, http.StatusOK, q, e, web.EditState[commentaryForm]{Values: f, Version: r.Version, Shown: web.EncodeShown(f)}, f)
}

// renderCommentary renders the form of st's values (the action fields from f, as typed).
func (a *App) renderCommentary(c echo.Context, status int, q models.Quarter, e models.Engagement, st web.EditState[commentaryForm], f commentaryForm) error {
	actions, err := models.ReviewActions(c.Request().Context(), a.db, e.ID, q.String())
	if err != nil {
		return err
	}
	v, errs := st.Values, st.Errors
	p := pages.CommentaryProps{Quarter: q.String(), Engagement: e, Errors: errs, Actions: actions, Shown: st.Shown, Version: strconv.Itoa(st.Version),
		Fields: map[string]components.Field{
			"rating":       {Name: "rating", Label: "Rating for the quarter", Type: "select", Value: v.Rating, Error: errs["rating"], Options: []components.Option{{Value: "green", Label: "Green"}, {Value: "amber", Label: "Amber"}, {Value: "red", Label: "Red"}}},
			"held_on":      {Name: "held_on", Label: "Review held on", Type: "date", Value: v.HeldOn, Error: errs["held_on"]},
			"commentary":   {Name: "commentary", Label: "Commentary", Type: "textarea", Value: v.Commentary, Error: errs["commentary"], Hint: "What the board should know about this quarter."},
			"decisions":    {Name: "decisions", Label: "Decisions", Type: "textarea", Value: v.Decisions, Error: errs["decisions"]},
			"escalations":  {Name: "escalations", Label: "Escalations", Type: "textarea", Value: v.Escalations, Error: errs["escalations"]},
			"action":       {Name: "action", Label: "New action", Value: f.Action, Error: errs["action"], Hint: "Optional: an action agreed at the review."},
			"action_owner": {Name: "action_owner", Label: "Action owner", Value: f.ActionOwner, Error: errs["action_owner"]},
			"action_due":   {Name: "action_due", Label: "Action due", Type: "date", Value: f.ActionDue, Error: errs["action_due"]},
		}}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	p.ConflictBy = st.ConflictBy
	p.Chrome = web.Chrome(c, "Commentary "+q.String()+" "+e.Code, "reviews")
	return web.Render(c, status, pages.Commentary(p), pages.CommentaryForm(p))
}

// commentarySave stores the commentary (one review per engagement and
// quarter) with its history, through the edit forms' cycle (web.SaveEdit): a
// form rendered before someone else saved is merged field by field, and 409
// lists the fields both changed. Route: reviews.commentary.save; htmx gets the
// form back.
func (a *App) commentarySave(c echo.Context) error {
	q, e, err := a.commentaryTarget(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	mine := readCommentaryForm(c)
	var current models.GovernanceReview
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[commentaryForm]{
		Load: func() (commentaryForm, int, error) {
			var err error
			current, _, err = models.ReviewOf(ctx, a.db, e.ID, q.String())
			v := commentaryValues(current)
			v.Action, v.ActionOwner, v.ActionDue = mine.Action, mine.ActionOwner, mine.ActionDue
			return v, current.Version, err
		},
		Save: func(v commentaryForm, version int) (map[string]string, error) {
			next, act, errs := v.validate()
			if len(errs) > 0 {
				return errs, nil
			}
			_, err := models.SaveCommentary(ctx, a.db, userID(c), a.Now(), e.ID, q.String(), next, version, act)
			if errors.Is(err, models.ErrQuarterPublished) {
				return nil, echo.NewHTTPError(http.StatusConflict, q.String()+" was published meanwhile; its commentary is frozen. Nothing was saved.")
			}
			return nil, err
		},
		Render: func(status int, st web.EditState[commentaryForm]) error {
			return a.renderCommentary(c, status, q, e, st, mine)
		},
		Saved: func(merged string) error {
			msg := web.Merged(fmt.Sprintf("Commentary for %s %s saved.", e.Code, q), merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/reviews/%s/engagements/%d", q, e.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, "governance_review", current.ID) },
	})
}
