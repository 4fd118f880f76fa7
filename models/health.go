package models

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Health colours.
const (
	Red   = "red"
	Amber = "amber"
	Green = "green"
)

// HealthInputs are the facts engagement health is derived from.
type HealthInputs struct {
	IsBOT                 bool
	PlannedTransfer       Date
	Transferred           bool
	Readiness             float64
	HasReadiness          bool
	CriticalOutOfAppetite int // open risks, residual band Critical, above appetite
	HighOutOfAppetite     int // open risks, residual band High, above appetite
	OverdueReviews        int
	// ExpiredAcceptances counts the accepted risks whose acceptance has expired
	// (its expiry date has passed); AcceptanceExpiredOn is the earliest expiry.
	ExpiredAcceptances  int
	AcceptanceExpiredOn Date
	SLAQuarter          Quarter // last complete quarter
	SLAMet, SLAMeasured int64
	SavingsNet          int64 // year to date, engagement currency
	SavingsPlan         int64
	KeyLateOver30       int // key milestones more than 30 days late
	Late                int // milestones late
	// ObligationsOverdue counts the obligations with an occurrence more than
	// 30 days late; ObligationOverdueSince is the oldest such due date.
	ObligationsOverdue     int
	ObligationOverdueSince Date
	Today                  Date
}

// Health derives red/amber/green and explains every reason, worst first.
func Health(in HealthInputs) (string, []string) {
	var red, amber []string
	if in.CriticalOutOfAppetite > 0 {
		red = append(red, fmt.Sprintf("%s with a Critical residual score, out of appetite", plural(in.CriticalOutOfAppetite, "open risk")))
	}
	if att, ok := Attainment(in.SLAMet, in.SLAMeasured); ok {
		msg := func(limit float64) string {
			return fmt.Sprintf("SLA attainment %s %% in %s (%d of %d met), below %.0f %%",
				pctUnder(att, limit, 1), in.SLAQuarter, in.SLAMet, in.SLAMeasured, limit)
		}
		switch {
		case att < 90:
			red = append(red, msg(90))
		case att < 95:
			amber = append(amber, msg(95))
		}
	}
	if in.SavingsPlan > 0 {
		pct := 100 * float64(in.SavingsNet) / float64(in.SavingsPlan)
		msg := func(limit float64) string {
			return fmt.Sprintf("net savings year to date at %s %% of plan, below %.0f %%", planShare(in.SavingsNet, in.SavingsPlan, pct, limit), limit)
		}
		switch {
		case pct < 80:
			red = append(red, msg(80))
		case pct < 95:
			amber = append(amber, msg(95))
		}
	}
	if in.KeyLateOver30 > 0 {
		red = append(red, fmt.Sprintf("%s more than 30 days late", plural(in.KeyLateOver30, "key milestone")))
	}
	if in.IsBOT && !in.Transferred && !in.PlannedTransfer.IsZero() {
		days := in.Today.DaysUntil(in.PlannedTransfer)
		if days <= 60 && (!in.HasReadiness || in.Readiness < 70) {
			var when, ready string
			switch {
			case days < 0:
				when = fmt.Sprintf("transfer %s overdue", plural(-days, "day"))
			case days == 0:
				when = "transfer due today"
			default:
				when = fmt.Sprintf("transfer due in %s", plural(days, "day"))
			}
			if in.HasReadiness {
				ready = fmt.Sprintf("with readiness %s %%, below 70 %%", pctUnder(in.Readiness, 70, 0))
			} else {
				ready = "with no readiness checklist"
			}
			red = append(red, when+" "+ready)
		}
	}
	if in.HighOutOfAppetite > 0 {
		amber = append(amber, fmt.Sprintf("%s with a High residual score, out of appetite", plural(in.HighOutOfAppetite, "open risk")))
	}
	if late := in.Late - in.KeyLateOver30; late > 0 {
		amber = append(amber, fmt.Sprintf("%s late", plural(late, "milestone")))
	}
	if in.OverdueReviews > 0 {
		amber = append(amber, fmt.Sprintf("%s overdue for review", plural(in.OverdueReviews, "risk")))
	}
	switch {
	case in.ExpiredAcceptances == 1:
		amber = append(amber, "a risk's acceptance expired on "+in.AcceptanceExpiredOn.Human())
	case in.ExpiredAcceptances > 1:
		amber = append(amber, fmt.Sprintf("%d risk acceptances expired, the first on %s", in.ExpiredAcceptances, in.AcceptanceExpiredOn.Human()))
	}
	switch {
	case in.ObligationsOverdue == 1:
		amber = append(amber, fmt.Sprintf("a contractual obligation more than %d days overdue, due on %s", ObligationOverdueDays, in.ObligationOverdueSince.Human()))
	case in.ObligationsOverdue > 1:
		amber = append(amber, fmt.Sprintf("%d contractual obligations more than %d days overdue, the oldest due on %s",
			in.ObligationsOverdue, ObligationOverdueDays, in.ObligationOverdueSince.Human()))
	}
	reasons := append(red, amber...)
	switch {
	case len(red) > 0:
		return Red, reasons
	case len(amber) > 0:
		return Amber, reasons
	}
	return Green, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// HealthLabel is the colour's word for people ("Red").
func HealthLabel(h string) string {
	if h == "" {
		return "Unknown"
	}
	return strings.ToUpper(h[:1]) + h[1:]
}

// planShare writes net ÷ plan as the savings cards do (PercentText: one
// decimal, rounded once on the exact fraction, "75.0"), or with more decimals
// where one would round it up to the limit ("79.96", never "80.0 %, below 80 %").
func planShare(net, plan int64, pct, limit float64) string {
	t := strings.TrimSuffix(PercentText(big.NewRat(net, 1), big.NewRat(plan, 1)), " %")
	plain := strings.ReplaceAll(strings.Replace(t, "−", "-", 1), ",", "")
	if v, err := strconv.ParseFloat(plain, 64); err == nil && v < limit {
		return t
	}
	return pctUnder(pct, limit, 2)
}

// pctUnder writes v, a percentage below limit, with prec decimals, or with more
// when fewer would round it up to the limit: 79.6 % against an 80 % threshold
// reads "79.6", never "80 %, below 80 %". Negatives take "−", as money does.
func pctUnder(v, limit float64, prec int) string {
	t := ""
	for p := prec; p <= prec+3 && t == ""; p++ {
		s := strconv.FormatFloat(v, 'f', p, 64)
		if x, err := strconv.ParseFloat(s, 64); err == nil && x < limit {
			t = s
		}
	}
	if t == "" {
		p := math.Pow10(prec + 3)
		t = strconv.FormatFloat(math.Floor(v*p)/p, 'f', prec+3, 64)
	}
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		if strings.Trim(rest, "0.") == "" {
			return rest // −0.4 % at no decimals is "0", not "−0"
		}
		return "−" + rest
	}
	return t
}
