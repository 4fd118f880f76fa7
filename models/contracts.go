package models

// Contract terms and notice deadlines (DOMAIN: Governance). The contract's
// start and end are the engagement's (StartDate, ContractEnd); its terms say
// how it ends: the notice period, renewal, termination. A notice deadline is
// the last day to give notice, the contract's end less its notice period;
// missing it renews the contract by default. The decision taken on a term
// (renew, renegotiate, exit) is recorded by whom and when, against the
// contract's end: correcting the notice period keeps it, a new end (the
// contract renewed) asks for a new one.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models/sqlstore"
)

// ContractTerms are an engagement's contract terms: one row an engagement.
type ContractTerms struct {
	ID                        uint `gorm:"primaryKey"`
	EngagementID              uint
	NoticeDays                int    // the notice period: notice is given this many days before the contract ends
	AutoRenews                bool   // without notice, the contract renews by itself
	RenewalMonths             int    // for how long each time
	TerminationForConvenience bool   // either may end it early, without cause
	TerminationNoticeDays     int    // with this notice
	AssistanceMonths          int    // the vendor's termination assistance after the end
	InitialTermEnd            Date   // the end of the first term (zero: not recorded)
	RenewalOptions            string // the options to renew, one a line: months | last day to take it up
	PriceReviews              string // the price-review dates, one a line
	Documents                 string // the governing documents, one a line: title | reference | link
	Version                   int
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
}

// ContractEntity names contract terms in the history.
const ContractEntity = "contract_terms"

// contractFields are the terms the form edits, each change a history row.
var contractFields = []string{"NoticeDays", "AutoRenews", "RenewalMonths", "TerminationForConvenience", "TerminationNoticeDays",
	"AssistanceMonths", "InitialTermEnd", "RenewalOptions", "PriceReviews", "Documents"}

// MaxNoticeDays bounds a notice period (two years).
const MaxNoticeDays = 730

// Document is one governing document of a contract.
type Document struct{ Title, Reference, Link string }

// ParseDocuments reads the documents, one a line "title | reference | link"
// (the reference and link optional), or says which line is wrong.
func ParseDocuments(text string) ([]Document, error) {
	var out []Document
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) > 3 {
			return nil, fmt.Errorf("line %d has %d parts: write title | reference | link", i+1, len(parts))
		}
		d := Document{Title: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			d.Reference = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			d.Link = strings.TrimSpace(parts[2])
			if u, err := url.Parse(d.Link); d.Link != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
				return nil, fmt.Errorf("line %d: the link %q is not an http(s) address", i+1, d.Link)
			}
		}
		if d.Title == "" {
			return nil, fmt.Errorf("line %d has no title", i+1)
		}
		out = append(out, d)
	}
	return out, nil
}

// RenewalOption is an option to renew the contract: for how long, and the
// last day to take it up (missed, it is lost).
type RenewalOption struct {
	Months     int
	ExerciseBy Date
}

// ParseRenewalOptions reads the options, one a line "months | last day"
// ("12 months | 2027-03-31"), in order, or says which line is wrong.
func ParseRenewalOptions(text string) ([]RenewalOption, error) {
	var out []RenewalOption
	for i, line := range lines(text) {
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 2 {
			return nil, fmt.Errorf("line %d: write the length and the last day to take it up, e.g. 12 months | 2027-03-31", i+1)
		}
		months, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(parts[0]), "months"), "month")))
		if err != nil || months < 1 || months > 120 {
			return nil, fmt.Errorf("line %d: %q is not a length of 1 to 120 months", i+1, strings.TrimSpace(parts[0]))
		}
		by, err := ParseDate(strings.TrimSpace(parts[1]))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if n := len(out); n > 0 && !by.After(out[n-1].ExerciseBy) {
			return nil, fmt.Errorf("line %d: each option is taken up after the one before", i+1)
		}
		out = append(out, RenewalOption{months, by})
	}
	return out, nil
}

// ParsePriceReviews reads the price-review dates, one a line or separated by
// commas, sorted, or says which is wrong.
func ParsePriceReviews(text string) ([]Date, error) {
	var out []Date
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ';' }) {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := ParseDate(f)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Date) int { return a.Compare(b.Time) })
	return slices.CompactFunc(out, func(a, b Date) bool { return a.Equal(b.Time) }), nil
}

// NextPriceReview is the first price review on or after today (zero: none).
func (t ContractTerms) NextPriceReview(today Date) Date {
	ds, _ := ParsePriceReviews(t.PriceReviews)
	for _, d := range ds {
		if !d.Before(today) {
			return d
		}
	}
	return Date{}
}

// lines splits text into trimmed lines.
func lines(text string) []string {
	out := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// NoticeDeadline is the last day to give notice on a contract ending on end
// with a notice period of days (zero when either is unknown).
func NoticeDeadline(end Date, days int) Date {
	if end.IsZero() || days <= 0 {
		return Date{}
	}
	return end.AddDays(-days)
}

// ContractTermsOf is an engagement's contract terms (ok false when none are recorded).
func ContractTermsOf(ctx context.Context, db *gorm.DB, engagementID uint) (t ContractTerms, ok bool, err error) {
	err = db.WithContext(ctx).Where("engagement_id = ?", engagementID).Limit(1).Find(&t).Error
	return t, t.ID != 0, err
}

// SaveContractTerms writes an engagement's terms: created at version 0 (none
// yet) or updated if still at version (ErrStale otherwise), each field
// changed a history row.
func SaveContractTerms(ctx context.Context, db *gorm.DB, userID *uint, at time.Time, engagementID uint, next ContractTerms, version int) (ContractTerms, error) {
	at = at.UTC()
	var out ContractTerms
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		current, ok, err := ContractTermsOf(ctx, tx, engagementID)
		switch {
		case err != nil:
			return err
		case !ok:
			if version != 0 {
				return ErrStale
			}
			next.ID, next.EngagementID, next.Version, next.CreatedAt, next.UpdatedAt = 0, engagementID, 1, at, at
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			out = next
			return RecordChanges(tx, Created(ContractEntity, next.ID, userID, at, next, contractFields...))
		}
		changes := Diff(ContractEntity, current.ID, userID, at, current, next, contractFields...)
		if err := UpdateVersioned(tx, &ContractTerms{}, current.ID, version, map[string]any{
			"notice_days": next.NoticeDays, "auto_renews": next.AutoRenews, "renewal_months": next.RenewalMonths,
			"termination_for_convenience": next.TerminationForConvenience, "termination_notice_days": next.TerminationNoticeDays,
			"assistance_months": next.AssistanceMonths, "initial_term_end": next.InitialTermEnd, "renewal_options": next.RenewalOptions,
			"price_reviews": next.PriceReviews, "documents": next.Documents,
			"updated_at": at}); err != nil {
			return err
		}
		next.ID, next.EngagementID, next.Version, next.CreatedAt, next.UpdatedAt = current.ID, engagementID, version+1, current.CreatedAt, at
		out = next
		return RecordChanges(tx, changes)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrStale // two first saves at once
	}
	return out, err
}

// The decisions taken at a notice deadline.
const (
	DecisionRenew       = "renew"
	DecisionRenegotiate = "renegotiate"
	DecisionExit        = "exit"
)

// Decisions are the decisions in the order the form offers them.
var Decisions = []string{DecisionRenew, DecisionRenegotiate, DecisionExit}

// ContractDecision is what was decided on a term of a contract, by whom and when.
type ContractDecision struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	ContractEnd  Date // the term it is about
	Deadline     Date // the notice deadline it was taken against
	Decision     string
	Note         string
	UserID       *uint
	User         *User
	DecidedAt    time.Time
}

// DecisionEntity names contract decisions in the history.
const DecisionEntity = "contract_decision"

// ErrDecidedMeanwhile is a decision made over one someone else recorded
// after the form was shown.
var ErrDecidedMeanwhile = errors.New("someone else recorded a decision meanwhile")

// DecideContract records the decision on the term ending on end (its notice
// deadline as shown, for the record), or replaces the one recorded if it is
// still was ("" for none: ErrDecidedMeanwhile otherwise); each in the history.
func DecideContract(ctx context.Context, db *gorm.DB, userID *uint, at time.Time, engagementID uint, end, deadline Date, decision, note, was string) error {
	at = at.UTC()
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var cur ContractDecision
		if err := tx.Where("engagement_id = ? AND contract_end = ?", engagementID, end).Limit(1).Find(&cur).Error; err != nil {
			return err
		}
		if cur.Decision != was {
			return ErrDecidedMeanwhile
		}
		next := ContractDecision{ID: cur.ID, EngagementID: engagementID, ContractEnd: end, Deadline: deadline, Decision: decision, Note: note, UserID: userID, DecidedAt: at}
		if cur.ID == 0 {
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			return RecordChanges(tx, Created(DecisionEntity, next.ID, userID, at, next, "ContractEnd", "Deadline", "Decision", "Note"))
		}
		res := tx.Model(&ContractDecision{}).Where("id = ? AND decision = ?", cur.ID, was).
			Updates(map[string]any{"deadline": deadline, "decision": decision, "note": note, "user_id": userID, "decided_at": at})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrDecidedMeanwhile
		}
		return RecordChanges(tx, Diff(DecisionEntity, cur.ID, userID, at, cur, next, "Decision", "Note"))
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrDecidedMeanwhile // two first decisions at once
	}
	return err
}

// DecisionsOf lists an engagement's contract decisions, the latest deadline first.
func DecisionsOf(ctx context.Context, db *gorm.DB, engagementID uint) ([]ContractDecision, error) {
	var out []ContractDecision
	err := db.WithContext(ctx).Preload("User").Where("engagement_id = ?", engagementID).Order("contract_end DESC").Find(&out).Error
	return out, err
}

// NoticeRow is an open engagement's notice deadline, with its decision if taken.
type NoticeRow struct {
	EngagementID  uint
	Code, Name    string
	Model         string // ITO or BOT
	ContractEnd   Date
	NoticeDays    int
	AutoRenews    bool
	RenewalMonths int
	Deadline      Date
	Decision      string // "" while undecided
	DecidedBy     string
	DecidedAt     *time.Time
}

// Missed reports a deadline passed with nothing decided: the contract renews
// by default (or runs out) whatever anyone wanted.
func (n NoticeRow) Missed(today Date) bool { return n.Deadline.Before(today) && n.Decision == "" }

// DaysLeft is the days from today to the deadline (negative once passed).
func (n NoticeRow) DaysLeft(today Date) int { return int(n.Deadline.Sub(today.Time).Hours() / 24) }

// NoticeDeadlines lists the notice deadlines of the open engagements that
// fall within days of today, and those passed with nothing decided, even
// once the contract's end has passed (it renewed by itself, or ran out,
// and its end wants recording), by deadline; at most limit rows (0: all),
// and how many there are in all.
func NoticeDeadlines(ctx context.Context, db *gorm.DB, today Date, days, limit int) ([]NoticeRow, int64, error) {
	deadline := "DATE(e.contract_end, '-' || t.notice_days || ' days')"
	if !IsSQLite(db) {
		deadline = "(e.contract_end - t.notice_days)"
	}
	q := db.WithContext(ctx).Table("engagements e").
		Joins("JOIN contract_terms t ON t.engagement_id = e.id AND t.notice_days > 0").
		Joins("LEFT JOIN contract_decisions d ON d.engagement_id = e.id AND d.contract_end = e.contract_end").
		Joins("LEFT JOIN users u ON u.id = d.user_id").
		Where("e.closed_on IS NULL AND e.contract_end IS NOT NULL").
		Where(deadline+" <= ?", today.AddDays(days)).
		Where("("+deadline+" >= ? OR d.id IS NULL)", today)
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, err
	}
	q = q.Select("e.id AS engagement_id, e.code, e.name, e.model, e.contract_end, t.notice_days, t.auto_renews, t.renewal_months, " +
		deadline + " AS deadline, COALESCE(d.decision, '') AS decision, COALESCE(u.name, '') AS decided_by, d.decided_at").
		Order(clause.OrderByColumn{Column: clause.Column{Name: "deadline"}}).Order("e.code")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []NoticeRow
	err := q.Scan(&rows).Error
	return rows, n, err
}
