package pack

// The review pack's trends: the portfolio over the last eight quarters, each
// figure as it stood at that quarter's end, so that the board sees where the
// portfolio is heading and not only where it stands.

import (
	"portfolio/models"
	"portfolio/models/register"
)

// TrendQuarters is how many quarters the pack's trends cover, its own the last.
const TrendQuarters = 8

// PackTrends are the portfolio's figures of each of the last quarters,
// oldest first, each slice one entry a quarter. Quarters before the first
// with any figure are left out.
type PackTrends struct {
	Quarters  []string
	Hard      []PackQuarterSavings // net realised hard savings and their plan
	Avoidance []PackQuarterSavings // cost avoidance and its plan, never added to hard savings
	SLA       []PackMetCount       // monthly service-level results met and measured
	Bands     []map[string]int     // open risks at the quarter's end by residual band
	Readiness []PackReadinessTrend // each BOT engagement live in the pack's quarter that has a checklist
	// NoChecklist counts the BOT engagements live in the quarter without a
	// transfer checklist at any of the quarters' ends (not in Readiness).
	NoChecklist int `json:",omitempty"`
}

// PackMetCount is a quarter's service-level results met and measured.
type PackMetCount struct{ Met, Measured int64 }

// PackReadinessTrend is a BOT engagement's transfer readiness at each
// quarter's end (Has false where it had no checklist yet).
type PackReadinessTrend struct {
	Engagement string
	Values     []float64
	Has        []bool
}

// trendQuarters are the quarters of the trends, oldest first.
func (b *packBuilder) trendQuarters() []models.Quarter {
	qs := make([]models.Quarter, TrendQuarters)
	q := b.q
	for i := TrendQuarters - 1; i >= 0; i-- {
		qs[i] = q
		q = q.Prev()
	}
	return qs
}

// newTrends makes the trends' quarters; the sections fill in their figures.
func (b *packBuilder) newTrends() {
	t := &PackTrends{}
	for _, q := range b.trendQuarters() {
		t.Quarters = append(t.Quarters, q.String())
	}
	n := len(t.Quarters)
	t.Hard, t.Avoidance, t.SLA, t.Bands = make([]PackQuarterSavings, n), make([]PackQuarterSavings, n), make([]PackMetCount, n), make([]map[string]int, n)
	b.p.Trends = t
}

// savingsTrend fills the trends' savings from the portfolio's sums by quarter
// (the savings section's).
func (b *packBuilder) savingsTrend(byQ map[models.Quarter]models.Split) {
	t := b.p.Trends
	for i, q := range b.trendQuarters() {
		s := byQ[q]
		t.Hard[i] = PackQuarterSavings{Quarter: q.String(), Net: s.Hard.Net.Minor(), Planned: s.Hard.Planned.Minor()}
		t.Avoidance[i] = PackQuarterSavings{Quarter: q.String(), Net: s.Avoidance.Net.Minor(), Planned: s.Avoidance.Planned.Minor()}
	}
}

// trends fills the trends' service levels, risks and readiness: the
// register as at each quarter's end is read from its kept snapshots
// (register.SnapshotQuarters covers the same eight quarters), and the
// checklists' history once for all eight days.
func (b *packBuilder) trends() error {
	if b.p.Trends == nil {
		return nil
	}
	t := b.p.Trends
	qs := b.trendQuarters()
	first := b.f.Start(qs[0])
	var months []struct {
		Month         models.Date
		Met, Measured int64
	}
	if err := b.db.Table("sla_measurements").Select("month, SUM(CASE WHEN met THEN 1 ELSE 0 END) AS met, COUNT(*) AS measured").
		Where("month BETWEEN ? AND ?", first, b.p.End).Group("month").Scan(&months).Error; err != nil {
		return err
	}
	index := map[models.Quarter]int{}
	for i, q := range qs {
		index[q] = i
	}
	for _, m := range months {
		if i, ok := index[b.f.QuarterOf(m.Month)]; ok {
			t.SLA[i].Met += m.Met
			t.SLA[i].Measured += m.Measured
		}
	}
	ends := make([]models.Date, len(qs))
	for i, q := range qs {
		ends[i] = b.f.End(q)
		if b.yield != nil {
			if err := b.yield.Wait(b.ctx); err != nil {
				return err
			}
		}
		cells, err := register.ResidualAsAt(b.ctx, b.db, ends[i])
		if err != nil {
			return err
		}
		bands := map[string]int{}
		for l := range 5 {
			for m := range 5 {
				if n := cells[l][m]; n > 0 {
					bands[b.s.Risk.Band((l+1)*(m+1))] += n
				}
			}
		}
		t.Bands[i] = bands
	}
	return b.readinessTrend(ends)
}

// readinessTrend fills each live BOT engagement's readiness at the quarters' ends.
func (b *packBuilder) readinessTrend(ends []models.Date) error {
	each, err := models.ReadinessAsAtEach(b.ctx, b.db, ends, 0)
	if err != nil {
		return err
	}
	byEng := make([]map[uint][]models.ReadinessItem, len(ends))
	for d, items := range each {
		byEng[d] = map[uint][]models.ReadinessItem{}
		for _, it := range items {
			byEng[d][it.EngagementID] = append(byEng[d][it.EngagementID], it)
		}
	}
	for _, e := range b.engs { // by code
		if !e.IsBOT() {
			continue
		}
		r := PackReadinessTrend{Engagement: e.Code + " " + e.Name, Values: make([]float64, len(ends)), Has: make([]bool, len(ends))}
		any := false
		for d := range ends {
			r.Values[d], r.Has[d] = models.Readiness(byEng[d][e.ID])
			any = any || r.Has[d]
		}
		if !any {
			b.p.Trends.NoChecklist++
			continue
		}
		b.p.Trends.Readiness = append(b.p.Trends.Readiness, r)
	}
	return nil
}

// trim leaves out the quarters before the first with any figure (a
// portfolio younger than eight quarters).
func (t *PackTrends) trim() {
	from := 0
	for from < len(t.Quarters)-1 {
		empty := t.Hard[from] == (PackQuarterSavings{Quarter: t.Quarters[from]}) &&
			t.Avoidance[from] == (PackQuarterSavings{Quarter: t.Quarters[from]}) && t.SLA[from].Measured == 0 && len(t.Bands[from]) == 0
		for _, r := range t.Readiness {
			empty = empty && !r.Has[from]
		}
		if !empty {
			break
		}
		from++
	}
	t.Quarters, t.Hard, t.Avoidance, t.SLA, t.Bands = t.Quarters[from:], t.Hard[from:], t.Avoidance[from:], t.SLA[from:], t.Bands[from:]
	for i := range t.Readiness {
		t.Readiness[i].Values, t.Readiness[i].Has = t.Readiness[i].Values[from:], t.Readiness[i].Has[from:]
	}
}
