package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/web"
)

// slaResultValues are one service level's result of a month as the results
// form holds it (what a stale write merges).
type slaResultValues struct {
	Actual string `form:"actual" label:"Result"`
	Note   string `form:"note" label:"Note"`
}

func slaResultValuesOf(m models.SLAMeasurement) slaResultValues {
	return slaResultValues{Actual: milliField(m.Actual), Note: m.Note}
}

// apiSLAResultInput is a result as a write sends it: the service level and
// month on create only; the result an exact decimal in the service level's unit.
type apiSLAResultInput struct {
	SLAID  *uint   `json:"sla_id"`
	Month  *string `json:"month"`
	Actual *string `json:"actual"`
	Note   *string `json:"note"`
}

// checkResult parses a result's values as the results form does.
func checkResult(v slaResultValues) (actual int64, note string, errs web.Checker) {
	errs = web.Checker{}
	note = errs.Text("note", v.Note, false, 500)
	if strings.TrimSpace(v.Actual) == "" {
		errs.Add("actual", "Enter the result: a recorded result is never removed.")
		return 0, note, errs
	}
	actual, err := models.ParseMilli(v.Actual)
	if err != nil {
		errs.Add("actual", "Enter a number, e.g. 99.95 ("+err.Error()+").")
	}
	return actual, note, errs
}

func (a *App) answerSLAResult(c echo.Context, status int, id uint) error {
	m, err := models.First[models.SLAMeasurement](c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	return apiJSON(c, status, slaResultJSON(m), formETag(m.ID, m.Version, slaResultValuesOf(m)))
}

// apiSLAResult is one result with the ETag an update sends. Route: api.sla_results.show.
func (a *App) apiSLAResult(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.answerSLAResult(c, http.StatusOK, id)
}

// apiSLAResultCreate records a live service level's result of a month that
// has begun, judged met or missed against its target, as the results form
// does: 201 with Location; a month recorded already is 409 naming the
// result. Route: api.sla_results.create.
func (a *App) apiSLAResultCreate(c echo.Context) error {
	var in apiSLAResultInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if in.SLAID == nil {
		return invalidFields(map[string]string{"sla_id": "Name the service level."})
	}
	sla, err := models.First[models.ServiceLevel](ctx, a.db, *in.SLAID)
	if err != nil || sla.Archived {
		return invalidFields(map[string]string{"sla_id": "No live service level has this id."})
	}
	if err := a.authorizeEngagement(c, &sla.EngagementID); err != nil {
		return err
	}
	errs := web.Checker{}
	month, ok := models.Date{}, false
	if in.Month != nil {
		month, ok = parseResultMonth(*in.Month)
	}
	switch {
	case !ok:
		errs.Add("month", "A month, YYYY-MM.")
	case month.After(a.today()):
		errs.Add("month", "Results cannot be recorded for a month that has not started.")
	}
	v := slaResultValues{}
	if in.Actual != nil {
		v.Actual = *in.Actual
	}
	if in.Note != nil {
		v.Note = *in.Note
	}
	actual, note, more := checkResult(v)
	for k, msg := range more {
		errs.Add(k, msg)
	}
	if !errs.OK() {
		return invalidFields(errs)
	}
	recorded, err := models.MonthResults(ctx, a.db, sla.EngagementID, month)
	if err != nil {
		return err
	}
	if m, ok := recorded[sla.ID]; ok {
		return web.NewProblem(http.StatusConflict, fmt.Sprintf("%s is recorded already: change it at /api/v1/sla-results/%d.", month.Format("January 2006"), m.ID))
	}
	w, err := a.deliveryWrite(c)
	if err != nil {
		return err
	}
	_, err = models.RecordSLAMonth(ctx, a.db, w, sla.EngagementID, month, []models.SLAResult{{SLAID: sla.ID, Actual: actual, Note: note}})
	switch {
	case errors.Is(err, models.ErrStale):
		return web.NewProblem(http.StatusConflict, month.Format("January 2006")+" was recorded meanwhile: read it and change it.")
	case errors.Is(err, models.ErrSLANotOnEngagement): // archived meanwhile
		return invalidFields(map[string]string{"sla_id": "No live service level has this id: it was archived meanwhile."})
	case err != nil:
		return err
	}
	if recorded, err = models.MonthResults(ctx, a.db, sla.EngagementID, month); err != nil {
		return err
	}
	id := recorded[sla.ID].ID
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/sla-results/%d", id))
	return a.answerSLAResult(c, http.StatusCreated, id)
}

// apiSLAResultUpdate corrects a recorded result or its note (its service
// level and month never change). Route: api.sla_results.update.
func (a *App) apiSLAResultUpdate(c echo.Context) error {
	m, _, err := pathRecord(a, c, func(r *models.SLAMeasurement) uint { return r.EngagementID })
	if err != nil {
		return err
	}
	var in apiSLAResultInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.SLAID != nil || in.Month != nil {
		return invalidFields(map[string]string{"month": "A result's service level and month never change."})
	}
	ctx := c.Request().Context()
	return apiUpdate(c, sentFields(in), apiEdit[slaResultValues]{
		load: func() (slaResultValues, int, error) {
			var err error
			m, err = models.First[models.SLAMeasurement](ctx, a.db, m.ID)
			return slaResultValuesOf(m), m.Version, err
		},
		save: func(v slaResultValues, version int) (map[string]string, error) {
			actual, note, errs := checkResult(v)
			if !errs.OK() {
				return errs, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			_, err = models.RecordSLAMonth(ctx, a.db, w, m.EngagementID, m.Month, []models.SLAResult{{SLAID: m.ServiceLevelID, Actual: actual, Note: note, Version: version}})
			if errors.Is(err, models.ErrSLANotOnEngagement) {
				return map[string]string{"sla_id": "The service level is archived: its results are kept as they are."}, nil
			}
			return nil, err
		},
		answer: func() error { return a.answerSLAResult(c, http.StatusOK, m.ID) },
	})
}
