package pack

// Each engagement's status as at the quarter's end: its health by the rules
// of models.Health applied to the facts of that day (the register as at then,
// the quarter's service levels, savings for the year to that day, milestones
// and readiness as they stood), one RAG per dimension, and its health at the
// previous quarter's end for the change. The sections are ordered by it
// (reds first) and the status on a page lists it.

import (
	"fmt"
	"math/big"
	"slices"
	"sort"

	"portfolio/models"
	"portfolio/models/register"
)

// PackRAG is one dimension's red, amber or green ("" where it does not
// apply) with the figure that gives it, in words.
type PackRAG struct {
	RAG, Text string
}

// PackStatus is an engagement's status as at the quarter's end.
type PackStatus struct {
	Health                                    string   // red, amber or green
	Reasons                                   []string // why, worst first
	Savings, SLA, Risk, Milestones, Readiness PackRAG
	// Previous is the health at the previous quarter's end ("" when the
	// engagement was not live then); Trend +1 better, −1 worse, 0 the same.
	Previous string
	Trend    int
}

// StatusRow is one engagement's line of the status on a page.
type StatusRow struct {
	ID                       uint
	Code, Name, Model, Phase string
	Status                   PackStatus
}

// StatusGroup is a block of the status on a page: the whole portfolio, or one
// tower when the portfolio is too large for one page.
type StatusGroup struct {
	Tower string // "" for the whole portfolio on one page
	Rows  []StatusRow
}

// StatusOnePage is how many engagements the status on a page lists in one
// grid; beyond that it is grouped by tower, reds first in each.
const StatusOnePage = 40

// healthRank orders colours worst first.
func healthRank(h string) int {
	switch h {
	case models.Red:
		return 0
	case models.Amber:
		return 1
	case models.Green:
		return 2
	}
	return 3
}

// riskTally is what health reads of an engagement's live risks on a day.
type riskTally struct {
	worst                              int // highest residual score
	open, crit, high, overdue, expired int
}

// asAtFacts are the per-engagement facts health reads on a quarter's last day.
type asAtFacts struct {
	end       models.Date
	q         models.Quarter
	risks     map[uint]*riskTally
	sla       map[uint][2]int64 // met, measured in the quarter
	savings   map[uint][2]int64 // hard net and plan, year to date (engagement currency)
	late      map[uint][2]int   // milestones late, key milestones more than 30 days late
	readiness map[uint]float64  // BOT checklists only
}

func (b *packBuilder) tally(m map[uint]*riskTally, id *uint) *riskTally {
	if id == nil {
		return nil
	}
	t := m[*id]
	if t == nil {
		t = &riskTally{}
		m[*id] = t
	}
	return t
}

// countRisk adds a live risk of the register on a day to its engagement's tally.
func (b *packBuilder) countRisk(m map[uint]*riskTally, k models.Risk) {
	t := b.tally(m, k.EngagementID)
	if t == nil {
		return
	}
	t.open++
	t.worst = max(t.worst, k.ResidualScore)
	if b.s.Risk.OutOfAppetite(k.ResidualScore) {
		switch b.s.Risk.Band(k.ResidualScore) {
		case models.BandCritical:
			t.crit++
		case models.BandHigh:
			t.high++
		}
	}
}

// riskFactsAt tallies the register as at end: live risks, overdue reviews and
// expired acceptances per engagement. cur is filled already with the live
// and expired risks when the pack's own reads counted them (the quarter's
// end), so only the overdue are read then.
func (b *packBuilder) riskFactsAt(end models.Date, m map[uint]*riskTally, counted bool) error {
	f := register.RiskFilter{EngagementID: b.only, AsAt: end}
	if !counted {
		if err := register.EachBrief(b.db, b.s.Risk, f, func(k models.Risk) error {
			b.countRisk(m, k)
			return b.pace()
		}); err != nil {
			return err
		}
		ex := f
		ex.Expired = true
		if err := register.EachBrief(b.db, b.s.Risk, ex, func(k models.Risk) error {
			if t := b.tally(m, k.EngagementID); t != nil {
				t.expired++
			}
			return b.pace()
		}); err != nil {
			return err
		}
	}
	od := f
	od.Overdue = true
	return register.EachBrief(b.db, b.s.Risk, od, func(k models.Risk) error {
		if t := b.tally(m, k.EngagementID); t != nil {
			t.overdue++
		}
		return b.pace()
	})
}

// slaFactsAt counts each engagement's service-level results in quarter q.
func (b *packBuilder) slaFactsAt(q models.Quarter) (map[uint][2]int64, error) {
	var per []struct {
		EngagementID  uint
		Met, Measured int64
	}
	if err := b.scope(b.db.Table("sla_measurements"), "engagement_id").Select("engagement_id, SUM(CASE WHEN met THEN 1 ELSE 0 END) AS met, COUNT(*) AS measured").
		Where("month BETWEEN ? AND ?", b.f.Start(q), b.f.End(q)).Group("engagement_id").Scan(&per).Error; err != nil {
		return nil, err
	}
	out := make(map[uint][2]int64, len(per))
	for _, r := range per {
		out[r.EngagementID] = [2]int64{r.Met, r.Measured}
	}
	return out, nil
}

// status computes each engagement's status as at the quarter's end and the
// previous quarter's, then orders the sections red → amber → green (then by
// code) and lays out the status on a page. It runs after the sections: it
// reads their figures.
func (b *packBuilder) status() error {
	cur := &asAtFacts{end: b.p.End, q: b.q, risks: b.curRisks, savings: b.ytd}
	prevQ := b.q.Prev()
	prev := &asAtFacts{end: b.f.End(prevQ), q: prevQ, risks: map[uint]*riskTally{}, savings: b.prevYTD}
	var err error
	if err = b.riskFactsAt(cur.end, cur.risks, true); err != nil {
		return err
	}
	if err = b.riskFactsAt(prev.end, prev.risks, false); err != nil {
		return err
	}
	for _, a := range []*asAtFacts{cur, prev} {
		if a.sla, err = b.slaFactsAt(a.q); err != nil {
			return err
		}
		if a.late, err = b.milestoneFactsAt(a.end); err != nil {
			return err
		}
		if a.readiness, err = b.readinessAt(a.end); err != nil {
			return err
		}
	}
	// The transfer dates the previous quarter's end knew.
	prevEngs := slices.Clone(b.engs)
	if err := models.TransferDatesAsAt(b.ctx, b.db, prev.end, prevEngs); err != nil {
		return err
	}
	prevStart := b.f.Start(prevQ)
	for i := range b.engs {
		e := &b.engs[i]
		ep := b.byID[e.ID]
		st := b.statusAt(e, cur, ep.Phase)
		if !e.StartDate.After(prev.end) && (e.ClosedOn.IsZero() || !e.ClosedOn.Before(prevStart)) {
			was := b.statusAt(&prevEngs[i], prev, b.prevPhase[e.ID])
			st.Previous = was.Health
			st.Trend = healthRank(was.Health) - healthRank(st.Health)
			st.Trend = max(-1, min(1, -st.Trend))
		}
		ep.Status = &st
	}
	ordered := b.p.Engagements
	sort.SliceStable(ordered, func(i, j int) bool {
		ri, rj := healthRank(ordered[i].Status.Health), healthRank(ordered[j].Status.Health)
		if ri != rj {
			return ri < rj
		}
		return ordered[i].Code < ordered[j].Code
	})
	clear(b.byID) // its pointers moved with the sort
	b.p.Status = statusGroups(ordered)
	return nil
}

// statusGroups lays out the status on a page: one grid, or one per tower
// (towers by name) when there are more than StatusOnePage engagements. The
// engagements come ordered worst first already.
func statusGroups(es []EngagementPack) []StatusGroup {
	row := func(e *EngagementPack) StatusRow {
		return StatusRow{ID: e.ID, Code: e.Code, Name: e.Name, Model: e.Model, Phase: e.Phase, Status: *e.Status}
	}
	if len(es) <= StatusOnePage {
		g := StatusGroup{Rows: make([]StatusRow, 0, len(es))}
		for i := range es {
			g.Rows = append(g.Rows, row(&es[i]))
		}
		return []StatusGroup{g}
	}
	byTower := map[string]*StatusGroup{}
	var towers []string
	for i := range es {
		t := es[i].Tower
		if byTower[t] == nil {
			byTower[t] = &StatusGroup{Tower: t}
			towers = append(towers, t)
		}
		byTower[t].Rows = append(byTower[t].Rows, row(&es[i]))
	}
	sort.Strings(towers)
	out := make([]StatusGroup, 0, len(towers))
	for _, t := range towers {
		out = append(out, *byTower[t])
	}
	return out
}

// statusAt applies health's rules to an engagement's facts as at a.end.
func (b *packBuilder) statusAt(e *models.Engagement, a *asAtFacts, phase string) PackStatus {
	in := models.HealthInputs{IsBOT: e.IsBOT(), PlannedTransfer: e.PlannedTransfer, SLAQuarter: a.q, Today: a.end,
		Transferred: phase == "Transferred" || (!e.ActualTransfer.IsZero() && !e.ActualTransfer.After(a.end))}
	var st PackStatus
	t := a.risks[e.ID]
	if t == nil {
		t = &riskTally{}
	}
	// The expired acceptances' reason is the pack's own: the register's
	// brief rows do not carry the expiry date health's reason names.
	in.CriticalOutOfAppetite, in.HighOutOfAppetite, in.OverdueReviews = t.crit, t.high, t.overdue
	sla := a.sla[e.ID]
	in.SLAMet, in.SLAMeasured = sla[0], sla[1]
	sav := a.savings[e.ID]
	in.SavingsNet, in.SavingsPlan = sav[0], sav[1]
	late := a.late[e.ID]
	in.Late, in.KeyLateOver30 = late[0], late[1]
	in.Readiness, in.HasReadiness = a.readiness[e.ID]
	st.Health, st.Reasons = models.Health(in)
	if t.expired > 0 {
		st.Reasons = append(st.Reasons, fmt.Sprintf("%d risk %s expired by %s", t.expired, map[bool]string{true: "acceptance", false: "acceptances"}[t.expired == 1], a.end.Human()))
		if st.Health == models.Green {
			st.Health = models.Amber
		}
	}
	if !e.ClosedOn.IsZero() && !e.ClosedOn.After(a.end) {
		st.Health, st.Reasons = models.Green, []string{"closed on " + e.ClosedOn.Human()}
	}

	// Savings: net realised against plan, year to date.
	switch {
	case in.SavingsPlan <= 0:
		st.Savings = PackRAG{"", "no plan"}
	default:
		pct := 100 * float64(in.SavingsNet) / float64(in.SavingsPlan)
		st.Savings = PackRAG{models.Green, models.PercentText(big.NewRat(in.SavingsNet, 1), big.NewRat(in.SavingsPlan, 1))}
		switch {
		case pct < 80:
			st.Savings.RAG = models.Red
		case pct < 95:
			st.Savings.RAG = models.Amber
		}
	}
	// SLA attainment in the quarter.
	if att, ok := models.Attainment(in.SLAMet, in.SLAMeasured); ok {
		st.SLA = PackRAG{models.Green, models.FormatPct(att, true)}
		switch {
		case att < 90:
			st.SLA.RAG = models.Red
		case att < 95:
			st.SLA.RAG = models.Amber
		}
	} else {
		st.SLA = PackRAG{"", "not measured"}
	}
	// Risk: the worst open residual.
	switch {
	case t.open == 0:
		st.Risk = PackRAG{models.Green, "none open"}
	default:
		st.Risk = PackRAG{models.Green, fmt.Sprintf("%s %d", b.s.Risk.Band(t.worst), t.worst)}
		switch {
		case t.crit > 0:
			st.Risk.RAG = models.Red
		case t.high > 0:
			st.Risk.RAG = models.Amber
		}
	}
	// Milestones late on the day.
	switch {
	case in.KeyLateOver30 > 0:
		st.Milestones = PackRAG{models.Red, fmt.Sprintf("%d key > 30 days late", in.KeyLateOver30)}
	case in.Late > 0:
		st.Milestones = PackRAG{models.Amber, fmt.Sprintf("%d late", in.Late)}
	default:
		st.Milestones = PackRAG{models.Green, "on time"}
	}
	st.Readiness = readinessRAG(in)
	return st
}

// milestoneFactsAt counts each engagement's milestones late on day end (due
// before it and not done by it) and the key ones more than 30 days late, as
// they stood that day.
func (b *packBuilder) milestoneFactsAt(end models.Date) (map[uint][2]int, error) {
	ms, err := models.MilestonesAsAt(b.ctx, b.db, end, b.only, "planned < ? AND (actual IS NULL OR actual > ?)", end, end)
	if err != nil {
		return nil, err
	}
	out := map[uint][2]int{}
	for _, m := range ms {
		if m.Planned.IsZero() || !m.Planned.Before(end) || (!m.Actual.IsZero() && !m.Actual.After(end)) {
			continue
		}
		c := out[m.EngagementID]
		c[0]++
		if m.IsKey && m.Planned.Before(end.AddDays(-30)) {
			c[1]++
		}
		out[m.EngagementID] = c
	}
	return out, nil
}

// readinessAt gives each BOT engagement's readiness % on day end, from its
// checklist as it stood that day.
func (b *packBuilder) readinessAt(end models.Date) (map[uint]float64, error) {
	items, err := models.ReadinessAsAt(b.ctx, b.db, end, b.only)
	if err != nil {
		return nil, err
	}
	byEng := map[uint][]models.ReadinessItem{}
	for _, it := range items {
		byEng[it.EngagementID] = append(byEng[it.EngagementID], it)
	}
	out := make(map[uint]float64, len(byEng))
	for id, its := range byEng {
		if r, ok := models.Readiness(its); ok {
			out[id] = r
		}
	}
	return out, nil
}

// readinessRAG is a BOT engagement's transfer readiness on the day: red by
// health's gate rule (within 60 days of the planned transfer and below 70 %),
// amber below the gate within 180 days of it, green at or above the gate;
// further off and below the gate it has no colour yet (a Build phase two
// years from its transfer is not late at 10 %), only its figure.
func readinessRAG(in models.HealthInputs) PackRAG {
	switch {
	case !in.IsBOT:
		return PackRAG{"", "not BOT"}
	case in.Transferred:
		return PackRAG{models.Green, "transferred"}
	}
	days, dated := 0, !in.PlannedTransfer.IsZero()
	if dated {
		days = in.Today.DaysUntil(in.PlannedTransfer)
	}
	switch {
	case !in.HasReadiness && dated && days <= 60:
		return PackRAG{models.Red, "no checklist"}
	case !in.HasReadiness:
		return PackRAG{"", "no checklist"}
	case in.Readiness >= 70:
		return PackRAG{models.Green, fmt.Sprintf("%.0f %%", in.Readiness)}
	case dated && days <= 60:
		return PackRAG{models.Red, fmt.Sprintf("%.0f %%, below 70 %% gate", in.Readiness)}
	case dated && days <= 180:
		return PackRAG{models.Amber, fmt.Sprintf("%.0f %%, below 70 %% gate", in.Readiness)}
	case dated:
		return PackRAG{"", fmt.Sprintf("%.0f %%; transfer %s", in.Readiness, in.PlannedTransfer.Format("Jan 2006"))}
	}
	return PackRAG{"", fmt.Sprintf("%.0f %%; no transfer date", in.Readiness)}
}
