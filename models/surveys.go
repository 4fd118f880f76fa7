package models

// Partnership health surveys (DOMAIN: Governance): each quarter an
// engagement's managers score the partnership 1–5 on the seeds' own
// dimensions, each with an optional comment. A fall of a point or more on a
// dimension since the engagement's previous survey, or a score of 2 or less,
// suggests a risk to the manager, who accepts it into the register or
// dismisses it.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// SurveyDimension is one thing a partnership survey scores.
type SurveyDimension struct {
	Key, Label string
	Category   string // the register's category of the risk a fall suggests
}

// SurveyDimensions are the survey's dimensions, in order. A fall suggests a
// risk of the relationship, in one of the two categories the survey
// watches: how the two sides work together day to day (communication,
// responsiveness, and the service as it is felt), or how the two
// organisations fit (culture, innovation, the balance of control).
var SurveyDimensions = []SurveyDimension{
	{"communication", "Communication", "Communication & coordination"},
	{"cultural_fit", "Cultural fit", "Cultural & organisational fit"},
	{"service_quality", "Service quality", "Communication & coordination"},
	{"responsiveness", "Responsiveness", "Communication & coordination"},
	{"innovation", "Innovation", "Cultural & organisational fit"},
	{"control_autonomy", "Balance of control and autonomy", "Cultural & organisational fit"},
}

// Survey is an engagement's partnership survey of a quarter.
type Survey struct {
	ID                  uint `gorm:"primaryKey"`
	EngagementID        uint
	Quarter             string
	Communication       int
	CulturalFit         int
	ServiceQuality      int
	Responsiveness      int
	Innovation          int
	ControlAutonomy     int
	CommunicationNote   string
	CulturalFitNote     string
	ServiceQualityNote  string
	ResponsivenessNote  string
	InnovationNote      string
	ControlAutonomyNote string
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName is the surveys' table (migration 25).
func (Survey) TableName() string { return "partnership_surveys" }

// SurveyEntity names surveys in the history.
const SurveyEntity = "partnership_survey"

var surveyFields = []string{"Communication", "CulturalFit", "ServiceQuality", "Responsiveness", "Innovation", "ControlAutonomy",
	"CommunicationNote", "CulturalFitNote", "ServiceQualityNote", "ResponsivenessNote", "InnovationNote", "ControlAutonomyNote"}

// Scores are the survey's scores in SurveyDimensions' order.
func (s Survey) Scores() []int {
	return []int{s.Communication, s.CulturalFit, s.ServiceQuality, s.Responsiveness, s.Innovation, s.ControlAutonomy}
}

// Notes are the survey's comments in SurveyDimensions' order.
func (s Survey) Notes() []string {
	return []string{s.CommunicationNote, s.CulturalFitNote, s.ServiceQualityNote, s.ResponsivenessNote, s.InnovationNote, s.ControlAutonomyNote}
}

// Average is the mean of the scores, to one decimal's worth.
func (s Survey) Average() float64 {
	sum := 0
	for _, v := range s.Scores() {
		sum += v
	}
	return float64(sum) / float64(len(SurveyDimensions))
}

// SurveysOf lists an engagement's surveys, the latest quarter first, at most n.
func SurveysOf(ctx context.Context, db *gorm.DB, engagementID uint, n int) ([]Survey, error) {
	var out []Survey
	err := db.WithContext(ctx).Where("engagement_id = ?", engagementID).Order("quarter DESC").Limit(n).Find(&out).Error
	return out, err
}

// SurveyOf is an engagement's survey of a quarter (ok false when none is recorded).
func SurveyOf(ctx context.Context, db *gorm.DB, engagementID uint, quarter string) (s Survey, ok bool, err error) {
	err = db.WithContext(ctx).Where("engagement_id = ? AND quarter = ?", engagementID, quarter).Limit(1).Find(&s).Error
	return s, s.ID != 0, err
}

// Suggestion is a risk a survey suggests, and what the manager made of it.
type Suggestion struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Quarter      string
	Dimension    string // SurveyDimension.Key
	Reason       string // "fell from 4 to 2", "scored 2"
	Status       string // suggested, accepted, dismissed
	RiskID       *uint  // the risk accepted into the register
	DecidedBy    *uint
	DecidedAt    *time.Time
	CreatedAt    time.Time
}

// TableName is the suggestions' table (migration 25).
func (Suggestion) TableName() string { return "survey_suggestions" }

// The states of a suggestion.
const (
	SuggestionOpen      = "suggested"
	SuggestionAccepted  = "accepted"
	SuggestionDismissed = "dismissed"
)

// SuggestionEntity names suggestions in the history.
const SuggestionEntity = "survey_suggestion"

// suggestionsFor works out the suggestions of survey s against the
// engagement's survey before it (prev, zero when none): a fall of 1 point
// or more, or a score of 2 or less.
func suggestionsFor(s, prev Survey) []Suggestion {
	var out []Suggestion
	before := prev.Scores()
	for i, v := range s.Scores() {
		reason := ""
		switch {
		case prev.ID != 0 && before[i]-v >= 1:
			reason = fmt.Sprintf("fell from %d to %d since %s", before[i], v, prev.Quarter)
		case v <= 2:
			reason = fmt.Sprintf("scored %d", v)
		}
		if reason != "" {
			out = append(out, Suggestion{EngagementID: s.EngagementID, Quarter: s.Quarter, Dimension: SurveyDimensions[i].Key, Reason: reason, Status: SuggestionOpen})
		}
	}
	return out
}

// SaveSurvey writes an engagement's survey of a quarter: created at version
// 0 (none yet) or updated if still at version (ErrStale otherwise), each
// field changed a history row; then the risks it suggests are noted (those
// of the quarter not yet decided are worked out again).
func SaveSurvey(ctx context.Context, db *gorm.DB, userID *uint, at time.Time, next Survey, version int) (Survey, error) {
	at = at.UTC()
	var out Survey
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		current, ok, err := SurveyOf(ctx, tx, next.EngagementID, next.Quarter)
		switch {
		case err != nil:
			return err
		case !ok:
			if version != 0 {
				return ErrStale
			}
			next.ID, next.Version, next.CreatedAt, next.UpdatedAt = 0, 1, at, at
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			if err := RecordChanges(tx, Created(SurveyEntity, next.ID, userID, at, next, surveyFields...)); err != nil {
				return err
			}
		default:
			changes := Diff(SurveyEntity, current.ID, userID, at, current, next, surveyFields...)
			cols := map[string]any{"updated_at": at}
			for _, f := range surveyFields {
				cols[naming.ColumnName("", f)] = fieldByColumn(&next, naming.ColumnName("", f), surveyFields)
			}
			if err := UpdateVersioned(tx, &Survey{}, current.ID, version, cols); err != nil {
				return err
			}
			if err := RecordChanges(tx, changes); err != nil {
				return err
			}
			next.ID, next.Version, next.CreatedAt, next.UpdatedAt = current.ID, version+1, current.CreatedAt, at
		}
		out = next
		// This quarter's suggestions against the survey before it, and the
		// next survey's against this one (an earlier quarter saved late).
		var prev, later Survey
		if err := tx.Where("engagement_id = ? AND quarter < ?", next.EngagementID, next.Quarter).Order("quarter DESC").Limit(1).Find(&prev).Error; err != nil {
			return err
		}
		if err := tx.Where("engagement_id = ? AND quarter > ?", next.EngagementID, next.Quarter).Order("quarter").Limit(1).Find(&later).Error; err != nil {
			return err
		}
		if err := syncSuggestions(tx, next, prev, at); err != nil {
			return err
		}
		if later.ID != 0 {
			return syncSuggestions(tx, later, next, at)
		}
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrStale // two first surveys of the quarter at once
	}
	return out, err
}

// syncSuggestions brings survey s's suggestions in line with its scores
// against prev (the survey before it): one still suggested keeps its row
// (and its id, which a page may be showing) with its reason brought up to
// date; one no longer suggested goes; a new one is added; one accepted or
// dismissed stays as decided.
func syncSuggestions(tx *gorm.DB, s, prev Survey, at time.Time) error {
	var had []Suggestion
	if err := tx.Where("engagement_id = ? AND quarter = ?", s.EngagementID, s.Quarter).Find(&had).Error; err != nil {
		return err
	}
	byDim := map[string]Suggestion{}
	for _, h := range had {
		byDim[h.Dimension] = h
	}
	want := map[string]bool{}
	for _, sg := range suggestionsFor(s, prev) {
		want[sg.Dimension] = true
		h, ok := byDim[sg.Dimension]
		switch {
		case !ok:
			sg.CreatedAt = at
			if err := tx.Create(&sg).Error; err != nil {
				return err
			}
		case h.Status == SuggestionOpen && h.Reason != sg.Reason:
			if err := tx.Model(&Suggestion{}).Where("id = ?", h.ID).Update("reason", sg.Reason).Error; err != nil {
				return err
			}
		}
	}
	for _, h := range had {
		if h.Status == SuggestionOpen && !want[h.Dimension] {
			if err := tx.Delete(&Suggestion{}, h.ID).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// OpenSuggestions lists an engagement's suggested risks not yet decided.
func OpenSuggestions(ctx context.Context, db *gorm.DB, engagementID uint) ([]Suggestion, error) {
	var out []Suggestion
	err := db.WithContext(ctx).Where("engagement_id = ? AND status = ?", engagementID, SuggestionOpen).Order("quarter DESC, id").Find(&out).Error
	return out, err
}

// ErrSuggestionDecided is a decision on a suggestion already decided.
var ErrSuggestionDecided = errors.New("the suggestion is decided already")

// DecideSuggestion accepts a suggested risk into the register (a new risk of
// the dimension's category, owned by who accepts it, for them to assess) or
// dismisses it, in one transaction with its history. It returns the risk
// accepted (ID 0 when dismissed).
func DecideSuggestion(ctx context.Context, db *gorm.DB, act Actor, id uint, accept bool) (Risk, error) {
	var risk Risk
	var err error
	// Two risks raised on one engagement at once can draw the same
	// reference: the unique index refuses the second, which draws again.
	for attempt := 0; attempt < 5; attempt++ {
		risk, err = decideSuggestion(ctx, db, act, id, accept)
		if !errors.Is(err, ErrRefTaken) {
			break
		}
	}
	return risk, err
}

func decideSuggestion(ctx context.Context, db *gorm.DB, act Actor, id uint, accept bool) (Risk, error) {
	var risk Risk
	err := sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		var sg Suggestion
		if err := tx.Limit(1).Find(&sg, id).Error; err != nil {
			return err
		}
		if sg.ID == 0 || sg.Status != SuggestionOpen {
			return ErrSuggestionDecided
		}
		at := act.stamp(tx)
		cols := map[string]any{"status": SuggestionDismissed, "decided_by": act.UserID, "decided_at": at}
		if accept {
			dim := SurveyDimensions[0]
			for _, d := range SurveyDimensions {
				if d.Key == sg.Dimension {
					dim = d
				}
			}
			e := sg.EngagementID
			risk = Risk{EngagementID: &e, Title: fmt.Sprintf("Partnership: %s %s", lowerFirst(dim.Label), sg.Reason),
				Description: fmt.Sprintf("Suggested by the partnership survey of %s: %s %s. Assess it and plan its mitigation.", sg.Quarter, dim.Label, sg.Reason),
				Category:    dim.Category, InherentLikelihood: 3, InherentImpact: 3, ResidualLikelihood: 3, ResidualImpact: 3,
				Response: "reduce", OwnerID: act.UserID, Status: StatusOpen}
			risk.Normalise()
			risk.RaisedOn = act.today()
			risk.NextReview = act.Settings.Risk.NextReview(risk.RaisedOn, risk.ResidualScore)
			if errs := risk.Problems(); len(errs) > 0 {
				return fmt.Errorf("the suggested risk is not valid: %v", errs)
			}
			if err := createRiskTx(ctx, tx, act, &risk, ActionCreate, nil); err != nil {
				return err
			}
			cols["status"], cols["risk_id"] = SuggestionAccepted, risk.ID
		}
		res := tx.Model(&Suggestion{}).Where("id = ? AND status = ?", id, SuggestionOpen).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrSuggestionDecided
		}
		return RecordChanges(tx, []Change{{Entity: SuggestionEntity, EntityID: id, Action: "update", Field: "status", Old: SuggestionOpen,
			New: cols["status"].(string), UserID: act.UserID, At: at}})
	})
	return risk, err
}

// dimensionLabelOf is a dimension's label by its key.
func dimensionLabelOf(key string) string {
	for _, d := range SurveyDimensions {
		if d.Key == key {
			return d.Label
		}
	}
	return key
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// Cooling is a partnership whose latest survey fell or scored low.
type Cooling struct {
	EngagementID uint
	Code, Name   string
	Quarter      string
	Average      float64
	Change       float64 // since the survey before (0 without one)
	Open         int64   // suggestions not yet decided
	Why          string  // what fell or scored low: "Communication fell from 4 to 2 since 2026-Q2; …"
}

// CoolingPartnerships lists the open engagements whose latest survey has a
// suggestion (a fall of a point or a score of 2 or less) not dismissed, the
// largest fall first; at most limit, and how many in all. It starts from the
// suggestions, which only a cooling partnership has.
func CoolingPartnerships(ctx context.Context, db *gorm.DB, limit int) ([]Cooling, int64, error) {
	db = db.WithContext(ctx)
	var rows []struct {
		Survey
		Code, Name string
		Status     string
		Dimension  string
		Reason     string
	}
	err := db.Raw(`SELECT s.*, e.code, e.name, g.status, g.dimension, g.reason FROM survey_suggestions g
		JOIN partnership_surveys s ON s.engagement_id = g.engagement_id AND s.quarter = g.quarter
		JOIN engagements e ON e.id = s.engagement_id AND e.closed_on IS NULL
		WHERE g.status <> ? AND s.quarter = (SELECT MAX(quarter) FROM partnership_surveys x WHERE x.engagement_id = s.engagement_id)
		ORDER BY s.engagement_id, g.id`, SuggestionDismissed).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	// The survey before each latest one, read in one statement.
	var ids []uint
	latest := map[uint]string{}
	for _, r := range rows {
		if _, ok := latest[r.EngagementID]; !ok {
			ids = append(ids, r.EngagementID)
		}
		latest[r.EngagementID] = r.Quarter
	}
	var earlier []Survey
	if len(ids) > 0 {
		if err := db.Where("engagement_id IN ?", ids).Order("engagement_id, quarter DESC").Find(&earlier).Error; err != nil {
			return nil, 0, err
		}
	}
	before := map[uint]Survey{}
	for _, e := range earlier { // each engagement's newest first: the first before its latest is the one
		if _, seen := before[e.EngagementID]; !seen && e.Quarter < latest[e.EngagementID] {
			before[e.EngagementID] = e
		}
	}
	var out []Cooling
	for i, r := range rows {
		why := dimensionLabelOf(r.Dimension) + " " + r.Reason
		if i > 0 && rows[i-1].EngagementID == r.EngagementID {
			if r.Status == SuggestionOpen {
				out[len(out)-1].Open++
			}
			out[len(out)-1].Why += "; " + why
			continue
		}
		s := r.Survey
		c := Cooling{EngagementID: s.EngagementID, Code: r.Code, Name: r.Name, Quarter: s.Quarter, Average: s.Average(), Why: why}
		if r.Status == SuggestionOpen {
			c.Open++
		}
		if prev, ok := before[s.EngagementID]; ok {
			c.Change = s.Average() - prev.Average()
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Change != b.Change {
			return a.Change < b.Change
		}
		if a.Average != b.Average {
			return a.Average < b.Average
		}
		return a.Code < b.Code
	})
	n := int64(len(out))
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, n, nil
}

// VendorQuarter is a vendor's partnership health in a quarter: the mean of
// its engagements' survey averages, and how many surveys it is of.
type VendorQuarter struct {
	Quarter string
	Average float64
	Surveys int
}

// VendorSurveyTrend is a vendor's partnership health in each of quarters
// (in their order), from the surveys of its engagements, open or not; a
// quarter without a survey has Surveys 0. One statement, grouped by quarter.
func VendorSurveyTrend(ctx context.Context, db *gorm.DB, vendorID uint, quarters []string) ([]VendorQuarter, error) {
	var rows []struct {
		Quarter string
		Sum     int64
		N       int
	}
	err := db.WithContext(ctx).Table("partnership_surveys s").Joins("JOIN engagements e ON e.id = s.engagement_id").
		Select("s.quarter, SUM(s.communication + s.cultural_fit + s.service_quality + s.responsiveness + s.innovation + s.control_autonomy) AS sum, COUNT(*) AS n").
		Where("e.vendor_id = ? AND s.quarter IN ?", vendorID, quarters).Group("s.quarter").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	by := map[string]VendorQuarter{}
	for _, r := range rows {
		// The mean of the surveys' averages is their scores' total over six times their count.
		by[r.Quarter] = VendorQuarter{Quarter: r.Quarter, Average: float64(r.Sum) / float64(len(SurveyDimensions)*r.N), Surveys: r.N}
	}
	out := make([]VendorQuarter, len(quarters))
	for i, q := range quarters {
		out[i] = by[q]
		out[i].Quarter = q
	}
	return out, nil
}
