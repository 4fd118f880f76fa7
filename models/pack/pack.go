package pack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// Pack is a quarterly review pack: the portfolio's figures for a quarter as at
// its end, then one section per engagement. It is plain data so that a
// published pack can be frozen as JSON and rendered later exactly as it was.
type Pack struct {
	Quarter     string
	Previous    string
	Start, End  models.Date
	ProducedOn  models.Date
	Currency    string
	Published   bool
	PublishedBy string
	PublishedAt time.Time
	Version     int    // the published version (a correction is 2 or more)
	Correction  string // why this version corrects the one before

	Summary   []Headline
	Savings   PackSavings
	SLA       PackSLA
	Risks     PackRisks
	Transfers []PackTransfer
	Lessons   []PackLesson
	Decisions []PackDecision
	// Meetings are the governance meetings of the quarter that recorded
	// decisions, by engagement and date (nil in packs published before they
	// were kept).
	Meetings []PackMeeting `json:",omitempty"`
	// Actions are the actions agreed at the quarter's reviews and meetings:
	// those open at the quarter's end where Tally is kept, every one in packs
	// published before.
	Actions []PackAction
	// Tally counts the quarter's actions by their status at its end (nil in
	// packs published before it was kept).
	Tally       *PackTally       `json:",omitempty"`
	Engagements []EngagementPack // ordered red → amber → green, then by code (by code in packs published before)
	// Status is the status on a page: every engagement's health and RAG per
	// dimension (nil in packs published before it was kept).
	Status []StatusGroup `json:",omitempty"`
	// Trends are the portfolio's last eight quarters (nil in an engagement's
	// pack, and in packs published before they were kept).
	Trends *PackTrends `json:",omitempty"`
	// YearOnYear compares the quarter's hard savings with the same quarter a
	// year before, naming the engagements that moved them most.
	YearOnYear *PackYearOnYear `json:",omitempty"`
	// Commentary is the administrator's key messages and asks of the board
	// (nil when none is written).
	Commentary *PackCommentary `json:",omitempty"`
	// Partnerships are the contracts' notice deadlines of the next quarter
	// and the partnership surveys of this one (nil in an engagement's pack,
	// and in packs published before it was kept).
	Partnerships *PackPartnerships `json:",omitempty"`
	Rates        []models.RateUsed
	Missing      []string
	Provisional  []string // months converted at another month's rate ("INR Dec 2026 at Nov 2026's rate")
}

// PackCommentary is the portfolio commentary of the quarter: a key message
// or an ask a line.
type PackCommentary struct {
	KeyMessages, Asks []string
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
	Moves                               []PackRisk // risks that moved, for the table (the first 25)
	// MovesCount counts every risk that moved (0 in packs published before it was kept).
	MovesCount int `json:",omitempty"`
	// Expired are the accepted risks whose acceptance had expired by the
	// quarter's end (the first 25; ExpiredCount counts them all).
	Expired      []PackRisk `json:",omitempty"`
	ExpiredCount int        `json:",omitempty"`
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
	Gate                       string   `json:",omitempty"` // the latest gate decision by the quarter's end ("go on 12 Sep 2026")
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

// PackAction is an action agreed at a review or a governance meeting, with
// its status as at the quarter's end.
type PackAction struct {
	Engagement, Action, Owner, Due, Status string
	// Meeting names the meeting that agreed it ("Steering committee, 12 Mar
	// 2026"); "" for the quarter's review.
	Meeting string `json:",omitempty"`
	// Overdue marks an action open at the quarter's end after its due date.
	Overdue bool `json:",omitempty"`
	// Reason is why it was dropped.
	Reason string `json:",omitempty"`
}

// PackMeeting is a governance meeting held in the quarter.
type PackMeeting struct {
	Engagement string
	Title      string // "Steering committee, 12 Mar 2026"
	Attendees  string
	Decisions  string
}

// PackTally counts the actions agreed in the quarter by their status at its end.
type PackTally struct {
	Agreed, Done, Dropped, Open, Overdue int
}

// EngagementPack is one engagement's section of the pack.
type EngagementPack struct {
	ID                                      uint
	Code, Name, Model, Tower, Vendor, Phase string
	Manager, Currency                       string
	Rating                                  string
	Commentary, Decisions, Escalations      string
	Savings                                 PackSavings // in the engagement's currency
	// Reported is Savings in the pack's currency when the engagement's is
	// another (nil in packs published before it was kept).
	Reported *PackSavings `json:",omitempty"`
	// Status is its health and RAG per dimension as at the quarter's end.
	Status              *PackStatus `json:",omitempty"`
	SLAMet, SLAMeasured int64
	Breaches            []PackBreach
	Risks               []PackRisk
	RiskMoves           int
	Transfer            *PackTransfer
	Lessons             []PackLesson
	// Meetings are its governance meetings of the quarter, by date (nil in
	// packs published before they were kept).
	Meetings []PackMeeting `json:",omitempty"`
	Actions  []PackAction
}

// PublishedPackFor returns the frozen pack of a quarter (its latest version),
// or nil when it is a draft.
func PublishedPackFor(ctx context.Context, db *gorm.DB, quarter string) (*Pack, error) {
	return PublishedPackVersion(ctx, db, quarter, 0)
}

// PublishedPackVersion returns a version of a quarter's frozen pack (0: the
// latest), or nil when there is no such version.
func PublishedPackVersion(ctx context.Context, db *gorm.DB, quarter string, version int) (*Pack, error) {
	q := db.WithContext(ctx).Where("quarter = ? AND engagement_id IS NULL", quarter)
	if version > 0 {
		q = q.Where("version = ?", version)
	}
	var rows []models.PublishedPack
	if err := q.Order("version DESC").Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	var p Pack
	if err := json.Unmarshal([]byte(rows[0].Snapshot), &p); err != nil {
		return nil, err
	}
	p.Version, p.Correction = rows[0].Version, rows[0].Reason
	return &p, nil
}

// PackVersion is one published version of a quarter's pack, for its list.
type PackVersion struct {
	Version     int
	PublishedBy string
	PublishedAt time.Time
	Reason      string
}

// PackVersions lists the published versions of a quarter's pack, oldest first.
func PackVersions(ctx context.Context, db *gorm.DB, quarter string) ([]PackVersion, error) {
	var out []PackVersion
	err := db.WithContext(ctx).Table("published_packs p").Joins("LEFT JOIN users u ON u.id = p.published_by").
		Where("p.quarter = ? AND p.engagement_id IS NULL", quarter).Order("p.version").
		Select("p.version, COALESCE(u.name, '') AS published_by, p.published_at, p.reason").Scan(&out).Error
	return out, err
}

// PublishPack freezes a pack: its figures are stored and later edits never change it.
// A quarter is published once; ErrStale when it already is (a correction is
// PublishCorrection).
func PublishPack(ctx context.Context, db *gorm.DB, p *Pack, by models.User, at time.Time) error {
	return publishVersion(ctx, db, p, by, at, 0, "")
}

// PublishCorrection publishes the pack as computed now as the next version of
// a published quarter, with the reason for it; every earlier version stays
// readable. ErrStale when the latest version is no longer after (someone
// published another meanwhile), or the quarter is not published.
func PublishCorrection(ctx context.Context, db *gorm.DB, p *Pack, by models.User, at time.Time, after int, reason string) error {
	if after < 1 {
		return models.ErrStale
	}
	return publishVersion(ctx, db, p, by, at, after, reason)
}

// publishVersion stores p as the version after the latest, which must be
// after (0: none yet).
func publishVersion(ctx context.Context, db *gorm.DB, p *Pack, by models.User, at time.Time, after int, reason string) error {
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var latest int
		if err := tx.Model(&models.PublishedPack{}).Where("quarter = ? AND engagement_id IS NULL", p.Quarter).
			Select("COALESCE(MAX(version), 0)").Scan(&latest).Error; err != nil {
			return err
		}
		if latest != after {
			return models.ErrStale
		}
		p.Published, p.PublishedBy, p.PublishedAt = true, by.Name, at.UTC()
		p.Version, p.Correction = after+1, reason
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		row := models.PublishedPack{Quarter: p.Quarter, Snapshot: string(b), PublishedBy: by.ID, PublishedAt: at.UTC(), Version: p.Version, Reason: reason}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		uid := by.ID
		ch := models.Change{Entity: "pack", EntityID: row.ID, Action: "publish", Field: "quarter", New: p.Quarter, UserID: &uid, At: at.UTC()}
		if after > 0 {
			ch.Action, ch.Field, ch.Old, ch.New = "correct", "version", fmt.Sprint(after), fmt.Sprintf("%d: %s", p.Version, reason)
		}
		return models.RecordChanges(tx, []models.Change{ch})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = models.ErrStale // another admin published the same version this instant
	}
	return err
}

// PublishedVersion is one published version of some quarter's portfolio pack.
type PublishedVersion struct {
	Quarter string
	PackVersion
}

// PublishedVersions lists every published version of every quarter's
// portfolio pack, by quarter then version.
func PublishedVersions(ctx context.Context, db *gorm.DB) ([]PublishedVersion, error) {
	var out []PublishedVersion
	err := db.WithContext(ctx).Table("published_packs p").Joins("LEFT JOIN users u ON u.id = p.published_by").
		Where("p.engagement_id IS NULL").Order("p.quarter, p.version").
		Select("p.quarter, p.version, COALESCE(u.name, '') AS published_by, p.published_at, p.reason").Scan(&out).Error
	return out, err
}
