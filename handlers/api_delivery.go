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

// The API's writes of milestones and BOT readiness items: the forms' checks,
// models' audited writes and the "manages this engagement" rule, with the
// stale-write merge of apiUpdate.

// apiEdit is one writable record's part in apiUpdate (V: its form's values).
type apiEdit[V any] struct {
	// load reads the record's form values and version now.
	load func() (V, int, error)
	// save checks v and writes it at version: field errors (422), or
	// models.ErrStale when it moved on meanwhile (merged again).
	save func(v V, version int) (map[string]string, error)
	// answer answers the saved record.
	answer func() error
}

// apiUpdate is the cycle of every API update: the fields sent are merged
// with the record as it is (mergeSent: 428 without If-Match, 412 on a
// clash), checked and saved; a save that meets another at the same moment
// merges again, a few times.
func apiUpdate[V any](c echo.Context, sent map[string]string, f apiEdit[V]) error {
	for attempt := 0; ; attempt++ {
		stored, version, err := f.load()
		if err != nil {
			return err
		}
		v, err := mergeSent(c, stored, version, sent)
		if err != nil {
			return err
		}
		errs, err := f.save(v, version)
		var invalid models.Invalid
		if errors.As(err, &invalid) {
			errs, err = invalid, nil
		}
		switch {
		case errors.Is(err, models.ErrStale) && attempt < 3:
			continue
		case err != nil:
			return err
		case len(errs) > 0:
			return invalidFields(errs)
		}
		return f.answer()
	}
}

// apiMilestoneInput is a milestone as a write sends it (absent: left as it is).
type apiMilestoneInput struct {
	EngagementID *uint   `json:"engagement_id"`
	Phase        *string `json:"phase"`
	Name         *string `json:"name"`
	IsKey        *bool   `json:"is_key"`
	Planned      *string `json:"planned"`
	Forecast     *string `json:"forecast"`
	Actual       *string `json:"actual"`
}

func readMilestoneInput(c echo.Context) (apiMilestoneInput, map[string]string, error) {
	var in apiMilestoneInput
	if err := decodeJSON(c, &in); err != nil {
		return in, nil, err
	}
	sent := sentFields(in)
	delete(sent, "engagement_id")
	if in.IsKey != nil {
		sent["is_key"] = b01(*in.IsKey)
	}
	return in, sent, nil
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (a *App) answerMilestone(c echo.Context, status int, id uint) error {
	m, err := models.First[models.Milestone](c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	return apiJSON(c, status, milestoneJSON(m), formETag(m.ID, m.Version, milestoneValues(m)))
}

// apiMilestone is one milestone; its ETag is what an update sends as If-Match. Route: api.milestones.show.
func (a *App) apiMilestone(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.answerMilestone(c, http.StatusOK, id)
}

// apiMilestoneCreate adds a milestone to an engagement the token's owner may
// change: 201 with Location. Route: api.milestones.create.
func (a *App) apiMilestoneCreate(c echo.Context) error {
	in, sent, err := readMilestoneInput(c)
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
	m, ch := milestoneForm{applySent(pages.MilestoneValues{Phase: e.Phase, IsKey: "0"}, sent)}.Validate(e, a.today())
	if !ch.OK() {
		return invalidFields(ch)
	}
	w, err := a.deliveryWrite(c)
	if err != nil {
		return err
	}
	if err := models.CreateMilestone(ctx, a.db, w, &m); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/milestones/%d", m.ID))
	return a.answerMilestone(c, http.StatusCreated, m.ID)
}

// apiMilestoneUpdate changes a milestone's fields sent. Route: api.milestones.update.
func (a *App) apiMilestoneUpdate(c echo.Context) error {
	cur, e, err := a.pathMilestone(c)
	if err != nil {
		return err
	}
	in, sent, err := readMilestoneInput(c)
	if err != nil {
		return err
	}
	if in.EngagementID != nil && *in.EngagementID != cur.EngagementID {
		return invalidFields(map[string]string{"engagement_id": "A milestone stays with its engagement."})
	}
	ctx := c.Request().Context()
	return apiUpdate(c, sent, apiEdit[pages.MilestoneValues]{
		load: func() (pages.MilestoneValues, int, error) {
			var err error
			cur, err = models.First[models.Milestone](ctx, a.db, cur.ID)
			return milestoneValues(cur), cur.Version, err
		},
		save: func(v pages.MilestoneValues, version int) (map[string]string, error) {
			m, ch := milestoneForm{v}.Validate(e, a.today())
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			_, err = models.UpdateMilestone(ctx, a.db, w, cur.ID, version, m)
			return nil, err
		},
		answer: func() error { return a.answerMilestone(c, http.StatusOK, cur.ID) },
	})
}

// apiReadinessInput is a readiness item as a write sends it.
type apiReadinessInput struct {
	Weight   *int    `json:"weight"`
	Status   *string `json:"status"`
	Owner    *string `json:"owner"`
	Evidence *string `json:"evidence"`
}

func (a *App) answerReadiness(c echo.Context, id uint) error {
	it, err := models.First[models.ReadinessItem](c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, readinessJSON(it), formETag(it.ID, it.Version, pages.ReadinessItemValues(it)))
}

// apiReadinessItem is one readiness item with its ETag. Route: api.readiness.show.
func (a *App) apiReadinessItem(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.answerReadiness(c, id)
}

// apiReadinessUpdate changes a BOT readiness item's weight, status, owner or
// evidence, through the checklist's checks. Route: api.readiness.update.
func (a *App) apiReadinessUpdate(c echo.Context) error {
	it, _, err := pathRecord(a, c, func(r *models.ReadinessItem) uint { return r.EngagementID })
	if err != nil {
		return err
	}
	var in apiReadinessInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sent := sentFields(in)
	if in.Status != nil {
		status := -1
		for n, name := range readinessStatusNames {
			if name == *in.Status {
				status = n
			}
		}
		if status < 0 {
			return invalidFields(map[string]string{"status": "One of not_started, in_progress, done."})
		}
		sent["status"] = strconv.Itoa(status)
	}
	ctx := c.Request().Context()
	return apiUpdate(c, sent, apiEdit[pages.ReadinessValues]{
		load: func() (pages.ReadinessValues, int, error) {
			var err error
			it, err = models.First[models.ReadinessItem](ctx, a.db, it.ID)
			return pages.ReadinessItemValues(it), it.Version, err
		},
		save: func(v pages.ReadinessValues, version int) (map[string]string, error) {
			ch := web.Checker{}
			next := it
			next.Weight, next.Status, next.Owner, next.Evidence = checkItem(ch, func(f string) string { return f }, v)
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			_, err = models.UpdateReadinessItem(ctx, a.db, w, it.ID, version, next)
			return nil, err
		},
		answer: func() error { return a.answerReadiness(c, it.ID) },
	})
}
