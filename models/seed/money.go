package seed

import (
	"fmt"
	"math/rand/v2"

	"portfolio/models"
)

// slaTemplate is a realistic service level with the ranges its monthly results
// fall in when met and when missed (all in thousandths of Unit).
type slaTemplate struct {
	Name, Unit, Direction string
	Target                int64
	MetLo, MetHi          int64
	MissLo, MissHi        int64
	Step                  int64 // results are rounded to this granularity
	CreditPct             int
	MissNote              string
}

// creditRule words a service level's credit.
func (s slaTemplate) creditRule() string {
	if s.CreditPct == 0 {
		return "KPI only: no service credit; reported at the governance review"
	}
	return fmt.Sprintf("%d %% of the month's vendor fees for each month below target, capped at 12 %% a quarter", s.CreditPct)
}

// slaByTower lists the service levels of each tower, most important first
// (indexed like Towers).
var slaByTower = [][]slaTemplate{
	{ // Infrastructure management
		{"Availability of core platforms", "%", models.HigherIsBetter, 99900, 99900, 99990, 99500, 99880, 10, 5, "Storage controller failure in the primary data centre; root-cause analysis accepted"},
		{"P1 incident resolution", "hours", models.LowerIsBetter, 4000, 1800, 4000, 4300, 9000, 100, 3, "Two P1 network outages resolved after the 4-hour target"},
		{"Change success rate", "%", models.HigherIsBetter, 98000, 98000, 99900, 95000, 97900, 100, 2, "Failed firewall changes during the quarterly patch window"},
		{"Backup success rate", "%", models.HigherIsBetter, 99500, 99500, 99990, 98500, 99450, 10, 2, "Backup jobs failed after a backup-agent upgrade"},
	},
	{ // Application development & maintenance
		{"P1 incident resolution", "hours", models.LowerIsBetter, 4000, 1500, 4000, 4300, 8500, 100, 3, "Month-end posting failure took 7 hours to resolve"},
		{"Releases delivered on schedule", "%", models.HigherIsBetter, 95000, 95000, 100000, 80000, 94500, 500, 3, "Release slipped after regression failures in UAT"},
		{"Defect leakage to production", "%", models.LowerIsBetter, 3000, 500, 3000, 3200, 7500, 100, 3, "Defects in the pricing module escaped regression testing"},
		{"P2 incident resolution", "hours", models.LowerIsBetter, 8000, 3000, 8000, 8500, 16000, 100, 2, "Backlog of P2 tickets after a key developer left"},
	},
	{ // Technical support (help desk)
		{"First-contact resolution", "%", models.HigherIsBetter, 75000, 75000, 84000, 66000, 74900, 100, 3, "New agents on the German-language queue still in training"},
		{"Calls answered within 30 seconds", "%", models.HigherIsBetter, 90000, 90000, 97000, 78000, 89900, 100, 4, "Call volumes 35 % above forecast after the Windows 11 roll-out"},
		{"Customer satisfaction (CSAT)", "points of 5", models.HigherIsBetter, 4300, 4300, 4700, 3900, 4290, 10, 2, "Complaints about password-reset waiting times"},
		{"Tickets older than 5 days", "%", models.LowerIsBetter, 5000, 1500, 5000, 5200, 9500, 100, 2, "Hardware replacement tickets waiting on the courier"},
	},
	{ // Cybersecurity services
		{"Critical vulnerability patching", "days", models.LowerIsBetter, 14000, 5000, 14000, 15000, 30000, 500, 5, "Emergency VPN appliance patch took 19 days to deploy everywhere"},
		{"Security incident triage", "minutes", models.LowerIsBetter, 15000, 6000, 15000, 16000, 40000, 500, 5, "Alert storm from a misconfigured EDR policy delayed triage"},
		{"SIEM log source coverage", "%", models.HigherIsBetter, 98000, 98000, 99900, 93000, 97900, 100, 2, "New cloud accounts not yet onboarded to the SIEM"},
		{"Phishing simulation click rate", "%", models.LowerIsBetter, 5000, 1500, 5000, 5200, 9000, 100, 0, "Seasonal parcel-delivery lure caught more users than usual"},
	},
	{ // Data management
		{"Data pipelines completed on time", "%", models.HigherIsBetter, 99000, 99000, 99900, 95000, 98900, 100, 3, "Upstream ERP extract arrived late on four business days"},
		{"Data quality score", "%", models.HigherIsBetter, 97000, 97000, 99500, 92000, 96900, 100, 2, "Duplicate customer records after the CRM migration"},
		{"Management reports available by 07:00", "%", models.HigherIsBetter, 98000, 98000, 100000, 90000, 97500, 500, 3, "Warehouse load overran after a schema change"},
		{"P1 incident resolution", "hours", models.LowerIsBetter, 4000, 1500, 4000, 4300, 8000, 100, 3, "Database failover did not complete automatically"},
	},
	{ // Cloud services
		{"Availability of core platforms", "%", models.HigherIsBetter, 99950, 99950, 99999, 99700, 99945, 5, 5, "Regional load-balancer incident at the cloud provider"},
		{"Environment provisioning lead time", "days", models.LowerIsBetter, 2000, 500, 2000, 2250, 6000, 250, 2, "Provisioning queue blocked by a landing-zone policy change"},
		{"Patch compliance", "%", models.HigherIsBetter, 95000, 95000, 99500, 88000, 94900, 100, 2, "Legacy images excluded from the automated patch pipeline"},
		{"Cost anomaly response", "hours", models.LowerIsBetter, 24000, 4000, 24000, 26000, 72000, 1000, 0, "Runaway analytics cluster detected only after three days"},
	},
}

// botKPI is the people measure every BOT centre reports: attrition threatens the transfer.
var botKPI = slaTemplate{"Attrition of centre staff (annualised)", "%", models.LowerIsBetter, 15000, 6000, 15000, 15500, 24000, 100, 0,
	"A competitor opened a centre in the same city and hired six engineers"}

// towerIndex is the position of a tower in Towers.
func towerIndex(tower string) int {
	for i, t := range models.Towers {
		if t == tower {
			return i
		}
	}
	return 0
}

// slaTemplatesFor picks an engagement's service levels: its tower's, and for a BOT
// centre the attrition KPI in place of the last one.
func slaTemplatesFor(e *engPlan) []slaTemplate {
	ts := append([]slaTemplate(nil), slaByTower[towerIndex(e.Tower)][:e.SLAs]...)
	if e.Model == models.ModelBOT && len(ts) > 1 {
		ts[len(ts)-1] = botKPI
	}
	return ts
}

// actualIn draws a result in [lo, hi] rounded to step.
func actualIn(r *rand.Rand, lo, hi, step int64) int64 {
	v := lo + r.Int64N(hi-lo+1)
	v = v / step * step
	if v < lo {
		v += step
	}
	return min(v, hi)
}

// writeServiceLevels writes an engagement's service levels and monthly results for
// the months [first, first+months), and returns, per month, the total service-credit
// % earned by missed levels (the costs deduct it from vendor fees).
// The last complete quarter gets exactly e.SLAMiss misses, so its attainment is as
// designed; other months miss now and then (missPct in a hundred).
func (w *seedWriter) writeServiceLevels(e *engPlan, first models.Date, months, missPct int, r *rand.Rand) []int {
	credits := make([]int, months)
	tmpls := slaTemplatesFor(e)
	q := models.DefaultFiscal.LastComplete(w.anchor)
	qStart, qEnd := models.DefaultFiscal.Start(q), models.DefaultFiscal.End(q)
	// The designed misses of the last complete quarter, as (level, month offset) slots.
	var slots [][2]int
	for i := range tmpls {
		for m := range months {
			if mo := addMonths(first, m); !mo.Before(qStart) && !mo.After(qEnd) {
				slots = append(slots, [2]int{i, m})
			}
		}
	}
	designed := map[[2]int]bool{}
	for _, k := range r.Perm(len(slots))[:min(e.SLAMiss, len(slots))] {
		designed[slots[k]] = true
	}
	created := stamp(e.Start, 11, 0)
	for i, t := range tmpls {
		id := w.ids.next("service_levels")
		w.serviceLevels.add(id, e.ID, t.Name, t.Target, t.Unit, t.Direction, t.creditRule(), t.CreditPct, false, 1, created, created)
		for m := range months {
			mo := addMonths(first, m)
			inQuarter := !mo.Before(qStart) && !mo.After(qEnd)
			miss := designed[[2]int{i, m}] || (!inQuarter && chance(r, missPct))
			var actual int64
			note := ""
			if miss {
				actual = actualIn(r, t.MissLo, t.MissHi, t.Step)
				note = t.MissNote
				credits[m] += t.CreditPct
			} else {
				actual = actualIn(r, t.MetLo, t.MetHi, t.Step)
			}
			at := stamp(addMonths(mo, 1).AddDays(4), 9, 15)
			w.measurements.add(w.ids.next("sla_measurements"), id, e.ID, mo, actual, models.Met(actual, t.Target, t.Direction), note, at, at)
		}
	}
	return credits
}

// writeCosts writes an engagement's monthly cost records from its start to the
// month before the anchor (or its close). The model: the in-house baseline grows
// 3 % a year; the plan saves SavePct of it, ramping up over the transition; the
// vendor realises Delivery % of the planned saving; one-off transition cost is
// front-loaded, exit cost falls in the exit months and a BOT transfer fee in the
// transfer month; service credits follow the missed service levels.
func (w *seedWriter) writeCosts(e *engPlan, first models.Date, months int, credits []int, r *rand.Rand) {
	term := max(1, monthsBetween(e.Start, e.ContractEnd))
	fees := e.Value / int64(term)
	retained := fees * int64(e.RetainedPct) / 100
	baseline0 := (fees + retained) * 100 / int64(100-e.SavePct)

	// Planned one-off transition cost: 40/30/20/10 % over the first months.
	oneOff := make([]int64, months)
	total := e.Value * int64(e.OneOffPermille) / 1000
	shares := []int64{40, 30, 20, 10}
	n := min(len(shares), max(1, e.TransitionMonths), months)
	var sum int64
	for i := range n {
		sum += shares[i]
	}
	for i := range n {
		oneOff[i] = total * shares[i] / sum
	}
	// Exit costs over the exit months; the transfer fee in the transfer month.
	if e.Model == models.ModelITO && e.phaseIndex() >= 3 {
		exitStart := e.phaseStart(3).MonthStart()
		from := max(0, monthsBetween(first, exitStart))
		if k := months - from; k > 0 {
			for m := from; m < months; m++ {
				oneOff[m] += e.Value / 100 / int64(k)
			}
		}
	}
	transferMonth := -1
	if !e.ActualTransfer.IsZero() {
		transferMonth = monthsBetween(first, e.ActualTransfer)
		if transferMonth >= 0 && transferMonth < months {
			oneOff[transferMonth] += e.Value * 2 / 100
		}
	}

	startOffset := monthsBetween(e.Start, first) // months of the engagement before the first record
	for m := range months {
		mo := addMonths(first, m)
		age := startOffset + m
		budget := baseline0 * int64(100+3*(age/12)) / 100
		baseline := budget + budget*int64(between(r, -8, 8))/1000
		ramp := int64(1000)
		if age < e.TransitionMonths {
			ramp = int64(1000 * (age + 1) / (e.TransitionMonths + 1))
		}
		plannedGross := budget * int64(e.SavePct) / 100 * ramp / 1000
		gross := plannedGross * int64(e.Delivery) / 100 * int64(1000+between(r, -20, 20)) / 1000
		recurring := baseline - gross
		vendor := recurring * 100 / int64(100+e.RetainedPct)
		if transferMonth >= 0 && m > transferMonth {
			vendor = recurring * 8 / 100 // post-transfer support only; the centre is ours
		}
		ret := recurring - vendor
		credit := vendor * int64(min(credits[m], 12)) / 100
		created := stamp(addMonths(mo, 1).AddDays(7), 14, 0)
		w.costs.add(w.ids.next("cost_records"), e.ID, mo, e.Currency, baseline, vendor, ret, oneOff[m], credit,
			plannedGross-oneOff[m], e.SavingsType, 1, created, created)
	}
}

// fxWalk is a gentle deterministic random walk of a currency's USD rate, in
// units of 10^-Decimals.
type fxWalk struct {
	Currency            string
	Start, Lo, Hi, Step int64
	Decimals            int
}

// fxWalks are the non-USD currencies the seeds use (1 unit = rate USD).
var fxWalks = []fxWalk{
	{"EUR", 10850, 10450, 11650, 70, 4},
	{"GBP", 12700, 12100, 13500, 80, 4},
	{"INR", 12000, 11300, 12400, 90, 6},
}

// formatRate writes a fixed-point rate as an exact decimal string.
func formatRate(v int64, decimals int) string {
	p := int64(1)
	for range decimals {
		p *= 10
	}
	return fmt.Sprintf("%d.%0*d", v/p, decimals, v%p)
}

// writeFX writes a monthly rate for each currency for the months [first, last].
func (w *seedWriter) writeFX(first, last models.Date) {
	for i, c := range fxWalks {
		r := newRand("fx", uint64(i))
		v := c.Start
		for mo := first; !mo.After(last); mo = addMonths(mo, 1) {
			w.fx.add(w.ids.next("fx_rates"), c.Currency, mo, formatRate(v, c.Decimals))
			v = min(c.Hi, max(c.Lo, v+int64(between(r, -int(c.Step), int(c.Step)))))
		}
	}
}
