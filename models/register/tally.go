package register

import (
	"context"

	"gorm.io/gorm"

	"portfolio/models"
)

// RiskTally is what the register shows above its rows: how many risks match
// the filter, and the inherent and residual heat maps of the filter without
// its band, appetite, overdue and cell parts (a map shows the spread of the
// other filters: those would only blank out cells).
type RiskTally struct {
	Total              int64
	Inherent, Residual [5][5]int
}

// cellGroup is a number of risks sharing inherent and residual levels, and how
// many of them are overdue (when asked).
type cellGroup struct {
	IL, II, RL, RI int
	N, Overdue     int64
}

// fromCells reports whether risk_cells (migration 8) answers f's heat maps:
// its scope is made of status and category only, the columns the cells keep
// (an expired acceptance is a date: the risks themselves are read).
func (f RiskFilter) fromCells() bool {
	return f.AsAt.IsZero() && f.MovedSince.IsZero() && f.EngagementID == 0 && !f.PortfolioWide && !f.Expired &&
		f.VendorID == 0 && f.OwnerID == 0 && len(models.SearchTerms(f.Q)) == 0
}

// heatScope is f without the parts the heat maps ignore.
func (f RiskFilter) heatScope() RiskFilter {
	f.Band, f.OutOfAppetite, f.Overdue, f.Likelihood, f.Impact = "", false, false, 0, 0
	return f
}

// TallyRisks counts the risks matching f and fills both heat maps in one
// grouped query: per inherent × residual levels, the band, appetite and cell
// filters are decided here from the levels (score = likelihood × impact). A
// scope of status and category reads at most a few hundred rows of risk_cells,
// maintained on write, rather than the risks; an overdue filter then costs one more
// count on the review-date index.
func TallyRisks(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter) (RiskTally, error) {
	db = db.WithContext(ctx)
	var t RiskTally
	var groups []cellGroup
	cells := f.fromCells()
	if cells {
		q := db.Table("risk_cells").Select(`inherent_likelihood AS il, inherent_impact AS ii,
			residual_likelihood AS rl, residual_impact AS ri, CAST(SUM(n) AS BIGINT) AS n`)
		// Category '' holds the sums over every category.
		q = statusCondition(q, "risk_cells.status", f.Status).Where("risk_cells.category = ?", f.Category)
		if err := q.Group("inherent_likelihood, inherent_impact, residual_likelihood, residual_impact").Scan(&groups).Error; err != nil {
			return t, err
		}
	} else {
		sc := f.heatScope()
		sel := `risks.inherent_likelihood AS il, risks.inherent_impact AS ii,
			risks.residual_likelihood AS rl, risks.residual_impact AS ri, COUNT(*) AS n`
		var args []any
		if f.Overdue {
			sel += `, SUM(CASE WHEN risks.next_review < ? AND risks.status <> 'closed' THEN 1 ELSE 0 END) AS overdue`
			args = append(args, today)
		}
		q := sc.apply(sc.base(db, false), s, today, false).Select(sel, args...).
			Group("risks.inherent_likelihood, risks.inherent_impact, risks.residual_likelihood, risks.residual_impact")
		if err := q.Scan(&groups).Error; err != nil {
			return t, err
		}
	}
	lo, hi, banded := s.BandRange(f.Band)
	cell := models.ValidLevel(f.Likelihood) && models.ValidLevel(f.Impact)
	for _, g := range groups {
		if models.ValidLevel(g.IL) && models.ValidLevel(g.II) {
			t.Inherent[g.IL-1][g.II-1] += int(g.N)
		}
		if models.ValidLevel(g.RL) && models.ValidLevel(g.RI) {
			t.Residual[g.RL-1][g.RI-1] += int(g.N)
		}
		l, i := g.RL, g.RI
		if f.kind() == "inherent" {
			l, i = g.IL, g.II
		}
		switch {
		case banded && (l*i < lo || l*i > hi),
			f.OutOfAppetite && g.RL*g.RI <= s.Appetite,
			cell && (l != f.Likelihood || i != f.Impact):
			continue
		}
		if f.Overdue {
			t.Total += g.Overdue
		} else {
			t.Total += g.N
		}
	}
	if cells && f.Overdue {
		// The cells know no dates: count the overdue risks themselves.
		if err := f.apply(f.base(db, false), s, today, true).Count(&t.Total).Error; err != nil {
			return t, err
		}
	}
	return t, nil
}

// statusCondition applies a register status filter ("" live, "all", or one
// status) to a status column.
func statusCondition(q *gorm.DB, col, status string) *gorm.DB {
	switch status {
	case "":
		return q.Where(col+" IN ?", models.LiveStatuses)
	case "all":
		return q
	}
	return q.Where(col+" = ?", status)
}

// ResidualAsAt counts the risks live at the end of day d by residual
// likelihood and impact: the residual heat map of TallyRisks for
// RiskFilter{AsAt: d}, reading only the columns it counts. From a kept day
// that is the snapshot alone; the whole register's replay also rolls back
// every text changed since d, which for a day two years back is most of the
// history (the review pack's trends read eight quarter ends).
func ResidualAsAt(ctx context.Context, db *gorm.DB, d models.Date) ([5][5]int, error) {
	var cells [5][5]int
	db = db.WithContext(ctx)
	sql, args := riskAsAtQuery(db, d, asAtScope{}, "status", "residual_likelihood", "residual_impact")
	var groups []cellGroup
	q := db.Table("(?) AS risks", db.Session(&gorm.Session{NewDB: true}).Raw(sql, args...)).
		Select("risks.residual_likelihood AS rl, risks.residual_impact AS ri, COUNT(*) AS n")
	if err := statusCondition(q, "risks.status", "").Group("risks.residual_likelihood, risks.residual_impact").Scan(&groups).Error; err != nil {
		return cells, err
	}
	for _, g := range groups {
		if models.ValidLevel(g.RL) && models.ValidLevel(g.RI) {
			cells[g.RL-1][g.RI-1] += int(g.N)
		}
	}
	return cells, nil
}

// HeatCounts counts the filtered risks per likelihood × impact cell of kind
// ("residual" or "inherent"), ignoring the filter's own cell, band, appetite
// and overdue parts (see TallyRisks).
func HeatCounts(ctx context.Context, db *gorm.DB, kind string, f RiskFilter) ([5][5]int, error) {
	t, err := TallyRisks(ctx, db, models.RiskSettings{}, f.AsAt, f.heatScope())
	if kind == "inherent" {
		return t.Inherent, err
	}
	return t.Residual, err
}
