package pack

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"portfolio/models"
)

// packBuilder carries what every section of a pack needs.
type packBuilder struct {
	ctx   context.Context
	db    *gorm.DB
	s     models.Settings
	f     models.Fiscal
	q     models.Quarter
	p     *Pack
	rates *models.Rates
	engs  []models.Engagement
	byID  map[uint]*EngagementPack
	phase map[uint]string
	// prevPhase is each engagement's phase at the previous quarter's end.
	prevPhase map[uint]string
	today     models.Date
	only      uint         // one engagement's pack (BuildEngagementPack), or 0
	yield     models.Yield // built in the background (BuildPackInBackground), or nil
	rows      int          // rows read from the streams so far (pace)

	// What the status reads of the sections (each written by one section only).
	curRisks     map[uint]*riskTally // the register at the quarter's end (risks)
	ytd, prevYTD map[uint][2]int64   // hard net and plan, year to date at this and the previous quarter's end (savings)
}

// scope narrows a query of the pack's records to its one engagement, if it
// has one, by the column naming the engagement.
func (b *packBuilder) scope(q *gorm.DB, col string) *gorm.DB {
	if b.only == 0 {
		return q
	}
	return q.Where(col+" = ?", b.only)
}

// BuildPack computes a quarter's review pack from the live data, as at the
// quarter's end: records dated after it do not count.
func BuildPack(ctx context.Context, db *gorm.DB, s models.Settings, q models.Quarter, today models.Date) (*Pack, error) {
	return buildPack(ctx, db, s, q, today, 0, nil)
}

// BuildPackInBackground is BuildPack for the server's own work, which nobody
// waits for (the pack built ahead): its sections are built one after another,
// and it calls yield between them and every few thousand rows it reads.
func BuildPackInBackground(ctx context.Context, db *gorm.DB, s models.Settings, q models.Quarter, today models.Date, yield models.Yield) (*Pack, error) {
	return buildPack(ctx, db, s, q, today, 0, yield)
}

// BuildEngagementPack is BuildPack for one engagement: its section is the
// portfolio pack's, and the pack's portfolio figures are its own. It reads
// that engagement's records only (the portfolio's took 20 s at 10,000
// engagements). The pack has no engagement if it was not live in the quarter.
func BuildEngagementPack(ctx context.Context, db *gorm.DB, s models.Settings, q models.Quarter, today models.Date, id uint) (*Pack, error) {
	if id == 0 {
		return nil, gorm.ErrRecordNotFound
	}
	return buildPack(ctx, db, s, q, today, id, nil)
}

func buildPack(ctx context.Context, db *gorm.DB, s models.Settings, q models.Quarter, today models.Date, only uint, yield models.Yield) (*Pack, error) {
	f := s.Fiscal()
	b := &packBuilder{ctx: ctx, db: db.WithContext(ctx), s: s, f: f, q: q, today: today, byID: map[uint]*EngagementPack{}, only: only, yield: yield,
		curRisks: map[uint]*riskTally{}, ytd: map[uint][2]int64{}, prevYTD: map[uint][2]int64{},
		p: &Pack{Quarter: q.String(), Previous: q.Prev().String(), Start: f.Start(q), End: f.End(q), ProducedOn: today, Currency: s.Finance.ReportingCurrency}}
	var err error
	if b.rates, err = models.LoadRates(ctx, db, s.Finance.ReportingCurrency); err != nil {
		return nil, err
	}
	if err := b.engagements(); err != nil {
		return nil, err
	}
	if only == 0 {
		b.newTrends()
	}
	if err := b.sections(); err != nil {
		return nil, err
	}
	if b.p.Trends != nil {
		b.p.Trends.trim()
	}
	if err := b.status(); err != nil {
		return nil, err
	}
	b.p.Rates, b.p.Missing = b.rates.Used(), b.rates.Missing()
	for _, pr := range b.rates.Provisional() {
		b.p.Provisional = append(b.p.Provisional, pr.Label())
	}
	if err := b.headlines(); err != nil { // a pack is kept: no zeros for a failed read
		return nil, err
	}
	return b.p, nil
}

// sections builds the pack's sections. They read apart and each fills its own
// fields of the pack and of every engagement's section, so for someone
// waiting they run at once, three at a time, so that one pack leaves the other
// requests connections. In the background they run one after another,
// giving way between them: one core at most, and a little at a time. A panic
// in one is that pack's error, not the server's end.
func (b *packBuilder) sections() error {
	steps := []func() error{b.risks, b.savings, b.sla, b.transfers, b.lessons, b.reviews, b.trends, b.partnerships}
	safe := func(step func() error) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("building the review pack: %v\n%s", p, debug.Stack())
			}
		}()
		return step()
	}
	if b.yield != nil {
		for _, step := range steps {
			if err := b.yield.Wait(b.ctx); err != nil {
				return err
			}
			if err := safe(step); err != nil {
				return err
			}
		}
		return nil
	}
	var g errgroup.Group
	g.SetLimit(3)
	for _, step := range steps {
		g.Go(func() error { return safe(step) })
	}
	return g.Wait()
}

// yieldRows is how many rows of its streams the pack reads between two
// yields when it is built in the background (a variable for the tests).
var yieldRows = 5000

// pace counts a row read from a stream and gives way every yieldRows rows of
// a build in the background (the sections then run one at a time, so the
// count is theirs alone).
func (b *packBuilder) pace() error {
	if b.yield == nil {
		return nil
	}
	if b.rows++; b.rows%yieldRows != 0 {
		return nil
	}
	return b.yield.Wait(b.ctx)
}

// engagements lists those live at some point in the quarter, with their phase at its end.
func (b *packBuilder) engagements() error {
	if err := b.scope(b.db, "id").Preload("Vendor").Preload("Manager").
		Where("start_date <= ? AND (closed_on IS NULL OR closed_on >= ?)", b.p.End, b.p.Start).
		Order("code").Find(&b.engs).Error; err != nil {
		return err
	}
	if err := models.TransferDatesAsAt(b.ctx, b.db, b.p.End, b.engs); err != nil {
		return err
	}
	var moves []models.PhaseChange
	if err := b.scope(b.db, "engagement_id").Where("changed_on <= ?", b.p.End).Order("changed_on, id").Find(&moves).Error; err != nil {
		return err
	}
	b.phase, b.prevPhase = map[uint]string{}, map[uint]string{}
	prevEnd := b.f.End(b.q.Prev())
	for _, m := range moves {
		b.phase[m.EngagementID] = m.ToPhase
		if !m.ChangedOn.After(prevEnd) {
			b.prevPhase[m.EngagementID] = m.ToPhase
		} else if _, ok := b.prevPhase[m.EngagementID]; !ok {
			b.prevPhase[m.EngagementID] = m.FromPhase // the phase it left after the previous quarter's end
		}
	}
	b.p.Engagements = make([]EngagementPack, len(b.engs))
	for i, e := range b.engs {
		ph, ok := b.phase[e.ID]
		if !ok {
			ph = e.Phase
		}
		b.phase[e.ID] = ph
		if _, ok := b.prevPhase[e.ID]; !ok {
			b.prevPhase[e.ID] = ph
		}
		ep := EngagementPack{ID: e.ID, Code: e.Code, Name: e.Name, Model: e.Model, Tower: e.Tower, Phase: ph, Currency: e.Currency}
		if e.Vendor != nil {
			ep.Vendor = e.Vendor.Name
		}
		if e.Manager != nil {
			ep.Manager = e.Manager.Name
		}
		b.p.Engagements[i] = ep
	}
	for i := range b.p.Engagements {
		b.byID[b.p.Engagements[i].ID] = &b.p.Engagements[i]
	}
	return nil
}

// sla counts attainment in the quarter per engagement and lists the breaches with credits due.
func (b *packBuilder) sla() error {
	var per []struct {
		EngagementID  uint
		Met, Measured int64
	}
	if err := b.scope(b.db.Table("sla_measurements"), "engagement_id").Select("engagement_id, SUM(CASE WHEN met THEN 1 ELSE 0 END) AS met, COUNT(*) AS measured").
		Where("month BETWEEN ? AND ?", b.p.Start, b.p.End).Group("engagement_id").Scan(&per).Error; err != nil {
		return err
	}
	for _, r := range per {
		b.p.SLA.Met += r.Met
		b.p.SLA.Measured += r.Measured
		if ep := b.byID[r.EngagementID]; ep != nil {
			ep.SLAMet, ep.SLAMeasured = r.Met, r.Measured
		}
	}
	var misses []struct {
		EngagementID                uint
		Code, Name, Unit, Direction string
		Month                       models.Date
		Actual, Target              int64
		CreditPct                   int
		VendorFees                  *int64
		Currency                    string
	}
	if err := b.scope(b.db.Table("sla_measurements m"), "m.engagement_id").
		Select(`m.engagement_id, e.code, e.currency, s.name, s.unit, s.direction, m.month, m.actual, s.target, s.credit_pct, c.vendor_fees`).
		Joins("JOIN service_levels s ON s.id = m.service_level_id").
		Joins("JOIN engagements e ON e.id = m.engagement_id").
		Joins("LEFT JOIN cost_records c ON c.engagement_id = m.engagement_id AND c.month = m.month").
		Where("m.month BETWEEN ? AND ? AND NOT m.met", b.p.Start, b.p.End).
		Order("e.code, m.month, s.name").Scan(&misses).Error; err != nil {
		return err
	}
	for _, m := range misses {
		br := PackBreach{Engagement: m.Code, SLA: m.Name, Month: m.Month.Format("Jan 2006"),
			Actual: models.FormatMilli(m.Actual) + " " + m.Unit, Target: dirSign(m.Direction) + " " + models.FormatMilli(m.Target) + " " + m.Unit}
		switch {
		case m.CreditPct == 0:
			br.Credit = "none in contract"
		case m.VendorFees == nil:
			br.Credit = fmt.Sprintf("%d %% of fees (no cost record)", m.CreditPct)
		default:
			due := new(big.Rat).Mul(big.NewRat(*m.VendorFees, 1), big.NewRat(int64(m.CreditPct), 100))
			br.Credit = models.Money{Minor: models.RoundHalfEven(due), Currency: m.Currency}.String()
		}
		b.p.SLA.Breaches = append(b.p.SLA.Breaches, br)
		if ep := b.byID[m.EngagementID]; ep != nil {
			ep.Breaches = append(ep.Breaches, br)
		}
	}
	return nil
}

func dirSign(d string) string {
	if d == models.LowerIsBetter {
		return "≤"
	}
	return "≥"
}

// transfers gives each live BOT engagement's readiness, its latest gate
// decision and its milestones done this quarter and due next, each as they
// stood at the quarter's end (models.MilestonesAsAt and the like): a later
// edit does not change a past quarter's pack.
func (b *packBuilder) transfers() error {
	next := b.q.Next()
	nextStart, nextEnd := b.f.Start(next), b.f.End(next)
	doneIn := func(m models.Milestone) bool {
		return !m.Actual.IsZero() && !m.Actual.Before(b.p.Start) && !m.Actual.After(b.p.End)
	}
	dueNext := func(m models.Milestone) bool {
		return !m.Planned.Before(nextStart) && !m.Planned.After(nextEnd) && (m.Actual.IsZero() || m.Actual.After(b.p.End))
	}
	ms, err := models.MilestonesAsAt(b.ctx, b.db, b.p.End, b.only, "(actual BETWEEN ? AND ?) OR (planned BETWEEN ? AND ? AND (actual IS NULL OR actual > ?))",
		b.p.Start, b.p.End, nextStart, nextEnd, b.p.End)
	if err != nil {
		return err
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if !ms[i].Planned.Equal(ms[j].Planned.Time) {
			return ms[i].Planned.Before(ms[j].Planned)
		}
		return ms[i].ID < ms[j].ID
	})
	items, err := models.ReadinessAsAt(b.ctx, b.db, b.p.End, b.only)
	if err != nil {
		return err
	}
	gates, err := models.GatesAsAt(b.ctx, b.db, b.p.End, b.only)
	if err != nil {
		return err
	}
	byEng := map[uint][]models.ReadinessItem{}
	for _, it := range items {
		byEng[it.EngagementID] = append(byEng[it.EngagementID], it)
	}
	lastGate := map[uint]models.TransferGate{}
	for _, g := range gates {
		if l, ok := lastGate[g.EngagementID]; !ok || g.DecidedOn.After(l.DecidedOn) || (g.DecidedOn.Equal(l.DecidedOn.Time) && g.ID > l.ID) {
			lastGate[g.EngagementID] = g
		}
	}
	msByEng := map[uint][]models.Milestone{}
	for _, m := range ms {
		if doneIn(m) || dueNext(m) {
			msByEng[m.EngagementID] = append(msByEng[m.EngagementID], m)
		}
	}
	for _, e := range b.engs {
		if !e.IsBOT() {
			continue
		}
		ph := b.phase[e.ID]
		t := PackTransfer{Engagement: e.Code + " " + e.Name, Phase: ph, Planned: e.PlannedTransfer.Human()}
		t.Readiness, t.HasReadiness = models.Readiness(byEng[e.ID])
		if g, ok := lastGate[e.ID]; ok {
			t.Gate = g.Decision + " on " + g.DecidedOn.Human()
		}
		for _, m := range msByEng[e.ID] {
			if doneIn(m) {
				t.Done = append(t.Done, m.Name+" ("+m.Actual.Human()+")")
			} else {
				t.Due = append(t.Due, m.Name+" ("+m.Planned.Human()+")")
			}
		}
		b.p.Transfers = append(b.p.Transfers, t)
		tc := t
		b.byID[e.ID].Transfer = &tc
	}
	return nil
}

// lessons lists the lessons learned in the quarter.
func (b *packBuilder) lessons() error {
	var ls []models.Lesson
	if err := b.scope(b.db, "engagement_id").Preload("Engagement").Where("learned_on BETWEEN ? AND ? AND NOT archived", b.p.Start, b.p.End).
		Order("learned_on, id").Find(&ls).Error; err != nil {
		return err
	}
	for _, l := range ls {
		pl := PackLesson{Title: l.Title, Outcome: l.Outcome, Phase: l.Phase, Lesson: l.Lesson}
		if l.Engagement != nil {
			pl.Engagement = l.Engagement.Code
			if ep := b.byID[l.Engagement.ID]; ep != nil {
				ep.Lessons = append(ep.Lessons, pl)
			}
		}
		b.p.Lessons = append(b.p.Lessons, pl)
	}
	return nil
}

// reviews gathers the quarter's governance decisions, commentary and
// actions: the reviews' and the governance meetings' (meetings.go), in one
// step as both fill the same lists.
func (b *packBuilder) reviews() error {
	var rs []models.GovernanceReview
	if err := b.scope(b.db, "engagement_id").Where("quarter = ?", b.p.Quarter).Order("engagement_id").Find(&rs).Error; err != nil {
		return err
	}
	codes := map[uint]string{}
	for _, e := range b.engs {
		codes[e.ID] = e.Code
	}
	for _, r := range rs {
		if ep := b.byID[r.EngagementID]; ep != nil {
			ep.Rating, ep.Commentary, ep.Decisions, ep.Escalations = r.Rating, r.Commentary, r.Decisions, r.Escalations
		}
		if r.Decisions != "" || r.Escalations != "" {
			b.p.Decisions = append(b.p.Decisions, PackDecision{Engagement: codes[r.EngagementID], Rating: r.Rating, Decisions: r.Decisions, Escalations: r.Escalations})
		}
	}
	var as []models.ReviewAction
	if err := b.scope(b.db, "g.engagement_id").Joins("JOIN governance_reviews g ON g.id = review_actions.governance_review_id").
		Where("g.quarter = ?", b.p.Quarter).Order("review_actions.due, review_actions.id").Find(&as).Error; err != nil {
		return err
	}
	var agreed []agreedAction
	for _, a := range as {
		agreed = append(agreed, agreedAction{engagementID: a.EngagementID, due: a.Due, PackAction: PackAction{Engagement: codes[a.EngagementID],
			Action: a.Action, Owner: a.Owner, Due: a.Due.Human(), Status: a.Status, Overdue: a.Status == models.ActionOpen && a.Due.Before(b.overdueOn())}})
	}
	more, err := b.meetings(codes)
	if err != nil {
		return err
	}
	b.actions(append(agreed, more...))
	sort.SliceStable(b.p.Decisions, func(i, j int) bool { return b.p.Decisions[i].Engagement < b.p.Decisions[j].Engagement })
	if b.only != 0 {
		return nil
	}
	c, ok, err := models.PortfolioCommentaryOf(b.ctx, b.db, b.p.Quarter)
	if err != nil || !ok {
		return err
	}
	b.p.Commentary = &PackCommentary{KeyMessages: lines(c.KeyMessages), Asks: lines(c.Asks)}
	return nil
}

// typedMark is a bullet or a number typed at the start of a line ("- ",
// "• ", "2. ", "3) "): the pack prints its own.
var typedMark = regexp.MustCompile(`^(?:[-•*]|\d{1,2}[.)])\s+`)

// lines are a text's non-blank lines, trimmed: one key message or ask a line.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(typedMark.ReplaceAllString(strings.TrimSpace(l), ""))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
