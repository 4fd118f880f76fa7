package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// apiCostInput is a month's costs as a write sends them: amounts in minor
// units of the engagement's currency; the engagement and month on create only.
type apiCostInput struct {
	EngagementID   *uint   `json:"engagement_id"`
	Month          *string `json:"month"`
	Baseline       *int64  `json:"baseline"`
	VendorFees     *int64  `json:"vendor_fees"`
	Retained       *int64  `json:"retained"`
	OneOff         *int64  `json:"one_off"`
	Credits        *int64  `json:"credits"`
	PlannedSavings *int64  `json:"planned_savings"`
	SavingsType    *string `json:"savings_type"`
}

// readCostInput reads a cost write as the form's fields it sets (amounts as the form writes them).
func readCostInput(c echo.Context) (apiCostInput, map[string]string, error) {
	var in apiCostInput
	if err := decodeJSON(c, &in); err != nil {
		return in, nil, err
	}
	sent := sentFields(in)
	delete(sent, "engagement_id")
	delete(sent, "month")
	for k, v := range map[string]*int64{"baseline": in.Baseline, "vendor_fees": in.VendorFees, "retained": in.Retained,
		"one_off": in.OneOff, "credits": in.Credits, "planned_savings": in.PlannedSavings} {
		if v != nil {
			sent[k] = models.FormatMinor(*v, true)
		}
	}
	return in, sent, nil
}

func (a *App) answerCost(c echo.Context, status int, id uint) error {
	r, err := models.First[models.CostRecord](c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	return apiJSON(c, status, costJSON(r), formETag(r.ID, r.Version, costValues(r)))
}

// apiCost is one cost record; its ETag is what an update sends as If-Match. Route: api.costs.show.
func (a *App) apiCost(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.answerCost(c, http.StatusOK, id)
}

// apiCostCreate records a month of an engagement's costs, through the form's
// checks: 201 with Location; a month recorded already is 409 naming it (it
// is changed through its own record). Route: api.costs.create.
func (a *App) apiCostCreate(c echo.Context) error {
	in, sent, err := readCostInput(c)
	if err != nil {
		return err
	}
	if in.EngagementID == nil {
		return invalidFields(map[string]string{"engagement_id": "Name the engagement."})
	}
	ctx := c.Request().Context()
	e, err := models.EngagementByID(ctx, a.db, *in.EngagementID)
	if err != nil {
		return invalidFields(map[string]string{"engagement_id": "No such engagement."})
	}
	if err := a.authorizeEngagement(c, &e.ID); err != nil {
		return err
	}
	v := applySent(pages.CostValues{SavingsType: models.SavingsHard}, sent)
	if in.Month != nil {
		v.Month = *in.Month
	}
	today := a.today()
	rec, ch := costForm{v}.Validate(e.ID, today)
	if !ch.OK() {
		return invalidFields(ch)
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	saved, err := models.SaveCost(ctx, a.db, models.Actor{Settings: s, Today: today, UserID: userID(c)}, rec, 0)
	var recorded *models.MonthRecordedError
	if errors.As(err, &recorded) {
		p := web.NewProblem(http.StatusConflict, fmt.Sprintf("%s is recorded already: change it at /api/v1/cost-records/%d.", recorded.Month.Format("January 2006"), recorded.ID))
		return p
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/cost-records/%d", saved.ID))
	return a.answerCost(c, http.StatusCreated, saved.ID)
}

// apiCostUpdate changes a recorded month's figures sent (its month never
// changes). Route: api.costs.update.
func (a *App) apiCostUpdate(c echo.Context) error {
	rec, e, err := pathRecord(a, c, func(r *models.CostRecord) uint { return r.EngagementID })
	if err != nil {
		return err
	}
	in, sent, err := readCostInput(c)
	if err != nil {
		return err
	}
	if in.EngagementID != nil || in.Month != nil {
		return invalidFields(map[string]string{"month": "A record's engagement and month never change: record another month instead."})
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	today := a.today()
	return apiUpdate(c, sent, apiEdit[pages.CostValues]{
		load: func() (pages.CostValues, int, error) {
			var err error
			rec, err = models.CostRecordOf(ctx, a.db, e.ID, rec.ID)
			return costValues(rec), rec.Version, err
		},
		save: func(v pages.CostValues, version int) (map[string]string, error) {
			next, ch := costForm{v}.Validate(e.ID, today)
			next.ID, next.Month = rec.ID, rec.Month
			delete(ch, "month")
			if !ch.OK() {
				return ch, nil
			}
			_, err := models.SaveCost(ctx, a.db, models.Actor{Settings: s, Today: today, UserID: userID(c)}, next, version)
			return nil, err
		},
		answer: func() error { return a.answerCost(c, http.StatusOK, rec.ID) },
	})
}
