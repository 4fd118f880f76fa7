package pack

import (
	"fmt"
	"sort"

	"portfolio/models"
)

// PackPartnerships is the pack's "Contracts and partnerships": the notice
// deadlines that fall in the next quarter (as the contracts stand when the
// pack is built; a published pack keeps them), and each engagement's
// partnership survey of the quarter with its movement since the one before.
type PackPartnerships struct {
	NextQuarter string
	Notices     []PackNotice
	// Cooled are the surveys where a dimension fell or scored low, the
	// largest fall first; the others are summed up in Steady and SteadyMean.
	Cooled     []PackSurvey
	Steady     int
	SteadyMean float64
	// Obligations are those late at the quarter's end, the longest late
	// first; HasObligations is false in packs published before they were.
	Obligations    []PackObligation
	HasObligations bool
}

// PackObligation is an obligation late at the quarter's end.
type PackObligation struct {
	Engagement, Name string
	Whose, Title     string
	Clause           string
	Since            string // the oldest late occurrence's due date
	DaysLate         int    // at the quarter's end
	Late             int    // occurrences late
}

// OverLimit reports a late obligation that turns health Amber.
func (o PackObligation) OverLimit() bool { return o.DaysLate > models.ObligationOverdueDays }

// PackNotice is a notice deadline of the next quarter.
type PackNotice struct {
	Engagement, Name string
	Deadline         string
	Without          string // what happens without notice
	Decision         string // "" while undecided
}

// PackSurvey is an engagement's survey of the quarter.
type PackSurvey struct {
	Engagement, Name string
	Average          float64
	Previous         float64 // the survey before's average (HasPrevious false: none)
	HasPrevious      bool
	Why              string // what fell or scored low ("" for none)
}

// SteadyText sums up the surveys that had nothing fall or score low ("" for none).
func (p PackPartnerships) SteadyText() string {
	switch p.Steady {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("1 other partnership held steady, at an average of %.1f.", p.SteadyMean)
	}
	return fmt.Sprintf("%d other partnerships held steady, at an average of %.1f.", p.Steady, p.SteadyMean)
}

// Surveyed reports whether any survey of the quarter was recorded.
func (p PackPartnerships) Surveyed() bool { return len(p.Cooled)+p.Steady > 0 }

// Change is the average's movement since the survey before.
func (s PackSurvey) Change() string {
	if !s.HasPrevious {
		return "—"
	}
	d := s.Average - s.Previous
	switch {
	case d <= -0.05:
		return fmt.Sprintf("−%.1f", -d)
	case d >= 0.05:
		return fmt.Sprintf("+%.1f", d)
	}
	return "0.0"
}

// partnerships builds the section (the portfolio pack's only).
func (b *packBuilder) partnerships() error {
	if b.only != 0 {
		return nil
	}
	next := b.q.Next()
	out := &PackPartnerships{NextQuarter: next.String()}
	start, end := b.f.Start(next), b.f.End(next)
	// Deadlines from the quarter's end to the next quarter's end, those in the next quarter kept.
	rows, _, err := models.NoticeDeadlines(b.ctx, b.db, b.p.End, int(end.Sub(b.p.End.Time).Hours()/24), 0)
	if err != nil {
		return err
	}
	for _, n := range rows {
		if n.Deadline.Before(start) || n.Deadline.After(end) {
			continue
		}
		without := "it ends on " + n.ContractEnd.Human()
		if n.AutoRenews {
			without = fmt.Sprintf("it renews for %d months on %s", n.RenewalMonths, n.ContractEnd.AddDays(1).Human())
		}
		out.Notices = append(out.Notices, PackNotice{Engagement: n.Code, Name: n.Name, Deadline: n.Deadline.Human(), Without: without, Decision: n.Decision})
	}
	var surveys []models.Survey
	if err := b.db.Where("quarter IN ?", []string{b.q.String(), b.q.Prev().String()}).Find(&surveys).Error; err != nil {
		return err
	}
	prev := map[uint]models.Survey{}
	for _, s := range surveys {
		if s.Quarter == b.q.Prev().String() {
			prev[s.EngagementID] = s
		}
	}
	var sugg []models.Suggestion
	if err := b.db.Where("quarter = ? AND status <> ?", b.q.String(), models.SuggestionDismissed).Order("id").Find(&sugg).Error; err != nil {
		return err
	}
	why := map[uint]string{}
	for _, g := range sugg {
		label := g.Dimension
		for _, d := range models.SurveyDimensions {
			if d.Key == g.Dimension {
				label = d.Label
			}
		}
		if why[g.EngagementID] != "" {
			why[g.EngagementID] += "; "
		}
		why[g.EngagementID] += label + " " + g.Reason
	}
	codes := map[uint][2]string{}
	for _, e := range b.engs {
		codes[e.ID] = [2]string{e.Code, e.Name}
	}
	for _, s := range surveys {
		if s.Quarter != b.q.String() {
			continue
		}
		c, ok := codes[s.EngagementID]
		if !ok {
			continue // not live in the quarter
		}
		ps := PackSurvey{Engagement: c[0], Name: c[1], Average: s.Average(), Why: why[s.EngagementID]}
		if p, ok := prev[s.EngagementID]; ok {
			ps.Previous, ps.HasPrevious = p.Average(), true
		}
		if ps.Why == "" {
			out.Steady++
			out.SteadyMean += ps.Average
			continue
		}
		out.Cooled = append(out.Cooled, ps)
	}
	if out.Steady > 0 {
		out.SteadyMean /= float64(out.Steady)
	}
	// The largest fall first, then the lowest average.
	sort.SliceStable(out.Cooled, func(i, j int) bool {
		a, b := out.Cooled[i], out.Cooled[j]
		da, db := a.Average-a.Previous, b.Average-b.Previous
		if !a.HasPrevious {
			da = 0
		}
		if !b.HasPrevious {
			db = 0
		}
		if da != db {
			return da < db
		}
		if a.Average != b.Average {
			return a.Average < b.Average
		}
		return a.Engagement < b.Engagement
	})
	if err := b.obligations(out, codes); err != nil {
		return err
	}
	b.p.Partnerships = out
	return nil
}

// obligations adds the obligations late at the quarter's end of the
// engagements live in it, as recorded by then (models.ObligationLines).
func (b *packBuilder) obligations(out *PackPartnerships, live map[uint][2]string) error {
	asAt := b.p.End // or today, in a draft of a quarter not yet ended: nothing is late ahead of time
	if b.today.Before(asAt) {
		asAt = b.today
	}
	lines, err := models.ObligationLines(b.ctx, b.db, models.ObligationFilter{AsAt: asAt, OnlyPending: true, ClosedToo: true})
	if err != nil {
		return err
	}
	out.HasObligations = true
	for _, l := range lines {
		c, ok := live[l.EngagementID]
		if !ok || len(l.Late) == 0 {
			continue
		}
		out.Obligations = append(out.Obligations, PackObligation{Engagement: c[0], Name: c[1], Whose: models.PartyLabel(l.Party), Title: l.Title,
			Clause: l.Clause, Since: l.Late[0].DueOn.Human(), DaysLate: l.OldestLate(asAt), Late: len(l.Late)})
	}
	return nil
}
