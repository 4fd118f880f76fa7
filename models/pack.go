package models

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Pack is a quarterly review pack: the portfolio's figures for a quarter as at
// its end, then one section per engagement. It is plain data so that a
// published pack can be frozen as JSON and rendered later exactly as it was.
type Pack struct {
	Quarter     string
	Previous    string
	Start, End  Date
	ProducedOn  Date
	Currency    string
	Published   bool
	PublishedBy string
	PublishedAt time.Time

	Summary     []Headline
	Savings     PackSavings
	SLA         PackSLA
	Risks       PackRisks
	Transfers   []PackTransfer
	Lessons     []PackLesson
	Decisions   []PackDecision
	Actions     []PackAction
	Engagements []EngagementPack
	Rates       []RateUsed
	Missing     []string
}

// Headline is a figure of the executive summary with its value last quarter.
type Headline struct {
	Label, Value, Previous, Change string
	Better                         int // +1 better than last quarter, -1 worse, 0 same or not comparable
}

// PackSavings are money figures rounded once, in the pack's currency (minor units).
type PackSavings struct {
	Quarter, QuarterPlan, YTD, YTDPlan, Baseline int64 // hard savings, net realised
	AvoidQuarter, AvoidYTD                       int64 // cost avoidance, never added to hard savings
	RunRate                                      int64
	Trend                                        []PackQuarterSavings
}

// PackQuarterSavings is one quarter of the savings trend.
type PackQuarterSavings struct {
	Quarter      string
	Net, Planned int64
}

// PackSLA is service-level attainment and the quarter's breaches.
type PackSLA struct {
	Met, Measured int64
	Breaches      []PackBreach
}

// PackBreach is one missed service level in one month.
type PackBreach struct {
	Engagement, SLA, Month, Actual, Target string
	Credit                                 string
}

// PackRisks are the register as at the quarter's end and its movement since the previous one.
type PackRisks struct {
	Open                                int
	Heat                                [5][5]int
	Bands                               map[string]int
	Top                                 []PackRisk
	New, Escalated, DeEscalated, Closed int
	Moves                               []PackRisk // risks that moved, for the table
}

// PackRisk is a risk as a pack prints it.
type PackRisk struct {
	Ref, Title, Engagement, Category, Owner, Status string
	Residual, PrevResidual                          int
	Band, Movement                                  string
}

// PackTransfer is a BOT engagement's transfer position.
type PackTransfer struct {
	Engagement, Phase, Planned string
	Readiness                  float64
	HasReadiness               bool
	Done, Due                  []string // milestones done in the quarter, due next quarter
}

// PackLesson is a lesson captured in the quarter.
type PackLesson struct {
	Title, Outcome, Phase, Engagement, Lesson string
}

// PackDecision is an engagement review's decisions and escalations.
type PackDecision struct {
	Engagement, Rating, Decisions, Escalations string
}

// PackAction is an action agreed at a review.
type PackAction struct {
	Engagement, Action, Owner, Due, Status string
}

// EngagementPack is one engagement's section of the pack.
type EngagementPack struct {
	ID                                      uint
	Code, Name, Model, Tower, Vendor, Phase string
	Manager, Currency                       string
	Rating                                  string
	Commentary, Decisions, Escalations      string
	Savings                                 PackSavings
	SLAMet, SLAMeasured                     int64
	Breaches                                []PackBreach
	Risks                                   []PackRisk
	RiskMoves                               int
	Transfer                                *PackTransfer
	Lessons                                 []PackLesson
	Actions                                 []PackAction
}

// PublishedPackFor returns the frozen pack of a quarter, or nil when it is a draft.
func PublishedPackFor(ctx context.Context, db *gorm.DB, quarter string) (*Pack, error) {
	var row PublishedPack
	err := db.WithContext(ctx).Where("quarter = ? AND engagement_id IS NULL", quarter).Order("published_at DESC").First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p Pack
	if err := json.Unmarshal([]byte(row.Snapshot), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// PublishPack freezes a pack: its figures are stored and later edits never change it.
// A quarter is published once; ErrStale when it already is.
func PublishPack(ctx context.Context, db *gorm.DB, p *Pack, by User, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&PublishedPack{}).Where("quarter = ? AND engagement_id IS NULL", p.Quarter).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrStale
		}
		p.Published, p.PublishedBy, p.PublishedAt = true, by.Name, at.UTC()
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		row := PublishedPack{Quarter: p.Quarter, Snapshot: string(b), PublishedBy: by.ID, PublishedAt: at.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		uid := by.ID
		return RecordChanges(tx, []Change{{Entity: "pack", EntityID: row.ID, Action: "publish", Field: "quarter", New: p.Quarter, UserID: &uid, At: at.UTC()}})
	})
}
