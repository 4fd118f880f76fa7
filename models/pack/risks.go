package pack

// The review pack's risks: the register as at the quarter's end and what
// moved in it, read as streams.

import (
	"fmt"
	"strings"

	"portfolio/models"
	"portfolio/models/register"
)

// risks takes the register as at the quarter's end and its movement since the
// previous quarter's end, each read as a stream: only what the pack prints of
// them is kept.
func (b *packBuilder) risks() error {
	f := register.RiskFilter{EngagementID: b.only}
	r := &b.p.Risks
	moved := map[uint]packMove{}
	err := register.EachMove(b.ctx, b.db, b.f.End(b.q.Prev()), b.p.End, f, func(m register.RiskMove) error {
		moved[m.Risk.ID] = packMove{kinds: m.Kinds, from: m.FromScore}
		for _, k := range m.Kinds {
			switch k {
			case register.MoveNew:
				r.New++
			case register.MoveEscalated:
				r.Escalated++
			case register.MoveDeescalated:
				r.DeEscalated++
			case register.MoveClosed:
				r.Closed++
			}
		}
		r.MovesCount++
		if len(r.Moves) < 25 {
			r.Moves = append(r.Moves, b.packRisk(m.Risk, moved))
		}
		if m.Risk.EngagementID != nil { // every move counts, not only the 25 listed
			if ep := b.byID[*m.Risk.EngagementID]; ep != nil {
				ep.RiskMoves++
			}
		}
		return b.pace()
	})
	if err != nil {
		return err
	}
	// The accepted risks whose acceptance had expired by the quarter's end,
	// as the register's filter finds them on that day.
	expired := f
	expired.Expired = true
	if err := b.eachLiveRisk(expired, func(k models.Risk) error {
		r.ExpiredCount++
		if t := b.tally(b.curRisks, k.EngagementID); t != nil {
			t.expired++
		}
		if len(r.Expired) < 25 {
			r.Expired = append(r.Expired, b.packRisk(k, moved))
		}
		return b.pace()
	}); err != nil {
		return err
	}
	r.Bands = map[string]int{}
	perEng := map[uint]int{}
	return b.eachLiveRisk(f, func(k models.Risk) error {
		r.Open++
		b.countRisk(b.curRisks, k)
		if models.ValidLevel(k.ResidualLikelihood) && models.ValidLevel(k.ResidualImpact) {
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
		return b.pace()
	})
}

// packMove is what the pack prints of a risk's movement: its kinds and its
// residual score at the previous quarter's end.
type packMove struct {
	kinds []string
	from  int
}

// eachLiveRisk calls fn with each risk of the register as f selects it at
// the quarter's end, in the register's order, brief, as it is read
// (register.EachBrief).
func (b *packBuilder) eachLiveRisk(f register.RiskFilter, fn func(models.Risk) error) error {
	f.AsAt = b.p.End
	return register.EachBrief(b.db, b.s.Risk, f, fn)
}

// packRisk turns a risk into the pack's row, naming its movement.
func (b *packBuilder) packRisk(k models.Risk, moves map[uint]packMove) PackRisk {
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
		case register.MoveEscalated, register.MoveDeescalated:
			parts = append(parts, fmt.Sprintf("%s %d → %d", kind, m.from, k.ResidualScore))
		default:
			parts = append(parts, kind)
		}
	}
	pr.Movement = strings.Join(parts, ", ")
	return pr
}
