package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/pack"
	"portfolio/web"
)

// The API's reads of an engagement's records (costs, service levels and
// their results, milestones, readiness items), of lessons, of the savings
// figures and of the published quarterly packs.

// idFilters reads id query parameters (?engagement=, ?sla=) as
// column conditions; a value that is not an id is a 422.
func idFilters(c echo.Context, params map[string]string) (map[string]any, error) {
	where := map[string]any{}
	for param, col := range params {
		s := c.QueryParam(param)
		if s == "" {
			continue
		}
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n == 0 {
			return nil, web.Invalid("The query is not valid.", map[string]string{param: "An id: a whole number."})
		}
		where[col] = uint(n)
	}
	return where, nil
}

// listOf answers a page of T (optionally filtered by ids in the query) as U.
func listOf[T, U any](a *App, c echo.Context, filters map[string]string, conv func(T) U, idOf func(U) uint, preload ...string) error {
	limit, after, err := apiPage(c)
	if err != nil {
		return err
	}
	where, err := idFilters(c, filters)
	if err != nil {
		return err
	}
	rows, err := models.ListAfter[T](c.Request().Context(), a.db, after, limit+1, where, preload...)
	if err != nil {
		return err
	}
	return writeList(c, mapRows(rows, conv), limit, idOf)
}

// showOf answers the record of the path's :id as U, its ETag from etag (nil: from the body).
func showOf[T, U any](a *App, c echo.Context, conv func(T) U, etag func(T) string) error {
	r, err := apiFirst[T](a, c)
	if err != nil {
		return err
	}
	tag := ""
	if etag != nil {
		tag = etag(r)
	}
	return apiJSON(c, http.StatusOK, conv(r), tag)
}

var byEngagement = map[string]string{"engagement": "engagement_id"}

type apiCost struct {
	ID             uint   `json:"id"`
	EngagementID   uint   `json:"engagement_id"`
	Month          string `json:"month"`
	Currency       string `json:"currency"`
	Baseline       int64  `json:"baseline"`
	VendorFees     int64  `json:"vendor_fees"`
	Retained       int64  `json:"retained"`
	OneOff         int64  `json:"one_off"`
	Credits        int64  `json:"credits"`
	PlannedSavings int64  `json:"planned_savings"`
	SavingsType    string `json:"savings_type"`
	Version        int    `json:"version"`
}

func costJSON(r models.CostRecord) apiCost {
	return apiCost{ID: r.ID, EngagementID: r.EngagementID, Month: r.Month.Format("2006-01"), Currency: r.Currency, Baseline: r.Baseline,
		VendorFees: r.VendorFees, Retained: r.Retained, OneOff: r.OneOff, Credits: r.Credits, PlannedSavings: r.PlannedSavings,
		SavingsType: r.SavingsType, Version: r.Version}
}

// apiCosts lists cost records (?engagement=). Route: api.costs.index.
func (a *App) apiCosts(c echo.Context) error {
	return listOf(a, c, byEngagement, costJSON, func(x apiCost) uint { return x.ID })
}

type apiSLA struct {
	ID           uint   `json:"id"`
	EngagementID uint   `json:"engagement_id"`
	Name         string `json:"name"`
	Target       string `json:"target"`
	Unit         string `json:"unit"`
	Direction    string `json:"direction"`
	CreditPct    int    `json:"credit_pct"`
	Archived     bool   `json:"archived"`
	Version      int    `json:"version"`
}

func slaJSON(s models.ServiceLevel) apiSLA {
	return apiSLA{ID: s.ID, EngagementID: s.EngagementID, Name: s.Name, Target: thousandths(s.Target), Unit: s.Unit, Direction: s.Direction,
		CreditPct: s.CreditPct, Archived: s.Archived, Version: s.Version}
}

// thousandths writes a value kept in thousandths as an exact decimal ("99.5").
func thousandths(n int64) string { return milliField(n) }

// apiSLAs lists service levels (?engagement=). Route: api.slas.index.
func (a *App) apiSLAs(c echo.Context) error {
	return listOf(a, c, byEngagement, slaJSON, func(x apiSLA) uint { return x.ID })
}

type apiSLAResult struct {
	ID             uint   `json:"id"`
	ServiceLevelID uint   `json:"sla_id"`
	EngagementID   uint   `json:"engagement_id"`
	Month          string `json:"month"`
	Actual         string `json:"actual"`
	Met            bool   `json:"met"`
	Note           string `json:"note"`
	Version        int    `json:"version"`
}

func slaResultJSON(m models.SLAMeasurement) apiSLAResult {
	return apiSLAResult{ID: m.ID, ServiceLevelID: m.ServiceLevelID, EngagementID: m.EngagementID, Month: m.Month.Format("2006-01"),
		Actual: thousandths(m.Actual), Met: m.Met, Note: m.Note, Version: m.Version}
}

// apiSLAResults lists service-level results (?engagement=, ?sla=). Route: api.sla_results.index.
func (a *App) apiSLAResults(c echo.Context) error {
	return listOf(a, c, map[string]string{"engagement": "engagement_id", "sla": "service_level_id"}, slaResultJSON,
		func(x apiSLAResult) uint { return x.ID })
}

type apiMilestone struct {
	ID           uint   `json:"id"`
	EngagementID uint   `json:"engagement_id"`
	Phase        string `json:"phase"`
	Name         string `json:"name"`
	IsKey        bool   `json:"is_key"`
	Planned      string `json:"planned"`
	Forecast     string `json:"forecast"`
	Actual       string `json:"actual"`
	Version      int    `json:"version"`
}

func milestoneJSON(m models.Milestone) apiMilestone {
	return apiMilestone{ID: m.ID, EngagementID: m.EngagementID, Phase: m.Phase, Name: m.Name, IsKey: m.IsKey, Planned: m.Planned.String(),
		Forecast: m.Forecast.String(), Actual: m.Actual.String(), Version: m.Version}
}

// apiMilestones lists milestones (?engagement=). Route: api.milestones.index.
func (a *App) apiMilestones(c echo.Context) error {
	return listOf(a, c, byEngagement, milestoneJSON, func(x apiMilestone) uint { return x.ID })
}

type apiReadiness struct {
	ID           uint   `json:"id"`
	EngagementID uint   `json:"engagement_id"`
	Area         string `json:"area"`
	Weight       int    `json:"weight"`
	Status       string `json:"status"`
	Owner        string `json:"owner"`
	Evidence     string `json:"evidence"`
	Version      int    `json:"version"`
}

// readinessStatusNames are a readiness item's statuses as the API names them.
var readinessStatusNames = map[int]string{models.ReadinessNotStarted: "not_started", models.ReadinessInProgress: "in_progress", models.ReadinessDone: "done"}

func readinessJSON(r models.ReadinessItem) apiReadiness {
	return apiReadiness{ID: r.ID, EngagementID: r.EngagementID, Area: r.Area, Weight: r.Weight, Status: readinessStatusNames[r.Status],
		Owner: r.Owner, Evidence: r.Evidence, Version: r.Version}
}

// apiReadinessItems lists BOT transfer-readiness items (?engagement=). Route: api.readiness.index.
func (a *App) apiReadinessItems(c echo.Context) error {
	return listOf(a, c, byEngagement, readinessJSON, func(x apiReadiness) uint { return x.ID })
}

type apiLesson struct {
	ID           uint   `json:"id"`
	Title        string `json:"title"`
	WhatHappened string `json:"what_happened"`
	Lesson       string `json:"lesson"`
	Outcome      string `json:"outcome"`
	Phase        string `json:"phase"`
	Category     string `json:"category"`
	EngagementID *uint  `json:"engagement_id"`
	Tower        string `json:"tower"`
	Tags         string `json:"tags"`
	LearnedOn    string `json:"learned_on"`
	Archived     bool   `json:"archived"`
	Version      int    `json:"version"`
}

func lessonJSON(l models.Lesson) apiLesson {
	return apiLesson{ID: l.ID, Title: l.Title, WhatHappened: l.WhatHappened, Lesson: l.Lesson, Outcome: l.Outcome, Phase: l.Phase,
		Category: l.Category, EngagementID: l.EngagementID, Tower: l.Tower, Tags: l.Tags, LearnedOn: l.LearnedOn.String(),
		Archived: l.Archived, Version: l.Version}
}

// apiLessons lists lessons learned (?engagement=). Route: api.lessons.index.
func (a *App) apiLessons(c echo.Context) error {
	return listOf(a, c, byEngagement, lessonJSON, func(x apiLesson) uint { return x.ID })
}

// apiLesson is one lesson. Route: api.lessons.show.
func (a *App) apiLesson(c echo.Context) error { return showOf(a, c, lessonJSON, nil) }

// apiSavings are the savings page's figures for a scope and quarter, in the
// reporting currency's minor units, each rounded once.
type apiSavings struct {
	Currency       string              `json:"currency"`
	Quarter        string              `json:"quarter"`
	InProgress     bool                `json:"in_progress"`
	Scope          apiSavingsScope     `json:"scope"`
	InQuarter      apiSplit            `json:"in_quarter"`
	YearToDate     apiSplit            `json:"year_to_date"`
	Cumulative     apiSplit            `json:"cumulative"`
	RunRateQuarter string              `json:"run_rate_quarter"`
	RunRate        int64               `json:"run_rate"`
	ByQuarter      []apiQuarterSavings `json:"by_quarter"`
}

type apiSavingsScope struct {
	EngagementID uint   `json:"engagement_id,omitempty"`
	VendorID     uint   `json:"vendor_id,omitempty"`
	Tower        string `json:"tower,omitempty"`
}

type apiSplit struct {
	Hard      apiSavingsFigures `json:"hard"`
	Avoidance apiSavingsFigures `json:"avoidance"`
}

type apiSavingsFigures struct {
	Baseline    int64    `json:"baseline"`
	VendorFees  int64    `json:"vendor_fees"`
	Retained    int64    `json:"retained"`
	Credits     int64    `json:"credits"`
	Recurring   int64    `json:"recurring"`
	OneOff      int64    `json:"one_off"`
	Gross       int64    `json:"gross"`
	Net         int64    `json:"net"`
	Planned     int64    `json:"planned"`
	Variance    int64    `json:"variance"`
	Months      int      `json:"months"`
	Provisional []string `json:"provisional"`
}

type apiQuarterSavings struct {
	Quarter string   `json:"quarter"`
	Split   apiSplit `json:"savings"`
}

func savingsFiguresJSON(s models.Savings) apiSavingsFigures {
	out := apiSavingsFigures{Baseline: s.Baseline.Minor(), VendorFees: s.VendorFees.Minor(), Retained: s.Retained.Minor(), Credits: s.Credits.Minor(),
		Recurring: s.Recurring.Minor(), OneOff: s.OneOff.Minor(), Gross: s.Gross.Minor(), Net: s.Net.Minor(), Planned: s.Planned.Minor(),
		Variance: s.Variance().Minor(), Months: s.Months, Provisional: s.Provisional}
	if out.Provisional == nil {
		out.Provisional = []string{}
	}
	return out
}

func splitJSON(s models.Split) apiSplit {
	return apiSplit{Hard: savingsFiguresJSON(s.Hard), Avoidance: savingsFiguresJSON(s.Avoidance)}
}

// apiSavingsFor answers the savings page's figures (?engagement=, ?vendor=,
// ?tower=, ?quarter=), computed by the same code. Route: api.savings.
func (a *App) apiSavingsFor(c echo.Context) error {
	sv, err := a.savingsOf(c)
	if err != nil {
		return err
	}
	f := sv.figures
	out := apiSavings{Currency: sv.settings.Finance.ReportingCurrency, Quarter: f.AsAt.String(), InProgress: f.InProgress,
		Scope:     apiSavingsScope{EngagementID: sv.filter.EngagementID, VendorID: sv.filter.VendorID, Tower: sv.filter.Tower},
		InQuarter: splitJSON(f.Quarter), YearToDate: splitJSON(f.YTD), Cumulative: splitJSON(f.Cumulative),
		RunRateQuarter: f.RunRateQ.String(), RunRate: f.RunRate(models.SavingsHard).Minor(), ByQuarter: []apiQuarterSavings{}}
	for _, q := range f.Quarters {
		out.ByQuarter = append(out.ByQuarter, apiQuarterSavings{Quarter: q.String(), Split: splitJSON(f.ByQuarter[q])})
	}
	return apiJSON(c, http.StatusOK, out, "")
}

type apiPackVersion struct {
	Quarter     string `json:"quarter"`
	Version     int    `json:"version"`
	PublishedBy string `json:"published_by"`
	PublishedAt string `json:"published_at"`
	Reason      string `json:"reason"`
}

// apiPacks lists the published quarterly packs, every version. Route: api.packs.index.
func (a *App) apiPacks(c echo.Context) error {
	rows, err := pack.PublishedVersions(c.Request().Context(), a.db)
	if err != nil {
		return err
	}
	out := struct {
		Data []apiPackVersion `json:"data"`
	}{Data: []apiPackVersion{}}
	for _, v := range rows {
		out.Data = append(out.Data, apiPackVersion{Quarter: v.Quarter, Version: v.Version, PublishedBy: v.PublishedBy,
			PublishedAt: v.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"), Reason: v.Reason})
	}
	return apiJSON(c, http.StatusOK, out, "")
}

type apiPack struct {
	Quarter     string         `json:"quarter"`
	Version     int            `json:"version"`
	Correction  string         `json:"correction"`
	Currency    string         `json:"currency"`
	ProducedOn  string         `json:"produced_on"`
	PublishedBy string         `json:"published_by"`
	PublishedAt string         `json:"published_at"`
	Headlines   []apiHeadline  `json:"headlines"`
	Savings     apiPackSavings `json:"savings"`
	SLAMet      int64          `json:"sla_met"`
	SLAMeasured int64          `json:"sla_measured"`
	Provisional []string       `json:"provisional"`
}

type apiHeadline struct {
	Label    string `json:"label"`
	Value    string `json:"value"`
	Previous string `json:"previous"`
	Change   string `json:"change"`
}

type apiPackSavings struct {
	Quarter     int64 `json:"quarter"`
	QuarterPlan int64 `json:"quarter_plan"`
	YTD         int64 `json:"ytd"`
	YTDPlan     int64 `json:"ytd_plan"`
	Baseline    int64 `json:"baseline"`
	AvoidQ      int64 `json:"avoidance_quarter"`
	AvoidYTD    int64 `json:"avoidance_ytd"`
	RunRate     int64 `json:"run_rate"`
}

// apiPack is a published quarter's pack figures, as frozen (?version=, else
// the latest); a quarter not published is 404. Route: api.packs.show.
func (a *App) apiPack(c echo.Context) error {
	version := 0
	if s := c.QueryParam("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return web.Invalid("The query is not valid.", map[string]string{"version": "A version number: 1 or more."})
		}
		version = n
	}
	p, err := pack.PublishedPackVersion(c.Request().Context(), a.db, c.Param("quarter"), version)
	if err != nil {
		return err
	}
	if p == nil {
		return web.NewProblem(http.StatusNotFound, "No pack of that quarter (or version) is published.")
	}
	out := apiPack{Quarter: p.Quarter, Version: p.Version, Correction: p.Correction, Currency: p.Currency, ProducedOn: p.ProducedOn.String(),
		PublishedBy: p.PublishedBy, PublishedAt: p.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"), Headlines: []apiHeadline{},
		Savings: apiPackSavings{Quarter: p.Savings.Quarter, QuarterPlan: p.Savings.QuarterPlan, YTD: p.Savings.YTD, YTDPlan: p.Savings.YTDPlan,
			Baseline: p.Savings.Baseline, AvoidQ: p.Savings.AvoidQuarter, AvoidYTD: p.Savings.AvoidYTD, RunRate: p.Savings.RunRate},
		SLAMet: p.SLA.Met, SLAMeasured: p.SLA.Measured, Provisional: p.Provisional}
	if out.Provisional == nil {
		out.Provisional = []string{}
	}
	for _, h := range p.Summary {
		out.Headlines = append(out.Headlines, apiHeadline{Label: h.Label, Value: h.Value, Previous: h.Previous, Change: h.Change})
	}
	return apiJSON(c, http.StatusOK, out, "")
}
