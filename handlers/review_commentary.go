package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// commentaryForm is a manager's quarter commentary for an engagement, as typed.
type commentaryForm struct {
	Rating      string `form:"rating"`
	HeldOn      string `form:"held_on"`
	Commentary  string `form:"commentary"`
	Decisions   string `form:"decisions"`
	Escalations string `form:"escalations"`
	Version     string `form:"version"`
	// An action to add with this save (optional).
	Action      string `form:"action"`
	ActionOwner string `form:"action_owner"`
	ActionDue   string `form:"action_due"`
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

func (a *App) commentaryTarget(c echo.Context) (models.Quarter, models.Engagement, error) {
	q, err := quarterParam(c)
	if err != nil {
		return q, models.Engagement{}, err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return q, models.Engagement{}, err
	}
	var e models.Engagement
	if err := a.db.WithContext(c.Request().Context()).First(&e, id).Error; err != nil {
		return q, e, err
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return q, e, err
	}
	var n int64
	a.db.WithContext(c.Request().Context()).Model(&models.PublishedPack{}).Where("quarter = ?", q.String()).Count(&n)
	if n > 0 {
		return q, e, echo.NewHTTPError(http.StatusConflict, q.String()+" is published; its commentary is frozen.")
	}
	return q, e, nil
}

// commentaryEdit shows the commentary form. Route: reviews.commentary.
func (a *App) commentaryEdit(c echo.Context) error {
	q, e, err := a.commentaryTarget(c)
	if err != nil {
		return err
	}
	var r models.GovernanceReview
	err = a.db.WithContext(c.Request().Context()).Where("engagement_id = ? AND quarter = ?", e.ID, q.String()).First(&r).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	f := commentaryForm{Rating: r.Rating, HeldOn: r.HeldOn.String(), Commentary: r.Commentary, Decisions: r.Decisions,
		Escalations: r.Escalations, Version: strconv.Itoa(r.Version)}
	return a.renderCommentary(c, http.StatusOK, q, e, f, nil, nil)
}

func (a *App) renderCommentary(c echo.Context, status int, q models.Quarter, e models.Engagement, f commentaryForm, errs map[string]string, current *models.GovernanceReview) error {
	var actions []models.ReviewAction
	a.db.WithContext(c.Request().Context()).Joins("JOIN governance_reviews g ON g.id = review_actions.governance_review_id").
		Where("g.engagement_id = ? AND g.quarter = ?", e.ID, q.String()).Order("review_actions.due").Find(&actions)
	p := pages.CommentaryProps{Quarter: q.String(), Engagement: e, Errors: errs, Actions: actions, Current: current,
		Fields: map[string]components.Field{
			"rating":       {Name: "rating", Label: "Rating for the quarter", Type: "select", Value: f.Rating, Error: errs["rating"], Options: []components.Option{{Value: "green", Label: "Green"}, {Value: "amber", Label: "Amber"}, {Value: "red", Label: "Red"}}},
			"held_on":      {Name: "held_on", Label: "Review held on", Type: "date", Value: f.HeldOn, Error: errs["held_on"]},
			"commentary":   {Name: "commentary", Label: "Commentary", Type: "textarea", Value: f.Commentary, Error: errs["commentary"], Hint: "What the board should know about this quarter."},
			"decisions":    {Name: "decisions", Label: "Decisions", Type: "textarea", Value: f.Decisions, Error: errs["decisions"]},
			"escalations":  {Name: "escalations", Label: "Escalations", Type: "textarea", Value: f.Escalations, Error: errs["escalations"]},
			"action":       {Name: "action", Label: "New action", Value: f.Action, Error: errs["action"], Hint: "Optional: an action agreed at the review."},
			"action_owner": {Name: "action_owner", Label: "Action owner", Value: f.ActionOwner, Error: errs["action_owner"]},
			"action_due":   {Name: "action_due", Label: "Action due", Type: "date", Value: f.ActionDue, Error: errs["action_due"]},
		}, Version: f.Version}
	p.Chrome = web.Chrome(c, "Commentary "+q.String()+" "+e.Code, "reviews")
	return web.Render(c, status, pages.Commentary(p), pages.CommentaryForm(p))
}

// commentarySave stores the commentary (one review per engagement and quarter), with
// history and optimistic locking. Route: reviews.commentary.save; htmx gets the form back.
func (a *App) commentarySave(c echo.Context) error {
	q, e, err := a.commentaryTarget(c)
	if err != nil {
		return err
	}
	var f commentaryForm
	if err := c.Bind(&f); err != nil {
		return web.BadRequest("The form could not be read.")
	}
	next, act, errs := f.validate()
	if len(errs) > 0 {
		return a.renderCommentary(c, http.StatusUnprocessableEntity, q, e, f, errs, nil)
	}
	version, _ := strconv.Atoi(f.Version)
	now := a.Now().UTC()
	uid := userID(c)
	var current models.GovernanceReview
	err = a.db.WithContext(c.Request().Context()).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("engagement_id = ? AND quarter = ?", e.ID, q.String()).First(&current).Error
		fields := []string{"Rating", "HeldOn", "Commentary", "Decisions", "Escalations"}
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if version != 0 {
				return models.ErrStale
			}
			next.EngagementID, next.Quarter, next.Version = e.ID, q.String(), 1
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			current = next
			if err := models.RecordChanges(tx, models.Created("governance_review", next.ID, uid, now, next, fields...)); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			changes := models.Diff("governance_review", current.ID, uid, now, current, next, fields...)
			if err := models.UpdateVersioned(tx, &models.GovernanceReview{}, current.ID, version, map[string]any{
				"rating": next.Rating, "held_on": next.HeldOn, "commentary": next.Commentary, "decisions": next.Decisions,
				"escalations": next.Escalations, "updated_at": now}); err != nil {
				return err
			}
			if err := models.RecordChanges(tx, changes); err != nil {
				return err
			}
		}
		if act != nil {
			act.GovernanceReviewID, act.EngagementID = current.ID, e.ID
			if err := tx.Create(act).Error; err != nil {
				return err
			}
			return models.RecordChanges(tx, models.Created("review_action", act.ID, uid, now, *act, "Action", "Owner", "Due", "Status"))
		}
		return nil
	})
	if errors.Is(err, models.ErrStale) {
		return a.renderCommentary(c, http.StatusConflict, q, e, f, map[string]string{"_form": "Someone saved this commentary after you opened it. Their version is shown below; your text is kept in the form."}, &current)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Commentary for %s %s saved.", e.Code, q))
	return web.Redirect(c, fmt.Sprintf("/reviews/%s/engagements/%d", q, e.ID))
}
