package models

// The obligations register (DOMAIN: Governance). An obligation is a
// contractual duty of the vendor or of the company: a clause, an owner, and
// either one due date or a frequency from a first due date (until it ends,
// if it does). Its occurrences are its due dates; only what is recorded of
// one is stored (met with evidence, or waived with a reason), so a due date
// with nothing recorded is "due", and "late" once it has passed. Computing
// the schedule rather than storing a row per date keeps a monthly duty on a
// contract that renews by itself right for as long as it runs, without a job
// to add next month's row.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// Obligation is one contractual duty of an engagement.
type Obligation struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Party        string // PartyVendor or PartyCompany
	Title        string
	Clause       string // the contract's clause, e.g. "Schedule 4, 7.2"
	Owner        string // who sees to it
	Frequency    string // one of Frequencies
	FirstDue     Date   // the due date of a one-off, the first of a recurring duty
	EndsOn       Date   // no occurrence falls after it (zero: runs with the contract)
	EvidenceLink string // where its evidence is kept, if anywhere in particular
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// The parties an obligation binds.
const (
	PartyVendor  = "vendor"
	PartyCompany = "company"
)

// Parties are the parties in the order forms and lists show them.
var Parties = []string{PartyVendor, PartyCompany}

// The frequencies of an obligation.
const (
	FrequencyOnce      = "one-off"
	FrequencyMonthly   = "monthly"
	FrequencyQuarterly = "quarterly"
	FrequencyYearly    = "yearly"
)

// Frequencies are the frequencies in the order the form offers them.
var Frequencies = []string{FrequencyOnce, FrequencyMonthly, FrequencyQuarterly, FrequencyYearly}

// History entity names of obligations and what is recorded of their occurrences.
const (
	ObligationEntity = "obligation"
	OccurrenceEntity = "obligation_occurrence"
)

// obligationFields are the fields the form edits, each change a history row.
var obligationFields = []string{"Party", "Title", "Clause", "Owner", "Frequency", "FirstDue", "EndsOn", "EvidenceLink"}

// ObligationOverdueDays is how late an occurrence may be before it turns its
// engagement's health Amber (DOMAIN: Engagement health).
const ObligationOverdueDays = 30

// maxOccurrences bounds a schedule read at once: a century of months.
const maxOccurrences = 1200

// months is the months between two due dates (0 for a one-off).
func (o Obligation) months() int {
	switch o.Frequency {
	case FrequencyMonthly:
		return 1
	case FrequencyQuarterly:
		return 3
	case FrequencyYearly:
		return 12
	}
	return 0
}

// PartyLabel names the party as people say it: "Vendor's", "Ours".
func PartyLabel(p string) string {
	if p == PartyCompany {
		return "Ours"
	}
	return "Vendor's"
}

// DueDates are the obligation's due dates from from to to (both included),
// in order: each a whole number of months after the first, on its day of
// the month (the month's last day when it has fewer days; always the last
// day when the first falls on one, so a duty due at a quarter's end stays
// there), none after EndsOn.
func (o Obligation) DueDates(from, to Date) []Date {
	var out []Date
	step := o.months()
	monthEnd := o.FirstDue.AddDays(1).Day() == 1
	for k := 0; k < maxOccurrences; k++ {
		d := o.FirstDue.AddMonths(k * step)
		if monthEnd {
			d = d.MonthStart().AddMonths(1).AddDays(-1)
		}
		if d.After(to) || (!o.EndsOn.IsZero() && d.After(o.EndsOn)) {
			break
		}
		if !d.Before(from) {
			out = append(out, d)
		}
		if step == 0 {
			break
		}
	}
	return out
}

// Scheduled reports whether d is one of the obligation's due dates.
func (o Obligation) Scheduled(d Date) bool {
	return len(o.DueDates(d, d)) == 1
}

// ObligationOccurrence is what was recorded of one occurrence: met (when,
// and its evidence) or waived (and why), by whom and when.
type ObligationOccurrence struct {
	ID           uint `gorm:"primaryKey"`
	ObligationID uint
	EngagementID uint
	DueOn        Date
	Status       string // OccurrenceMet or OccurrenceWaived
	MetOn        Date
	Evidence     string
	Reason       string
	UserID       *uint
	User         *User
	RecordedAt   time.Time
	Version      int
}

// What an occurrence can be recorded as, and what it is otherwise.
const (
	OccurrenceMet    = "met"
	OccurrenceWaived = "waived"
	OccurrenceDue    = "due"
	OccurrenceLate   = "late"
)

// Occurrence is one due date of an obligation and what was recorded of it (nil: nothing).
type Occurrence struct {
	DueOn  Date
	Record *ObligationOccurrence
}

// State is the occurrence on day today: met, waived, late (its date passed
// with nothing recorded) or due.
func (o Occurrence) State(today Date) string {
	switch {
	case o.Record != nil:
		return o.Record.Status
	case o.DueOn.Before(today):
		return OccurrenceLate
	}
	return OccurrenceDue
}

// LateAt reports whether the occurrence was late at the end of day asAt: its
// date had passed and nothing recorded by then settled it (recorded met on
// or before that day, or recorded waived). The register is replayed as it
// stood, as the risk register is: what was recorded later does not count.
func (o Occurrence) LateAt(asAt Date) bool {
	return o.DueOn.Before(asAt) && !settledBy(o.Record, asAt)
}

// settledBy reports whether r settled its occurrence by the end of day asAt.
func settledBy(r *ObligationOccurrence, asAt Date) bool {
	if r == nil || DateOf(r.RecordedAt).After(asAt) {
		return false
	}
	return r.Status != OccurrenceMet || !r.MetOn.After(asAt)
}

// DaysLate is how many days late a late occurrence is on day today (0 otherwise).
func (o Occurrence) DaysLate(today Date) int {
	if o.State(today) != OccurrenceLate {
		return 0
	}
	return o.DueOn.DaysUntil(today)
}

// MetLate is how many days after its due date a met occurrence was met (0 when on time).
func (o Occurrence) MetLate() int {
	if o.Record == nil || o.Record.Status != OccurrenceMet {
		return 0
	}
	return max(0, o.DueOn.DaysUntil(o.Record.MetOn))
}

// ObligationOf is an engagement's obligation id (ErrNotFound when the
// engagement has none of that id).
func ObligationOf(ctx context.Context, db *gorm.DB, engagementID, id uint) (Obligation, error) {
	var o Obligation
	if err := db.WithContext(ctx).Where("engagement_id = ? AND id = ?", engagementID, id).Limit(1).Find(&o).Error; err != nil {
		return o, err
	}
	if o.ID == 0 {
		return o, ErrNotFound
	}
	return o, nil
}

// CheckObligation is what the domain refuses in an obligation, a message a field.
func CheckObligation(o Obligation) Invalid {
	bad := Invalid{}
	if !slices.Contains(Parties, o.Party) {
		bad["party"] = "Say whose obligation it is: the vendor's or ours."
	}
	if strings.TrimSpace(o.Title) == "" {
		bad["title"] = "Say what is owed."
	}
	if !slices.Contains(Frequencies, o.Frequency) {
		bad["frequency"] = "Choose one-off, monthly, quarterly or yearly."
	}
	if o.FirstDue.IsZero() {
		bad["first_due"] = "Give the due date (of the first occurrence when it recurs)."
	}
	if !o.EndsOn.IsZero() && !o.FirstDue.IsZero() && o.EndsOn.Before(o.FirstDue) {
		bad["ends_on"] = "It cannot end before it is first due."
	}
	if o.EvidenceLink != "" {
		if u, err := url.Parse(o.EvidenceLink); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad["evidence_link"] = "Give an http(s) address, e.g. https://sharepoint.example/contracts/evidence."
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// SaveObligation writes an engagement's obligation: created when next.ID is
// 0, else updated if still at version (ErrStale otherwise), each field
// changed a history row, and the engagement's health refreshed (a late
// occurrence can turn it Amber).
func SaveObligation(ctx context.Context, db *gorm.DB, w Actor, engagementID uint, next Obligation, version int) (Obligation, error) {
	if bad := CheckObligation(next); bad != nil {
		return next, bad
	}
	var out Obligation
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		at := w.stamp(tx)
		if next.ID == 0 {
			next.EngagementID, next.Version, next.CreatedAt, next.UpdatedAt = engagementID, 1, at, at
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			out = next
			if err := RecordChanges(tx, Created(ObligationEntity, next.ID, w.UserID, at, next, obligationFields...)); err != nil {
				return err
			}
			return w.refresh(ctx, tx, engagementID)
		}
		current, err := ObligationOf(ctx, tx, engagementID, next.ID)
		if err != nil {
			return err
		}
		if !current.FirstDue.Equal(next.FirstDue.Time) || current.Frequency != next.Frequency {
			// Records are made against its dates: moved, they would read as
			// off its schedule and every date as late.
			var n int64
			if err := tx.Model(&ObligationOccurrence{}).Where("obligation_id = ?", current.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				msg := fmt.Sprintf("%d occurrences are recorded against its dates: to change when it falls due, give it an end and add a new obligation.", n)
				if n == 1 {
					msg = "An occurrence is recorded against its dates: to change when it falls due, give it an end and add a new obligation."
				}
				return Invalid{"first_due": msg}
			}
		}
		changes := Diff(ObligationEntity, current.ID, w.UserID, at, current, next, obligationFields...)
		if err := UpdateVersioned(tx, &Obligation{}, current.ID, version, map[string]any{
			"party": next.Party, "title": next.Title, "clause": next.Clause, "owner": next.Owner, "frequency": next.Frequency,
			"first_due": next.FirstDue, "ends_on": next.EndsOn, "evidence_link": next.EvidenceLink, "updated_at": at}); err != nil {
			return err
		}
		next.EngagementID, next.Version, next.CreatedAt, next.UpdatedAt = engagementID, version+1, current.CreatedAt, at
		out = next
		if err := RecordChanges(tx, changes); err != nil {
			return err
		}
		return w.refresh(ctx, tx, engagementID)
	})
	return out, err
}

// ErrRecordedMeanwhile is an occurrence recorded over what someone else
// recorded after the form was shown.
var ErrRecordedMeanwhile = errors.New("someone else recorded this occurrence meanwhile")

// RecordOccurrence records the occurrence of o due on due as met (on
// rec.MetOn, with rec.Evidence) or waived (with rec.Reason), replacing what
// was recorded if it is still at was (0: nothing recorded; otherwise
// ErrRecordedMeanwhile), with its history, and refreshes the engagement's
// health. A date that is not one of o's due dates is Invalid.
func RecordOccurrence(ctx context.Context, db *gorm.DB, w Actor, o Obligation, due Date, rec ObligationOccurrence, was int) (ObligationOccurrence, error) {
	bad := Invalid{}
	switch rec.Status {
	case OccurrenceMet:
		if rec.MetOn.IsZero() {
			bad["met_on"] = "Say when it was met."
		}
		if strings.TrimSpace(rec.Evidence) == "" {
			bad["evidence"] = "Give the evidence that it was met: a link or a document's reference."
		}
		rec.Reason = ""
	case OccurrenceWaived:
		if strings.TrimSpace(rec.Reason) == "" {
			bad["reason"] = "Say why it is waived."
		}
		rec.MetOn, rec.Evidence = Date{}, ""
	default:
		bad["status"] = "Record it as met or waived."
	}
	if !o.Scheduled(due) && was == 0 {
		bad["due_on"] = fmt.Sprintf("%s is not one of this obligation's due dates.", due.Human())
	}
	if len(bad) > 0 {
		return rec, bad
	}
	var out ObligationOccurrence
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		at := w.stamp(tx)
		var cur ObligationOccurrence
		if err := tx.Where("obligation_id = ? AND due_on = ?", o.ID, due).Limit(1).Find(&cur).Error; err != nil {
			return err
		}
		if cur.Version != was {
			return ErrRecordedMeanwhile
		}
		next := ObligationOccurrence{ID: cur.ID, ObligationID: o.ID, EngagementID: o.EngagementID, DueOn: due, Status: rec.Status,
			MetOn: rec.MetOn, Evidence: strings.TrimSpace(rec.Evidence), Reason: strings.TrimSpace(rec.Reason), UserID: w.UserID, RecordedAt: at, Version: was + 1}
		fields := []string{"DueOn", "Status", "MetOn", "Evidence", "Reason"}
		if cur.ID == 0 {
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			if err := RecordChanges(tx, Created(OccurrenceEntity, next.ID, w.UserID, at, next, fields...)); err != nil {
				return err
			}
		} else {
			// Who recorded it first, and when, stay: the register as it stood on a
			// past day counts it settled from then (a correction is in the history).
			next.UserID, next.RecordedAt, next.User = cur.UserID, cur.RecordedAt, nil
			if err := UpdateVersioned(tx, &ObligationOccurrence{}, cur.ID, was, map[string]any{"status": next.Status, "met_on": next.MetOn,
				"evidence": next.Evidence, "reason": next.Reason}); err != nil {
				if errors.Is(err, ErrStale) {
					return ErrRecordedMeanwhile
				}
				return err
			}
			if err := RecordChanges(tx, Diff(OccurrenceEntity, cur.ID, w.UserID, at, cur, next, fields[1:]...)); err != nil {
				return err
			}
		}
		out = next
		return w.refresh(ctx, tx, o.EngagementID)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrRecordedMeanwhile // two first records at once
	}
	return out, err
}

// OccurrencesOf lists o's occurrences due from from to to, with what was
// recorded of each, and anything recorded in that span against a date the
// schedule no longer has (the obligation's dates were corrected after), so
// nothing recorded drops out of sight.
func OccurrencesOf(ctx context.Context, db *gorm.DB, o Obligation, from, to Date) ([]Occurrence, error) {
	var recs []ObligationOccurrence
	if err := db.WithContext(ctx).Preload("User").Where("obligation_id = ? AND due_on BETWEEN ? AND ?", o.ID, from, to).Find(&recs).Error; err != nil {
		return nil, err
	}
	return occurrences(o, recs, from, to), nil
}

// occurrences merges o's due dates from from to to with its records, by date.
func occurrences(o Obligation, recs []ObligationOccurrence, from, to Date) []Occurrence {
	byDate := map[string]*ObligationOccurrence{}
	for i := range recs {
		byDate[recs[i].DueOn.String()] = &recs[i]
	}
	var out []Occurrence
	for _, d := range o.DueDates(from, to) {
		out = append(out, Occurrence{DueOn: d, Record: byDate[d.String()]})
		delete(byDate, d.String())
	}
	for _, r := range byDate {
		if !r.DueOn.Before(from) && !r.DueOn.After(to) {
			out = append(out, Occurrence{DueOn: r.DueOn, Record: r})
		}
	}
	slices.SortFunc(out, func(a, b Occurrence) int { return a.DueOn.Compare(b.DueOn.Time) })
	return out
}

// Within is the obligation as it binds while its engagement runs: nothing
// falls due after the engagement closes, nor, of a BOT programme's vendor,
// after the transfer (the centre is the company's from then on).
func (o Obligation) Within(e Engagement) Obligation {
	stop := func(d Date) {
		if !d.IsZero() && (o.EndsOn.IsZero() || d.Before(o.EndsOn)) {
			o.EndsOn = d
		}
	}
	stop(e.ClosedOn)
	if e.IsBOT() && o.Party == PartyVendor {
		stop(e.ActualTransfer)
	}
	return o
}

// ObligationLine is an obligation with where it stands on a day: its late
// occurrences (the oldest first) and the next one due.
type ObligationLine struct {
	Obligation
	EngagementCode, EngagementName string
	// The engagement's model and dates that end the obligation (Within).
	EngagementModel                     string
	EngagementClosedOn, EngagementMoved Date
	Late                                []Occurrence `gorm:"-"`
	Next                                *Occurrence  `gorm:"-"` // the first due on or after the day, not settled by it
}

// OldestLate is the days the oldest late occurrence is late on day today (0: none late).
func (l ObligationLine) OldestLate(today Date) int {
	if len(l.Late) == 0 {
		return 0
	}
	return l.Late[0].DueOn.DaysUntil(today)
}

// ObligationFilter narrows the portfolio's obligations.
type ObligationFilter struct {
	EngagementIDs []uint // none: every open engagement's
	Party         string // "" for both
	AsAt          Date   // the day they stand on
	Ahead         int    // with OnlyPending: also those due within this many days of AsAt
	OnlyPending   bool   // only those late, or due within Ahead
	ClosedToo     bool   // closed engagements' too (a past quarter's pack)
}

// ObligationLines reads obligations with their late and next occurrences
// as at the end of day f.AsAt, as recorded by then (what was recorded later
// does not count, and an obligation added later is left out, so a
// quarter's pack replays the quarter's end), those late first (the longest
// late first), then by next due date. Closed engagements' are left out,
// unless f.ClosedToo.
//
// It reads in a few statements whatever the register's size: the
// obligations; per obligation, how many of its occurrences before the day
// were settled by it (a count, in SQL); and the records of only those with
// fewer settled than the schedule has dates (the late) or recorded ahead.
func ObligationLines(ctx context.Context, db *gorm.DB, f ObligationFilter) ([]ObligationLine, error) {
	db = db.WithContext(ctx)
	base := func() *gorm.DB {
		q := db.Table("obligations o").Joins("JOIN engagements e ON e.id = o.engagement_id").Where("o.created_at < ?", f.AsAt.AddDays(1).Time)
		if f.OnlyPending {
			q = q.Where("o.first_due <= ?", f.AsAt.AddDays(max(f.Ahead, 0)))
		}
		if !f.ClosedToo {
			q = q.Where("e.closed_on IS NULL")
		}
		if len(f.EngagementIDs) > 0 {
			q = q.Where("o.engagement_id IN ?", f.EngagementIDs)
		}
		if f.Party != "" {
			q = q.Where("o.party = ?", f.Party)
		}
		return q
	}
	var lines []ObligationLine
	if err := base().Select("o.*, e.code AS engagement_code, e.name AS engagement_name, e.model AS engagement_model, " +
		"e.closed_on AS engagement_closed_on, e.actual_transfer AS engagement_moved").Order("o.id").Scan(&lines).Error; err != nil {
		return nil, err
	}
	for i := range lines {
		l := &lines[i]
		l.Obligation = l.Within(Engagement{Model: l.EngagementModel, ClosedOn: l.EngagementClosedOn, ActualTransfer: l.EngagementMoved})
	}
	settled, err := settledCounts(db, base().Select("o.id"), f.AsAt, f.AsAt)
	if err != nil {
		return nil, err
	}
	var short []uint // obligations with an occurrence before the day not settled by it
	for _, l := range lines {
		if len(l.DueDates(l.FirstDue, f.AsAt.AddDays(-1))) > settled[l.ID] {
			short = append(short, l.ID)
		}
	}
	recs, err := recordsOf(db, base().Select("o.id"), f.AsAt, short)
	if err != nil {
		return nil, err
	}
	to := f.AsAt.AddDays(max(f.Ahead, 0))
	out := lines[:0]
	for _, l := range lines {
		// The next due: the first on or after the day not settled by it, looked
		// for up to a year and a month ahead (a yearly duty's next), or its first.
		until := f.AsAt.AddDays(max(f.Ahead, 400))
		if l.FirstDue.After(until) {
			until = l.FirstDue
		}
		from := f.AsAt
		if slices.Contains(short, l.ID) {
			from = l.FirstDue
		}
		for _, o := range occurrences(l.Obligation, recs[l.ID], from, until) {
			switch {
			case o.LateAt(f.AsAt):
				o.Record = nil // whatever settles it came after the day, so does not count on it
				l.Late = append(l.Late, o)
			case l.Next == nil && !o.DueOn.Before(f.AsAt) && !settledBy(o.Record, f.AsAt):
				l.Next = &Occurrence{DueOn: o.DueOn}
			}
		}
		if f.OnlyPending && len(l.Late) == 0 && (l.Next == nil || l.Next.DueOn.After(to)) {
			continue
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b ObligationLine) int {
		switch la, lb := len(a.Late) > 0, len(b.Late) > 0; {
		case la && lb:
			return a.Late[0].DueOn.Compare(b.Late[0].DueOn.Time)
		case la:
			return -1
		case lb:
			return 1
		}
		switch {
		case a.Next == nil && b.Next == nil:
			return 0
		case a.Next == nil:
			return 1
		case b.Next == nil:
			return -1
		}
		return a.Next.DueOn.Compare(b.Next.DueOn.Time)
	})
	return out, nil
}

// settledCounts counts, per obligation of ids (a query of their ids), the
// records of its occurrences due before before and settled by the end of
// day asAt, on its schedule's span: from its first due date to its end,
// the engagement's close, or (the vendor's, of a BOT programme) the transfer.
func settledCounts(db *gorm.DB, ids *gorm.DB, before, asAt Date) (map[uint]int, error) {
	var rows []struct {
		ObligationID uint
		N            int
	}
	err := db.Table("obligation_occurrences r").Select("r.obligation_id, COUNT(*) AS n").
		Joins("JOIN obligations o ON o.id = r.obligation_id").Joins("JOIN engagements e ON e.id = o.engagement_id").
		Where("r.obligation_id IN (?)", ids).
		Where("r.due_on >= o.first_due AND r.due_on < ?", before).
		Where("o.ends_on IS NULL OR r.due_on <= o.ends_on").
		Where("e.closed_on IS NULL OR r.due_on <= e.closed_on").
		Where("NOT (o.party = ? AND e.model = ? AND e.actual_transfer IS NOT NULL AND r.due_on > e.actual_transfer)", PartyVendor, ModelBOT).
		Where("r.recorded_at < ? AND (r.status <> ? OR r.met_on <= ?)", asAt.AddDays(1).Time, OccurrenceMet, asAt).
		Group("r.obligation_id").Scan(&rows).Error
	out := make(map[uint]int, len(rows))
	for _, r := range rows {
		out[r.ObligationID] = r.N
	}
	return out, err
}

// recordsOf reads the records of the obligations of ids (a query of their
// ids; nil: none) due on or after from, and those of the obligations in
// short due before it, by obligation. Both are few: records are made ahead
// of their date now and then, and short are the obligations late.
func recordsOf(db *gorm.DB, ids *gorm.DB, from Date, short []uint) (map[uint][]ObligationOccurrence, error) {
	out := map[uint][]ObligationOccurrence{}
	read := func(q *gorm.DB) error {
		var rs []ObligationOccurrence
		if err := q.Find(&rs).Error; err != nil {
			return err
		}
		for _, r := range rs {
			out[r.ObligationID] = append(out[r.ObligationID], r)
		}
		return nil
	}
	if ids != nil {
		if err := read(db.Where("obligation_id IN (?) AND due_on >= ?", ids, from)); err != nil {
			return nil, err
		}
	}
	for chunk := range slices.Chunk(short, 500) {
		if err := read(db.Where("obligation_id IN ? AND due_on < ?", chunk, from)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// obligationFact is what an engagement's obligations add to its health.
type obligationFact struct {
	n      int
	oldest Date
}

// obligationHealth counts, per engagement of ids (every one when empty),
// the obligations with an occurrence more than ObligationOverdueDays late
// on day today, and the oldest such due date: the Amber rule of health. As
// ObligationLines, it reads the records of only the obligations whose
// settled count falls short of their schedule.
func obligationHealth(db *gorm.DB, today Date, ids []uint) (map[uint]obligationFact, error) {
	cut := today.AddDays(-ObligationOverdueDays)
	base := func() *gorm.DB {
		q := db.Table("obligations o").Joins("JOIN engagements e ON e.id = o.engagement_id").Where("o.first_due < ?", cut)
		if len(ids) > 0 {
			q = q.Where("o.engagement_id IN ?", ids)
		}
		return q
	}
	var obs []ObligationLine
	if err := base().Select("o.*, e.model AS engagement_model, e.closed_on AS engagement_closed_on, e.actual_transfer AS engagement_moved").
		Scan(&obs).Error; err != nil {
		return nil, err
	}
	settled, err := settledCounts(db, base().Select("o.id"), cut, today)
	if err != nil {
		return nil, err
	}
	var short []uint
	for i := range obs {
		l := &obs[i]
		l.Obligation = l.Within(Engagement{Model: l.EngagementModel, ClosedOn: l.EngagementClosedOn, ActualTransfer: l.EngagementMoved})
		if len(l.DueDates(l.FirstDue, cut.AddDays(-1))) > settled[l.ID] {
			short = append(short, l.ID)
		}
	}
	out := map[uint]obligationFact{}
	if len(short) == 0 {
		return out, nil
	}
	recs, err := recordsOf(db, nil, cut, short)
	if err != nil {
		return nil, err
	}
	for _, l := range obs {
		if !slices.Contains(short, l.ID) {
			continue
		}
		for _, o := range occurrences(l.Obligation, recs[l.ID], l.FirstDue, cut.AddDays(-1)) {
			if o.Record != nil {
				continue
			}
			f := out[l.EngagementID]
			f.n++
			if f.oldest.IsZero() || o.DueOn.Before(f.oldest) {
				f.oldest = o.DueOn
			}
			out[l.EngagementID] = f
			break // an obligation counts once, by its oldest late occurrence
		}
	}
	return out, nil
}
