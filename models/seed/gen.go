package seed

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// Shared machinery of the demo and scale seeds: deterministic randomness, dates
// relative to the anchor, the plan of one engagement, and the table writers.
// Everything is integer arithmetic (no floats, no maps iterated) so that the
// same anchor gives the same bytes on every machine.

// newRand gives a generator seeded from a label and numbers. Each concern (an
// engagement's costs, its risks, …) draws from its own stream, so changing one
// table of the seed does not reshuffle the others.
func newRand(label string, nums ...uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	return rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15^mix(nums)))
}

// mix folds numbers into one (FNV-1a style).
func mix(nums []uint64) uint64 {
	var x uint64 = 0xcbf29ce484222325
	for _, n := range nums {
		x = (x ^ n) * 0x100000001b3
	}
	return x
}

// between draws an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// chance is true pct times in a hundred.
func chance(r *rand.Rand, pct int) bool { return r.IntN(100) < pct }

// pick draws one element of a slice.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// addMonths moves a date by whole months (day clamped to the month's length).
func addMonths(d models.Date, n int) models.Date { return d.AddMonths(n) }

// monthsBetween counts whole calendar months from a's month to b's month.
func monthsBetween(a, b models.Date) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// minDate and maxDate order two dates.
func minDate(a, b models.Date) models.Date {
	if b.Before(a) {
		return b
	}
	return a
}

func maxDate(a, b models.Date) models.Date {
	if b.After(a) {
		return b
	}
	return a
}

// clampDate keeps d within [lo, hi].
func clampDate(d, lo, hi models.Date) models.Date { return maxDate(lo, minDate(d, hi)) }

// dayBetween draws a day in [lo, hi].
func dayBetween(r *rand.Rand, lo, hi models.Date) models.Date {
	n := lo.DaysUntil(hi)
	if n <= 0 {
		return lo
	}
	return lo.AddDays(r.IntN(n + 1))
}

// workday moves a weekend day to the following Monday: reviews and gates are held on working days.
func workday(d models.Date) models.Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

// stamp is a UTC time of day on a date, for created_at and history rows.
func stamp(d models.Date, hour, minute int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC)
}

// dateVal gives a nullable DATE column's value.
func dateVal(d models.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

// engPlan is one engagement as the generators see it: its row plus the knobs that
// shape its costs, service levels, risks and milestones.
type engPlan struct {
	ID                  uint
	Index               int // position in the seed, for random streams
	Code, Name, Model   string
	Tower, Phase        string
	VendorID, ManagerID uint
	ManagerName         string
	BusinessUnit        string
	Location, Sponsor   string
	Moves               []models.Date // the day each phase after Selection began; Moves[0] is the start
	Start, ContractEnd  models.Date
	PlannedTransfer     models.Date
	ActualTransfer      models.Date
	ClosedOn            models.Date
	Value               int64 // minor units of Currency
	Currency, Pricing   string
	VendorHC, ClientHC  int
	Description         string
	SavePct, Delivery   int // planned savings as % of baseline; realised gross savings as % of plan
	RetainedPct         int // retained organisation as % of vendor fees
	OneOffPermille      int // transition cost as ‰ of contract value
	SavingsType         string
	TransitionMonths    int
	SLAs, SLAMiss       int    // service levels; misses in the last complete quarter
	Target              string // the health colour the data aims at (green data never trips a rule)
	RiskProfile         string // "", "high" or "critical": a designed open risk out of appetite
	LateKey, LateMinor  bool   // a key milestone > 30 days late; a minor one late
	Overdue             int    // open risks whose review is overdue
	Readiness           []int  // BOT readiness statuses per ReadinessAreas (nil: by phase)
	CreatedAt           time.Time
	VendorName          string
	ExtraManagers       []uint
}

// phases is the model's lifecycle.
func (e *engPlan) phases() []string {
	if e.Model == models.ModelBOT {
		return models.PhasesBOT
	}
	return models.PhasesITO
}

// phaseIndex is the position of the current phase in the lifecycle.
func (e *engPlan) phaseIndex() int {
	for i, p := range e.phases() {
		if p == e.Phase {
			return i
		}
	}
	return 0
}

// phaseStart is the day the lifecycle phase i began (zero if not reached).
func (e *engPlan) phaseStart(i int) models.Date {
	if i == 0 || i > len(e.Moves) {
		return models.Date{}
	}
	return e.Moves[i-1]
}

// running reports an engagement that has started (it has costs and service levels).
func (e *engPlan) running(anchor models.Date) bool {
	return e.Phase != "Selection" && e.Start.Before(anchor)
}

// lastMonth is the last month with costs: the month before the anchor, or the month it closed.
func (e *engPlan) lastMonth(anchor models.Date) models.Date {
	last := addMonths(anchor, -1)
	if !e.ClosedOn.IsZero() && e.ClosedOn.Before(last) {
		last = e.ClosedOn.MonthStart()
	}
	return last
}

// seedWriter holds one bulk inserter per table, wired parents first, and the
// pipe that runs their INSERTs.
type seedWriter struct {
	ids    idAlloc
	anchor models.Date
	pipe   *bulkPipe
	all    []*bulkInsert

	users, vendors, engagements, engManagers, phaseChanges *bulkInsert
	costs, fx, serviceLevels, measurements                 *bulkInsert
	risks, changes, mitigations                            *bulkInsert
	milestones, readiness, gates, reviews, reviewActions   *bulkInsert
	lessons                                                *bulkInsert
}

// newSeedWriter writes a seed as at now: dated relative to the first day of
// now's month (the anchor), stamped no later than now.
func newSeedWriter(ctx context.Context, tx *gorm.DB, ids idAlloc, now time.Time) (*seedWriter, error) {
	raw, err := rawTx(tx)
	if err != nil {
		return nil, err
	}
	dollar := !models.IsSQLite(tx)
	now = now.UTC()
	w := &seedWriter{ids: ids, anchor: models.DateOf(now).MonthStart(), pipe: newBulkPipe()}
	mk := func(table string, cols []string, parents ...*bulkInsert) *bulkInsert {
		b := newBulk(ctx, raw, w.pipe, dollar, now, table, cols, parents...)
		w.all = append(w.all, b)
		return b
	}
	w.users = mk("users", []string{"id", "name", "email", "role", "password_hash", "disabled", "created_at", "updated_at"})
	w.vendors = mk("vendors", []string{"id", "name", "country", "delivery_locations", "tier", "expertise", "track_record",
		"financial_stability", "cultural_fit", "security_posture", "references_checked", "notes", "archived", "version", "created_at", "updated_at"})
	w.engagements = mk("engagements", []string{"id", "code", "name", "model", "tower", "vendor_id", "business_unit",
		"delivery_location", "sponsor", "manager_id", "phase", "start_date", "contract_end", "planned_transfer", "actual_transfer",
		"contract_value", "currency", "pricing_model", "vendor_headcount", "client_headcount", "description", "closed_on",
		"version", "created_at", "updated_at"}, w.users, w.vendors)
	w.engManagers = mk("engagement_managers", []string{"engagement_id", "user_id"}, w.engagements)
	w.phaseChanges = mk("phase_changes", []string{"id", "engagement_id", "from_phase", "to_phase", "changed_on", "user_id", "created_at"}, w.engagements)
	w.costs = mk("cost_records", []string{"id", "engagement_id", "month", "currency", "baseline", "vendor_fees", "retained",
		"one_off", "credits", "planned_savings", "savings_type", "version", "created_at", "updated_at"}, w.engagements)
	w.fx = mk("fx_rates", []string{"id", "currency", "month", "rate"})
	w.serviceLevels = mk("service_levels", []string{"id", "engagement_id", "name", "target", "unit", "direction", "credit_rule",
		"credit_pct", "archived", "version", "created_at", "updated_at"}, w.engagements)
	w.measurements = mk("sla_measurements", []string{"id", "service_level_id", "engagement_id", "month", "actual", "met", "note",
		"created_at", "updated_at"}, w.serviceLevels)
	w.risks = mk("risks", []string{"id", "engagement_id", "ref", "title", "description", "category", "inherent_likelihood",
		"inherent_impact", "inherent_score", "residual_likelihood", "residual_impact", "residual_score", "response", "mitigation",
		"owner_id", "status", "next_review", "raised_on", "closed_on", "closed_reason", "accepted_by", "accept_justification",
		"accept_expiry", "version", "created_at", "updated_at"}, w.engagements)
	w.changes = mk("changes", []string{"id", "entity", "entity_id", "action", "field", "old", "new", "user_id", "at"}, w.users, w.risks)
	w.mitigations = mk("mitigation_actions", []string{"id", "risk_id", "action", "owner_id", "due", "status", "version",
		"created_at", "updated_at"}, w.risks)
	w.milestones = mk("milestones", []string{"id", "engagement_id", "phase", "name", "is_key", "planned", "forecast", "actual",
		"version", "created_at", "updated_at"}, w.engagements)
	w.readiness = mk("readiness_items", []string{"id", "engagement_id", "area", "weight", "status", "owner", "evidence",
		"version", "created_at", "updated_at"}, w.engagements)
	w.gates = mk("transfer_gates", []string{"id", "engagement_id", "decision", "decided_on", "decided_by", "conditions", "created_at"}, w.engagements)
	w.reviews = mk("governance_reviews", []string{"id", "engagement_id", "quarter", "held_on", "rating", "commentary",
		"decisions", "escalations", "version", "created_at", "updated_at"}, w.engagements)
	w.reviewActions = mk("review_actions", []string{"id", "governance_review_id", "engagement_id", "action", "owner", "due",
		"status", "created_at", "updated_at"}, w.reviews)
	w.lessons = mk("lessons", []string{"id", "title", "what_happened", "lesson", "outcome", "phase", "category", "engagement_id",
		"tower", "tags", "author_id", "learned_on", "risk_id", "archived", "version", "created_at", "updated_at"}, w.engagements, w.risks, w.users)
	return w, nil
}

// finish writes every buffered row, parents first, waits for the writes and
// returns the first error. The transaction is the caller's again after it.
func (w *seedWriter) finish() error {
	if !w.pipe.failed.Load() {
		for _, b := range w.all {
			b.flush()
		}
	}
	return w.pipe.wait()
}

// failed reports whether a write failed (the rest is skipped).
func (w *seedWriter) failed() bool { return w.pipe.failed.Load() }

// writeEngagement writes the engagement row, its co-managers and its phase changes.
func (w *seedWriter) writeEngagement(e *engPlan) {
	upd := e.CreatedAt
	if n := len(e.Moves); n > 0 {
		upd = stamp(e.Moves[n-1], 10, 30)
	}
	w.engagements.add(e.ID, e.Code, e.Name, e.Model, e.Tower, e.VendorID, e.BusinessUnit, e.Location, e.Sponsor,
		nullID(e.ManagerID), e.Phase, dateVal(e.Start), dateVal(e.ContractEnd), dateVal(e.PlannedTransfer),
		dateVal(e.ActualTransfer), e.Value, e.Currency, e.Pricing, e.VendorHC, e.ClientHC, e.Description,
		dateVal(e.ClosedOn), 1+len(e.Moves), e.CreatedAt, upd)
	for _, u := range e.ExtraManagers {
		w.engManagers.add(e.ID, u)
	}
	phases := e.phases()
	for i, d := range e.Moves {
		w.phaseChanges.add(w.ids.next("phase_changes"), e.ID, phases[i], phases[i+1], d, nullID(e.ManagerID), stamp(d, 10, 30))
	}
}
