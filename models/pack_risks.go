package models

// The review pack's risks: the register as at the quarter's end and what
// moved in it, read as streams.

import (
	"fmt"
	"strings"
)

// risks takes the register as at the quarter's end and its movement since the
// previous quarter's end, each read as a stream: only what the pack prints of
// them is kept.
func (b *packBuilder) risks() error {
	f := RiskFilter{EngagementID: b.only}
	r := &b.p.Risks
	moved := map[uint]packMove{}
	err := EachMove(b.ctx, b.db, b.f.End(b.q.Prev()), b.p.End, f, func(m RiskMove) error {
		moved[m.Risk.ID] = packMove{kinds: m.Kinds, from: m.FromScore}
		for _, k := range m.Kinds {
			switch k {
			case MoveNew:
				r.New++
			case MoveEscalated:
				r.Escalated++
			case MoveDeescalated:
				r.DeEscalated++
			case MoveClosed:
				r.Closed++
			}
		}
		if len(r.Moves) < 25 {
			r.Moves = append(r.Moves, b.packRisk(m.Risk, moved))
		}
		if m.Risk.EngagementID != nil { // every move counts, not only the 25 listed
			if ep := b.byID[*m.Risk.EngagementID]; ep != nil {
				ep.RiskMoves++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Bands = map[string]int{}
	perEng := map[uint]int{}
	return b.eachLiveRisk(f, func(k Risk) {
		r.Open++
		if ValidLevel(k.ResidualLikelihood) && ValidLevel(k.ResidualImpact) {
			r.Heat[k.ResidualLikelihood-1][k.ResidualImpact-1]++
		}
		r.Bands[b.s.Risk.Band(k.ResidualScore)]++
		if len(r.Top) < 10 {
			r.Top = append(r.Top, b.packRisk(k, moved))
		}
		if k.EngagementID != nil {
			if ep := b.byID[*k.EngagementID]; ep != nil && perEng[ep.ID] < 5 {
				if ep.Risks == nil {
					ep.Risks = make([]PackRisk, 0, 5)
				}
				ep.Risks = append(ep.Risks, b.packRisk(k, moved))
				perEng[ep.ID]++
			}
		}
	})
}

// packMove is what the pack prints of a risk's movement: its kinds and its
// residual score at the previous quarter's end.
type packMove struct {
	kinds []string
	from  int
}

// eachLiveRisk calls fn with each risk of RegisterAsAt(f) at the quarter's
// end, in the register's order, brief (riskBriefColumns), as it is read: read
// whole through the ORM, the 175,000 live risks of 10,000 engagements took
// 5.4 s, and held in a slice, 200 MB.
func (b *packBuilder) eachLiveRisk(f RiskFilter, fn func(Risk)) error {
	f.AsAt = b.p.End
	rows, err := f.ordered(b.db, b.s.Risk, b.p.End, true).Select(riskBriefColumns).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	brief := newBriefScanner()
	for rows.Next() {
		r, err := brief.scan(rows)
		if err != nil {
			return err
		}
		fn(r)
	}
	return rows.Err()
}

// packRisk turns a risk into the pack's row, naming its movement.
func (b *packBuilder) packRisk(k Risk, moves map[uint]packMove) PackRisk {
	pr := PackRisk{Ref: k.Ref, Title: k.Title, Category: k.Category, Status: k.Status, Residual: k.ResidualScore, Band: b.s.Risk.Band(k.ResidualScore)}
	if k.Engagement != nil {
		pr.Engagement = k.Engagement.Code
	} else {
		pr.Engagement = "Portfolio-wide"
	}
	if k.Owner != nil {
		pr.Owner = k.Owner.Name
	}
	m, ok := moves[k.ID]
	if !ok {
		pr.Movement = "unchanged"
		return pr
	}
	pr.PrevResidual = m.from
	var parts []string
	for _, kind := range m.kinds {
		switch kind {
		case MoveEscalated, MoveDeescalated:
			parts = append(parts, fmt.Sprintf("%s %d → %d", kind, m.from, k.ResidualScore))
		default:
			parts = append(parts, kind)
		}
	}
	pr.Movement = strings.Join(parts, ", ")
	return pr
}
