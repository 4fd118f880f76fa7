package pack

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"portfolio/models"
	"portfolio/models/register"
)

// KeyFacts are what the pack states by itself beside its summary, from its
// own figures, so that a published pack says the same ever after: the
// largest shortfalls of hard savings against plan year to date, the risks
// that became Critical in the quarter, and the transfers planned for the
// next quarter.
func (p *Pack) KeyFacts() []string {
	var out []string
	out = append(out, p.yearOnYear()...)
	out = append(out, p.shortfalls(3)...)
	out = append(out, p.newCriticals()...)
	out = append(out, p.transfersNext()...)
	return out
}

// yearOnYear says how the quarter's hard savings compare with the same
// quarter a year before, how much of the change the plan foresaw, and which
// engagements moved them most. Amounts are whole units of the pack's
// currency, each rounded once, so that the parts printed add up to the
// change printed.
func (p *Pack) yearOnYear() []string {
	y := p.YearOnYear
	if y == nil {
		return nil
	}
	units := func(v int64) int64 { return models.RoundHalfEven(big.NewRat(v, 100)) }
	// A word joiner after the minus sign keeps "−$2,565" on one line.
	money := func(u int64) string {
		return strings.Replace(models.Money{Minor: u * 100, Currency: p.Currency}.Whole(), "−", "−\u2060", 1)
	}
	signed := func(u int64) string {
		if u > 0 {
			return "+" + money(u)
		}
		return money(u)
	}
	net, prior, plan, priorPlan := units(y.Net), units(y.PriorNet), units(y.Plan), units(y.PriorPlan)
	change, planned := net-prior, plan-priorPlan
	pct := ""
	if prior > 0 {
		pct = ", " + strings.Replace(fmt.Sprintf("%+.1f %%", 100*float64(change)/float64(prior)), "-", "−", 1)
	}
	out := []string{fmt.Sprintf("Hard savings in %s were %s against %s in %s (%s%s): %s of the change was planned (the plan moved from %s to %s) and %s came from delivery against plan.",
		y.Quarter, money(net), money(prior), y.Prior, signed(change), pct, signed(planned), money(priorPlan), money(plan), signed(change-planned))}
	if len(y.Movers) == 0 {
		return out
	}
	var parts []string
	rest := change
	for _, m := range y.Movers {
		c := units(m.Change)
		rest -= c
		what := fmt.Sprintf("%s %s (plan %s", m.Engagement, signed(c), signed(units(m.PlanChange)))
		if m.Note != "" {
			what += "; " + m.Note
		}
		parts = append(parts, what+")")
	}
	switch {
	case y.OtherEngagements > 0:
		parts = append(parts, fmt.Sprintf("%s %s together", plural(y.OtherEngagements, "other engagement", "other engagements"), signed(rest)))
	case rest != 0: // each engagement converted apart from the portfolio's total
		parts = append(parts, "rounding "+signed(rest))
	}
	return append(out, "The largest changes against "+y.Prior+": "+strings.Join(parts, "; ")+".")
}

// shortfalls are the n engagements furthest below their year-to-date plan,
// in the pack's currency.
func (p *Pack) shortfalls(n int) []string {
	type gap struct {
		e        *EngagementPack
		s        PackSavings
		variance int64
	}
	var gaps []gap
	for i := range p.Engagements {
		e := &p.Engagements[i]
		s := e.Savings
		if e.Reported != nil {
			s = *e.Reported
		} else if e.Currency != p.Currency {
			continue // a pack published before the amounts were converted
		}
		if s.YTDPlan > 0 && s.YTD < s.YTDPlan {
			gaps = append(gaps, gap{e, s, s.YTD - s.YTDPlan})
		}
	}
	slices.SortFunc(gaps, func(a, b gap) int {
		if a.variance != b.variance {
			return int(min(max(a.variance-b.variance, -1), 1))
		}
		return strings.Compare(a.e.Code, b.e.Code)
	})
	var out []string
	for _, g := range gaps[:min(n, len(gaps))] {
		money := func(v int64) string { return models.Money{Minor: v, Currency: p.Currency}.Whole() }
		out = append(out, fmt.Sprintf("%s %s: hard savings year to date %s below plan (%s against %s planned).",
			g.e.Code, g.e.Name, money(-g.variance), money(g.s.YTD), money(g.s.YTDPlan)))
	}
	if len(gaps) > n {
		out = append(out, fmt.Sprintf("%d more engagements are below their year-to-date plan (the savings section lists them).", len(gaps)-n))
	}
	return out
}

// newCriticals names the risks that were new, or escalated, into Critical in
// the quarter (from the movement table, which lists the highest first).
func (p *Pack) newCriticals() []string {
	var refs []string
	for _, r := range p.Risks.Moves {
		if r.Band != models.BandCritical {
			continue
		}
		kinds := strings.Split(r.Movement, ", ")
		if slices.Contains(kinds, register.MoveNew) || slices.ContainsFunc(kinds, func(k string) bool {
			return strings.HasPrefix(k, register.MoveEscalated+" ")
		}) {
			refs = append(refs, r.Ref+" ("+r.Engagement+")")
		}
	}
	switch {
	case len(refs) == 0:
		return []string{"No risk became Critical in " + p.Quarter + "."}
	case len(refs) > 5:
		return []string{fmt.Sprintf("%d risks became Critical in %s, among them %s.", len(refs), p.Quarter, strings.Join(refs[:5], ", "))}
	}
	return []string{fmt.Sprintf("%s became Critical in %s: %s.", plural(len(refs), "risk", "risks"), p.Quarter, strings.Join(refs, ", "))}
}

// transfersNext names the BOT transfers planned for the quarter after this one.
func (p *Pack) transfersNext() []string {
	from := p.End.AddDays(1)
	to := models.Date{Time: from.AddDate(0, 3, -1)}
	var names []string
	for _, t := range p.Transfers {
		d, err := time.Parse("2 Jan 2006", t.Planned)
		if err != nil {
			continue
		}
		if on := models.DateOf(d); !on.Before(from) && !on.After(to) {
			names = append(names, t.Engagement+" on "+t.Planned)
		}
	}
	if len(names) == 0 {
		return []string{"No BOT transfer is planned for the next quarter."}
	}
	return []string{fmt.Sprintf("%s planned for the next quarter: %s.", plural(len(names), "transfer", "transfers"), strings.Join(names, "; "))}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
