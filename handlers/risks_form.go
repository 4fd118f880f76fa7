package handlers

import (
	"errors"
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

// riskFormValues reads a posted risk form as typed.
func riskFormValues(c echo.Context) pages.RiskFormValues {
	f := c.FormValue
	return pages.RiskFormValues{
		Engagement: strings.TrimSpace(f("engagement")), Ref: f("ref"), Title: f("title"), Description: f("description"),
		Category: f("category"), InherentLikelihood: f("inherent_likelihood"), InherentImpact: f("inherent_impact"),
		ResidualLikelihood: f("residual_likelihood"), ResidualImpact: f("residual_impact"), Response: f("response"),
		Mitigation: f("mitigation"), OwnerID: f("owner_id"), Status: f("status"), NextReview: f("next_review"),
		RaisedOn: f("raised_on"), ClosedOn: f("closed_on"), ClosedReason: f("closed_reason"), AcceptedBy: f("accepted_by"),
		AcceptJustification: f("accept_justification"), AcceptExpiry: f("accept_expiry"), Version: f("version"),
	}
}

// riskValues writes a stored risk into the form's raw values.
func riskValues(r models.Risk) pages.RiskFormValues {
	v := pages.RiskFormValues{
		Ref: r.Ref, Title: r.Title, Description: r.Description, Category: r.Category,
		InherentLikelihood: strconv.Itoa(r.InherentLikelihood), InherentImpact: strconv.Itoa(r.InherentImpact),
		ResidualLikelihood: strconv.Itoa(r.ResidualLikelihood), ResidualImpact: strconv.Itoa(r.ResidualImpact),
		Response: r.Response, Mitigation: r.Mitigation, Status: r.Status, NextReview: r.NextReview.String(),
		RaisedOn: r.RaisedOn.String(), ClosedOn: r.ClosedOn.String(), ClosedReason: r.ClosedReason,
		AcceptedBy: r.AcceptedBy, AcceptJustification: r.AcceptJustification, AcceptExpiry: r.AcceptExpiry.String(),
		Version: strconv.Itoa(r.Version), OwnerID: models.FormatValue("owner_id", r.OwnerID),
	}
	if r.Engagement != nil {
		v.Engagement = r.Engagement.Code
	}
	return v
}

// riskFromValues parses and checks a risk form: the typed values first, then
// the register's rules. Errors are keyed by the form's field names.
func (a *App) riskFromValues(c echo.Context, v pages.RiskFormValues) (models.Risk, map[string]string, error) {
	ck := web.Checker{}
	r := models.Risk{
		Ref: v.Ref, Title: v.Title, Description: v.Description, Category: v.Category, Response: v.Response,
		Mitigation: v.Mitigation, Status: v.Status, ClosedReason: v.ClosedReason, AcceptedBy: v.AcceptedBy,
		AcceptJustification: v.AcceptJustification,
		InherentLikelihood:  ck.Int("inherent_likelihood", v.InherentLikelihood, 1, 5),
		InherentImpact:      ck.Int("inherent_impact", v.InherentImpact, 1, 5),
		ResidualLikelihood:  ck.Int("residual_likelihood", v.ResidualLikelihood, 1, 5),
		ResidualImpact:      ck.Int("residual_impact", v.ResidualImpact, 1, 5),
		NextReview:          ck.Date("next_review", v.NextReview, false),
		RaisedOn:            ck.Date("raised_on", v.RaisedOn, false),
		ClosedOn:            ck.Date("closed_on", v.ClosedOn, false),
		AcceptExpiry:        ck.Date("accept_expiry", v.AcceptExpiry, false),
		OwnerID:             ck.ID("owner_id", v.OwnerID),
	}
	if r.RaisedOn.IsZero() && ck["raised_on"] == "" {
		r.RaisedOn = a.today()
	}
	r.Version, _ = strconv.Atoi(v.Version)
	ctx := c.Request().Context()
	if v.Engagement != "" {
		e, ok, err := models.EngagementByCode(ctx, a.db, v.Engagement)
		if err != nil {
			return r, nil, err
		}
		if !ok {
			ck.Add("engagement", "No engagement has this code.")
		} else {
			r.EngagementID, r.Engagement = &e.ID, &e
		}
	}
	if v.Engagement == "" && web.CurrentUser(c).Role != models.RoleAdmin {
		// Only admins keep portfolio-wide risks: for a manager a blank
		// engagement is a missing answer, not a request to refuse.
		ck.Add("engagement", "Choose the engagement the risk belongs to.")
	}
	if r.OwnerID != nil {
		ok, err := models.UserEnabled(ctx, a.db, *r.OwnerID)
		if err != nil {
			return r, nil, err
		}
		if !ok {
			ck.Add("owner_id", "Choose one of the listed people.")
		}
	}
	r.Normalise()
	for k, msg := range r.Problems() {
		ck.Add(k, msg)
	}
	return r, ck, nil
}

// riskFormProps gathers what the form needs besides its values.
func (a *App) riskFormProps(c echo.Context, title string, v pages.RiskFormValues, errs map[string]string) (pages.RiskFormProps, error) {
	s, err := a.settings(c)
	if err != nil {
		return pages.RiskFormProps{}, err
	}
	p := pages.RiskFormProps{Chrome: web.Chrome(c, title, "risks"), V: v, Errors: errs, Back: "/risks"}
	p.Preview = pages.ScorePreviewProps{Risk: s.Risk}
	p.Preview.InherentLikelihood, _ = strconv.Atoi(v.InherentLikelihood)
	p.Preview.InherentImpact, _ = strconv.Atoi(v.InherentImpact)
	p.Preview.ResidualLikelihood, _ = strconv.Atoi(v.ResidualLikelihood)
	p.Preview.ResidualImpact, _ = strconv.Atoi(v.ResidualImpact)
	if p.Owners, err = a.ownerOptions(c); err != nil {
		return p, err
	}
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	var engs []models.Engagement
	if u.Role == models.RoleAdmin {
		p.AllowPortfolio = true
		if engs, p.EngagementFree, err = models.EngagementChoices(ctx, a.db, maxEngagementOptions); err != nil || p.EngagementFree {
			return p, err
		}
	} else {
		engs, err = models.ManagedEngagements(ctx, a.db, u.ID)
	}
	for _, e := range engs {
		p.Engagements = append(p.Engagements, components.Option{Value: e.Code, Label: e.Code + " · " + e.Name})
	}
	return p, err
}

func (a *App) renderRiskForm(c echo.Context, status int, p pages.RiskFormProps) error {
	return web.Render(c, status, pages.RiskForm(p), pages.RiskFormBody(p))
}

// newRisk shows the form to raise a risk, for ?engagement=ID when given.
// Route: risks.new.
func (a *App) newRisk(c echo.Context) error {
	v := pages.RiskFormValues{Status: models.StatusOpen, Response: "reduce", RaisedOn: a.today().String()}
	if id := uintQuery(c, "engagement"); id != 0 {
		eid := id
		if err := a.authorizeEngagement(c, &eid); err != nil {
			return err
		}
		e, err := models.EngagementByID(c.Request().Context(), a.db, id)
		if err != nil {
			return err
		}
		v.Engagement = e.Code
	}
	p, err := a.riskFormProps(c, "New risk", v, nil)
	if err != nil {
		return err
	}
	if !p.AllowPortfolio && len(p.Engagements) == 0 {
		return web.Forbidden("You manage no engagements, so there is no register you can add to.")
	}
	if v.Engagement != "" {
		p.Back = "/risks?engagement=" + c.QueryParam("engagement")
	}
	return a.renderRiskForm(c, http.StatusOK, p)
}

// createRisk raises a risk. Route: risks.create. The cycle of every create
// form (web.SaveNew): invalid → 422 with the form as typed; success → flash
// and 303 to the risk (HX-Redirect for htmx).
func (a *App) createRisk(c echo.Context) error {
	var saved models.Risk
	return web.SaveNew(c, riskFormValues(c), web.EditForm[pages.RiskFormValues]{
		Save: func(v pages.RiskFormValues, _ int) (map[string]string, error) {
			r, errs, err := a.riskFromValues(c, v)
			if err != nil {
				return nil, err
			}
			if errs["engagement"] == "" {
				if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
					return nil, err
				}
			}
			if len(errs) > 0 {
				return errs, nil
			}
			act, err := a.riskActor(c)
			if err != nil {
				return nil, err
			}
			err = models.CreateRisk(c.Request().Context(), a.db, act, &r)
			if errors.Is(err, models.ErrRefTaken) {
				return map[string]string{"ref": "Another risk already has this reference."}, nil
			}
			saved = r
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.RiskFormValues]) error {
			p, err := a.riskFormProps(c, "New risk", st.Values, st.Errors)
			if err != nil {
				return err
			}
			return a.renderRiskForm(c, status, p)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", fmt.Sprintf("Risk %s raised.", saved.Ref))
			return web.Redirect(c, fmt.Sprintf("/risks/%d", saved.ID))
		},
	})
}

// riskActor is the signed-in user changing the register now.
func (a *App) riskActor(c echo.Context) (models.Actor, error) {
	s, err := a.settings(c)
	return models.Actor{UserID: userID(c), At: a.Now().UTC(), Settings: s}, err
}

// loadRisk reads a risk with its engagement and owner, or 404.
func (a *App) loadRisk(c echo.Context) (models.Risk, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Risk{}, err
	}
	return models.First[models.Risk](c.Request().Context(), a.db, id, "Engagement", "Owner")
}

// editRisk shows the form to change a risk. Route: risks.edit.
func (a *App) editRisk(c echo.Context) error {
	r, err := a.loadRisk(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
		return err
	}
	p, err := a.riskFormProps(c, "Edit "+r.Ref, riskValues(r), nil)
	if err != nil {
		return err
	}
	p.ID, p.Ref, p.Back, p.Shown = r.ID, r.Ref, fmt.Sprintf("/risks/%d", r.ID), web.EncodeShown(riskValues(r))
	return a.renderRiskForm(c, http.StatusOK, p)
}

// updateRisk saves an edited risk. Route: risks.update. The cycle of every
// edit form (web.SaveEdit): invalid → 422; a form rendered before someone else
// saved is merged field by field, the flash naming whose change; where both
// changed the same field, 409 with just those fields; success → 303.
func (a *App) updateRisk(c echo.Context) error {
	cur, err := a.loadRisk(c)
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, cur.EngagementID); err != nil {
		return err
	}
	mine := riskFormValues(c)
	var saved models.Risk
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.RiskFormValues]{
		Load: func() (pages.RiskFormValues, int, error) {
			var err error
			cur, err = a.loadRisk(c)
			return riskValues(cur), cur.Version, err
		},
		Save: func(v pages.RiskFormValues, version int) (map[string]string, error) {
			var errs map[string]string
			var err error
			saved, errs, err = a.saveRisk(c, cur, v, version)
			return errs, err
		},
		Render: func(status int, st web.EditState[pages.RiskFormValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.riskFormProps(c, "Edit "+cur.Ref, v, st.Errors)
			if err != nil {
				return err
			}
			p.ID, p.Ref, p.Back, p.Shown = cur.ID, cur.Ref, fmt.Sprintf("/risks/%d", cur.ID), st.Shown
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy = true, st.ConflictBy
				owners := map[string]string{"": "nobody"}
				for _, o := range p.Owners {
					owners[o.Value] = o.Label
				}
				for _, f := range st.Conflicts {
					if f.Name == "owner_id" {
						f.Yours, f.Stored = owners[f.Yours], owners[f.Stored]
					}
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return a.renderRiskForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged(fmt.Sprintf("Risk %s saved.", saved.Ref), merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/risks/%d", saved.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.RiskEntity, cur.ID) },
	})
}

// saveRisk writes v over cur (as last loaded, at version) for the edit form
// and the API: the rights are checked against the risk as it is now, after
// every reload, so a risk moved meanwhile to an engagement the user does not
// manage is refused (403), not written; a move to another engagement needs
// the rights there too.
func (a *App) saveRisk(c echo.Context, cur models.Risk, v pages.RiskFormValues, version int) (models.Risk, map[string]string, error) {
	if err := a.authorizeEngagement(c, cur.EngagementID); err != nil {
		return models.Risk{}, nil, err
	}
	r, errs, err := a.riskFromValues(c, v)
	if err != nil || len(errs) > 0 {
		return r, errs, err
	}
	if !sameEngagement(cur.EngagementID, r.EngagementID) {
		if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
			return r, nil, err
		}
	}
	act, err := a.riskActor(c)
	if err != nil {
		return r, nil, err
	}
	r.ID, r.Version = cur.ID, version
	_, err = models.UpdateRisk(c.Request().Context(), a.db, act, &r)
	if errors.Is(err, models.ErrRefTaken) {
		return r, map[string]string{"ref": "Another risk already has this reference."}, nil
	}
	return r, nil, err
}

func sameEngagement(a, b *uint) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// scorePreview renders the scores and bands of the levels a form holds now.
// Route: risks.preview (the form's level selects fetch it with htmx).
func (a *App) scorePreview(c echo.Context) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	lv := func(k string) int {
		n, _ := strconv.Atoi(c.QueryParam(k))
		return n
	}
	p := pages.ScorePreviewProps{Risk: s.Risk, InherentLikelihood: lv("inherent_likelihood"), InherentImpact: lv("inherent_impact"),
		ResidualLikelihood: lv("residual_likelihood"), ResidualImpact: lv("residual_impact")}
	return web.Render(c, http.StatusOK, pages.ScorePreview(p), pages.ScorePreview(p))
}
