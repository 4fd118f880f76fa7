package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/register"
	"portfolio/views/pages"
	"portfolio/web"
)

// apiRisk is a risk as the API shows it: the form's fields (what a write
// sends back) and what is derived from them.
type apiRisk struct {
	ID                  uint   `json:"id"`
	EngagementID        *uint  `json:"engagement_id"`
	Engagement          string `json:"engagement"`
	Ref                 string `json:"ref"`
	Title               string `json:"title"`
	Description         string `json:"description"`
	Category            string `json:"category"`
	InherentLikelihood  int    `json:"inherent_likelihood"`
	InherentImpact      int    `json:"inherent_impact"`
	InherentScore       int    `json:"inherent_score"`
	InherentBand        string `json:"inherent_band"`
	ResidualLikelihood  int    `json:"residual_likelihood"`
	ResidualImpact      int    `json:"residual_impact"`
	ResidualScore       int    `json:"residual_score"`
	ResidualBand        string `json:"residual_band"`
	OutOfAppetite       bool   `json:"out_of_appetite"`
	Response            string `json:"response"`
	Mitigation          string `json:"mitigation"`
	OwnerID             *uint  `json:"owner_id"`
	OwnerName           string `json:"owner_name"`
	Status              string `json:"status"`
	NextReview          string `json:"next_review"`
	RaisedOn            string `json:"raised_on"`
	ClosedOn            string `json:"closed_on"`
	ClosedReason        string `json:"closed_reason"`
	AcceptedBy          string `json:"accepted_by"`
	AcceptJustification string `json:"accept_justification"`
	AcceptExpiry        string `json:"accept_expiry"`
	Version             int    `json:"version"`
	ETag                string `json:"etag"`
}

func riskJSON(r models.Risk, s models.RiskSettings) apiRisk {
	out := apiRisk{ID: r.ID, EngagementID: r.EngagementID, Ref: r.Ref, Title: r.Title, Description: r.Description, Category: r.Category,
		InherentLikelihood: r.InherentLikelihood, InherentImpact: r.InherentImpact, InherentScore: r.InherentScore, InherentBand: s.Band(r.InherentScore),
		ResidualLikelihood: r.ResidualLikelihood, ResidualImpact: r.ResidualImpact, ResidualScore: r.ResidualScore, ResidualBand: s.Band(r.ResidualScore),
		OutOfAppetite: s.OutOfAppetite(r.ResidualScore), Response: r.Response, Mitigation: r.Mitigation, OwnerID: r.OwnerID, Status: r.Status,
		NextReview: r.NextReview.String(), RaisedOn: r.RaisedOn.String(), ClosedOn: r.ClosedOn.String(), ClosedReason: r.ClosedReason,
		AcceptedBy: r.AcceptedBy, AcceptJustification: r.AcceptJustification, AcceptExpiry: r.AcceptExpiry.String(), Version: r.Version,
		ETag: formETag(r.ID, r.Version, riskValues(r))}
	if r.Engagement != nil {
		out.Engagement = r.Engagement.Code
	}
	if r.Owner != nil {
		out.OwnerName = r.Owner.Name
	}
	return out
}

// apiRiskInput is a risk as a write sends it: each field optional (absent:
// left as it is, or the form's default on a create); the engagement by its
// code ("" portfolio-wide, admins only); owner_id 0 for nobody; dates as
// YYYY-MM-DD, "" to clear.
type apiRiskInput struct {
	Engagement          *string `json:"engagement"`
	Ref                 *string `json:"ref"`
	Title               *string `json:"title"`
	Description         *string `json:"description"`
	Category            *string `json:"category"`
	InherentLikelihood  *int    `json:"inherent_likelihood"`
	InherentImpact      *int    `json:"inherent_impact"`
	ResidualLikelihood  *int    `json:"residual_likelihood"`
	ResidualImpact      *int    `json:"residual_impact"`
	Response            *string `json:"response"`
	Mitigation          *string `json:"mitigation"`
	OwnerID             *uint   `json:"owner_id"`
	Status              *string `json:"status"`
	NextReview          *string `json:"next_review"`
	RaisedOn            *string `json:"raised_on"`
	ClosedOn            *string `json:"closed_on"`
	ClosedReason        *string `json:"closed_reason"`
	AcceptedBy          *string `json:"accepted_by"`
	AcceptJustification *string `json:"accept_justification"`
	AcceptExpiry        *string `json:"accept_expiry"`
}

// readRiskInput reads a risk write's body as the form's fields it sets.
func readRiskInput(c echo.Context) (map[string]string, error) {
	var in apiRiskInput
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	sent := sentFields(in)
	if sent["owner_id"] == "0" {
		sent["owner_id"] = ""
	}
	return sent, nil
}

// apiRisks lists the live register with the register's own filters (the
// query parameters of /risks and its export: engagement, vendor, owner,
// category, status, band, kind, overdue, appetite, expired, l, i, q, sort,
// dir), in its order, paged by cursor. Route: api.risks.index.
func (a *App) apiRisks(c echo.Context) error {
	limit, after, err := apiPage(c)
	if err != nil {
		return err
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	if err := checkRiskQuery(c); err != nil {
		return err
	}
	today := a.today()
	f := riskFilter(c, today)
	f.AsAt, f.MovedSince, f.MoveKind = models.Date{}, models.Date{}, "" // the live register only
	f.Page, f.PerPage, f.After, f.Before = 1, limit+1, after, 0
	ctx := c.Request().Context()
	if after != 0 {
		// The register pages after a row it finds: one that is gone would
		// start again at the first page.
		found, err := models.ByIDs(ctx, a.db, []uint{after}, func(r models.Risk) uint { return r.ID })
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return web.NewProblem(http.StatusBadRequest, "The cursor names a risk that no longer exists: start again without it.")
		}
	}
	page, err := register.PageRisks(ctx, a.db, s.Risk, today, f, 0)
	if err != nil {
		return err
	}
	ids := make([]uint, len(page.Rows))
	for i, r := range page.Rows {
		ids[i] = r.ID
	}
	rows, err := models.ByIDs(ctx, a.db, ids, func(r models.Risk) uint { return r.ID }, "Engagement", "Owner")
	if err != nil {
		return err
	}
	return writeList(c, mapRows(rows, func(r models.Risk) apiRisk { return riskJSON(r, s.Risk) }), limit, func(r apiRisk) uint { return r.ID })
}

// checkRiskQuery refuses a value of /risks' filters that the register's
// page would ignore (riskFilter drops bad values): through the API that
// would silently be the whole register, so it is a 422 naming the
// parameter, as the other lists answer.
func checkRiskQuery(c echo.Context) error {
	errs := map[string]string{}
	for _, p := range []string{"engagement", "vendor", "owner"} {
		s := c.QueryParam(p)
		if s == "" || (p == "engagement" && s == "portfolio") {
			continue
		}
		if n, err := strconv.ParseUint(s, 10, 32); err != nil || n == 0 {
			errs[p] = "An id: a whole number."
			if p == "engagement" {
				errs[p] = "An engagement's id, or portfolio."
			}
		}
	}
	for p, allowed := range map[string][]string{"category": models.RiskCategories, "status": append([]string{"all"}, models.RiskStatuses...),
		"band": models.Bands, "kind": {"residual", "inherent"}} {
		if s := c.QueryParam(p); s != "" && oneOf(s, allowed...) == "" {
			errs[p] = "One of: " + strings.Join(allowed, ", ") + "."
		}
	}
	if len(errs) > 0 {
		return web.Invalid("The query is not valid.", errs)
	}
	return nil
}

// apiRisk is one risk; its ETag is what an update's If-Match sends. Route: api.risks.show.
func (a *App) apiRisk(c echo.Context) error {
	r, err := apiFirst[models.Risk](a, c, "Engagement", "Owner")
	if err != nil {
		return err
	}
	return a.answerRisk(c, http.StatusOK, r)
}

func (a *App) answerRisk(c echo.Context, status int, r models.Risk) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	out := riskJSON(r, s.Risk)
	return apiJSON(c, status, out, out.ETag)
}

type apiChange struct {
	At     string `json:"at"`
	Entity string `json:"entity"`
	Action string `json:"action"`
	Field  string `json:"field"`
	Old    string `json:"old"`
	New    string `json:"new"`
	By     string `json:"by"`
}

// apiRiskHistory is every change of a risk and its mitigation actions,
// newest first, with names for ids as the risk page shows them. Route: api.risks.history.
func (a *App) apiRiskHistory(c echo.Context) error {
	r, err := apiFirst[models.Risk](a, c)
	if err != nil {
		return err
	}
	changes, err := models.RiskHistory(c.Request().Context(), a.db, r.ID)
	if err != nil {
		return err
	}
	out := struct {
		Data []apiChange `json:"data"`
	}{Data: []apiChange{}}
	for _, ch := range changes {
		x := apiChange{At: ch.At.UTC().Format("2006-01-02T15:04:05Z"), Entity: ch.Entity, Action: ch.Action, Field: ch.Field, Old: ch.Old, New: ch.New}
		if ch.User != nil {
			x.By = ch.User.Name
		}
		out.Data = append(out.Data, x)
	}
	return apiJSON(c, http.StatusOK, out, "")
}

// apiRiskCreate raises a risk through the form's checks, rules and history:
// 201 with its Location and ETag; 422 naming the fields refused; 403 for an
// engagement the token's owner does not manage. Route: api.risks.create.
func (a *App) apiRiskCreate(c echo.Context) error {
	sent, err := readRiskInput(c)
	if err != nil {
		return err
	}
	v := applySent(pages.RiskFormValues{Status: models.StatusOpen, Response: "reduce", RaisedOn: a.today().String()}, sent)
	r, errs, err := a.riskFromValues(c, v)
	if err != nil {
		return err
	}
	if errs["engagement"] == "" {
		if err := a.authorizeEngagement(c, r.EngagementID); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return invalidFields(errs)
	}
	act, err := a.riskActor(c)
	if err != nil {
		return err
	}
	err = models.CreateRisk(c.Request().Context(), a.db, act, &r)
	if errors.Is(err, models.ErrRefTaken) {
		return invalidFields(map[string]string{"ref": "Another risk already has this reference."})
	}
	if err != nil {
		return err
	}
	saved, err := models.First[models.Risk](c.Request().Context(), a.db, r.ID, "Engagement", "Owner")
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/risks/%d", saved.ID))
	return a.answerRisk(c, http.StatusCreated, saved)
}

// apiRiskUpdate changes the fields a client sends, with If-Match the ETag it
// read (428 without): a stale one is merged field by field as the forms do,
// 412 only where a field it changes was changed meanwhile to something else.
// Route: api.risks.update.
func (a *App) apiRiskUpdate(c echo.Context) error {
	cur, err := apiFirst[models.Risk](a, c, "Engagement", "Owner")
	if err != nil {
		return err
	}
	if err := a.authorizeEngagement(c, cur.EngagementID); err != nil {
		return err
	}
	sent, err := readRiskInput(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	return apiUpdate(c, sent, apiEdit[pages.RiskFormValues]{
		load: func() (pages.RiskFormValues, int, error) {
			var err error
			cur, err = models.First[models.Risk](ctx, a.db, cur.ID, "Engagement", "Owner")
			return riskValues(cur), cur.Version, err
		},
		save: func(v pages.RiskFormValues, version int) (map[string]string, error) {
			_, errs, err := a.saveRisk(c, cur, v, version)
			return errs, err
		},
		answer: func() error {
			saved, err := models.First[models.Risk](ctx, a.db, cur.ID, "Engagement", "Owner")
			if err != nil {
				return err
			}
			return a.answerRisk(c, http.StatusOK, saved)
		},
	})
}
