package seed

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"portfolio/models"
)

// riskOpts shape one generated risk.
type riskOpts struct {
	Designed  string      // "critical" or "high": an open risk out of appetite, escalated recently
	CapHigh   bool        // the residual may be High (the engagement is not meant to be green)
	Overdue   bool        // its review date has passed
	EndOfLife bool        // the engagement ended or transferred: the risk is closed or accepted
	CloseBy   models.Date // if set, a closed risk closed by this day
	History   bool        // a full history of score and status moves (demo); else one status move (scale)
}

// riskState is what the history replays: residual likelihood and impact, and status.
type riskState struct {
	L, I   int
	Status string
}

// riskPlan is one risk and its history, ready to write.
type riskPlan struct {
	ID, EngagementID, OwnerID, UserID uint
	Ref, Title, Description           string
	Category, Response, Mitigation    string
	InL, InI                          int
	RaisedOn, ClosedOn, NextReview    models.Date
	AcceptExpiry                      models.Date
	ClosedReason, AcceptedBy          string
	AcceptJust, InitialResponse       string
	LastReview                        models.Date // a live risk's last review (its next review is due a cadence later)
	Actions                           [2]string
	States                            []riskState   // States[0] at creation, States[k] after event k
	Dates                             []models.Date // Dates[k-1] is the day of event k
	History                           bool
}

// now is the risk's current state.
func (p *riskPlan) now() riskState { return p.States[len(p.States)-1] }

// planRisk draws a risk from a template: its current state, dates, and a history
// of moves that ends exactly in the current state. raiseLo..raiseHi bounds the day
// it was raised; sponsor accepts risks.
func planRisk(r *rand.Rand, t riskTemplate, anchor, raiseLo, raiseHi models.Date, sponsor string, o riskOpts) riskPlan {
	p := riskPlan{Category: t.Category, Response: t.Response, InitialResponse: t.Response, Actions: t.Actions, History: o.History}
	settings := models.DefaultRiskSettings()

	status := riskStatus(r, o)
	L, I := residual(r, t, status, o)
	p.InL, p.InI = max(L, t.L), max(I, t.I)
	if o.Designed == "critical" {
		p.InL, p.InI = 5, 5
	} else if chance(r, 30) {
		p.InL = min(5, p.InL+1)
	}

	// Raised: mostly spread over the window, some in the last half-year (new risks),
	// designed ones a few months ago so that their escalation is recent.
	lo, hi := raiseLo, raiseHi
	switch {
	case o.Designed != "":
		lo, hi = maxDate(lo, anchor.AddDays(-400)), minDate(hi, anchor.AddDays(-90))
	case chance(r, 8):
		lo = maxDate(lo, anchor.AddDays(-180))
	}
	p.RaisedOn = dayBetween(r, lo, maxDate(lo, hi))
	if status == models.StatusClosed && p.RaisedOn.DaysUntil(anchor) < 20 {
		status = models.StatusOpen // too new to have been closed
	}

	// The end of the history: the close, or the last review for a live risk.
	var end models.Date
	if status == models.StatusClosed {
		last := anchor.AddDays(-1)
		if !o.CloseBy.IsZero() {
			last = clampDate(o.CloseBy, p.RaisedOn.AddDays(1), last)
		}
		p.ClosedOn = dayBetween(r, minDate(p.RaisedOn.AddDays(30), last), last)
		p.ClosedReason = pick(r, closedReasons)
		end = p.ClosedOn
	} else {
		cadence := settings.ReviewDays(models.Score(L, I))
		var last models.Date
		if o.Overdue {
			p.NextReview = anchor.AddDays(-between(r, 2, 40))
			last = p.NextReview.AddDays(-cadence)
			p.RaisedOn = minDate(p.RaisedOn, last.AddDays(-between(r, 10, 90)))
		} else {
			// Due again at least a month after the anchor: health is refreshed on any
			// day of the anchor's month and must not find these overdue.
			lo := anchor.AddDays(min(32-cadence, -5))
			last = dayBetween(r, maxDate(p.RaisedOn, lo), anchor.AddDays(-1))
			p.NextReview = settings.NextReview(last, models.Score(L, I))
		}
		if p.RaisedOn.DaysUntil(last) < 5 {
			p.RaisedOn = last.AddDays(-between(r, 5, 30)) // room for its moves before the last review
		}
		p.LastReview, end = last, last
	}
	if status == models.StatusAccepted {
		p.Response = "accept"
		p.AcceptedBy = sponsor
		p.AcceptJust = pick(r, acceptJustifications)
		p.AcceptExpiry = anchor.AddDays(between(r, 30, 330))
	} else if p.Response == "accept" {
		p.Response = "reduce" // not yet formally accepted: still being reduced
	}
	if p.InitialResponse == "accept" && status != models.StatusAccepted {
		p.InitialResponse = "reduce"
	}

	p.planHistory(r, L, I, status, end, o)
	return p
}

// riskStatus draws the current status.
func riskStatus(r *rand.Rand, o riskOpts) string {
	switch {
	case o.Designed == "critical":
		return models.StatusMitigating
	case o.Designed == "high":
		return models.StatusOpen
	case o.EndOfLife:
		if chance(r, 85) {
			return models.StatusClosed
		}
		return models.StatusAccepted
	case o.Overdue:
		return pick(r, []string{models.StatusOpen, models.StatusMitigating})
	}
	switch n := r.IntN(100); {
	case n < 30:
		return models.StatusOpen
	case n < 65:
		return models.StatusMitigating
	case n < 75:
		return models.StatusAccepted
	}
	return models.StatusClosed
}

// residual draws the current residual likelihood and impact. Live risks stay within
// appetite (score ≤ 9) unless designed or allowed to be High.
func residual(r *rand.Rand, t riskTemplate, status string, o riskOpts) (int, int) {
	switch o.Designed {
	case "critical":
		c := pick(r, [][2]int{{4, 5}, {5, 4}})
		return c[0], c[1]
	case "high":
		c := pick(r, [][2]int{{3, 4}, {4, 3}, {4, 4}, {3, 5}})
		return c[0], c[1]
	}
	if status == models.StatusClosed {
		return between(r, 1, 2), between(r, 1, t.I)
	}
	lo, hi := 1, 9
	if o.CapHigh && chance(r, 20) {
		lo, hi = 10, 16
	}
	for {
		L, I := between(r, 1, 4), between(r, 1, 5)
		if s := L * I; s >= lo && s <= hi {
			return L, I
		}
	}
}

// planHistory builds the states from creation to now: score moves (mostly
// de-escalations as mitigation works, some escalations) and the status path, on
// distinct days after the risk was raised, ending at end.
func (p *riskPlan) planHistory(r *rand.Rand, L, I int, status string, end models.Date, o riskOpts) {
	var path []string // statuses after open, in order
	switch status {
	case models.StatusMitigating:
		path = []string{models.StatusMitigating}
	case models.StatusAccepted, models.StatusClosed:
		if o.History && chance(r, 50) {
			path = []string{models.StatusMitigating, status}
		} else {
			path = []string{status}
		}
	}
	// Score states, built backwards from now.
	scores := [][2]int{{L, I}}
	if o.History {
		n := between(r, 0, 2)
		if o.Designed != "" || status == models.StatusClosed {
			n = between(r, 1, 2)
		}
		for k := range n {
			worse := chance(r, 70) // earlier it was worse: de-escalated since
			if o.Designed != "" && k == 0 {
				worse = false // the designed risk escalated recently
			}
			prev, ok := perturb(r, scores[len(scores)-1], worse, p.InL, p.InI)
			if !ok {
				break
			}
			scores = append(scores, prev)
		}
		slices.Reverse(scores)
	}
	nScore := len(scores) - 1

	// Distinct days, in order, within (raised, end]; a close falls on the closing day.
	window := p.RaisedOn.DaysUntil(end)
	for nScore+len(path) > window && nScore > 0 {
		scores = scores[1:]
		nScore--
	}
	if len(path) > window {
		path = path[len(path)-window:]
	}
	events := nScore + len(path)
	p.Dates = eventDays(r, p.RaisedOn, end, events, status == models.StatusClosed)

	// Interleave score and status moves, keeping each in order: a close comes last;
	// a designed risk's status move comes first, so that its latest move is the escalation.
	kinds := make([]bool, events) // true: a status move
	switch {
	case o.Designed != "":
		for i := range path {
			kinds[i] = true
		}
	case status == models.StatusClosed:
		kinds[events-1] = true
		for _, i := range r.Perm(events - 1)[:len(path)-1] {
			kinds[i] = true
		}
	default:
		for _, i := range r.Perm(events)[:len(path)] {
			kinds[i] = true
		}
	}
	s := riskState{scores[0][0], scores[0][1], models.StatusOpen}
	p.States = []riskState{s}
	si, pi := 1, 0
	for _, isStatus := range kinds {
		if isStatus {
			s.Status = path[pi]
			pi++
		} else {
			s.L, s.I = scores[si][0], scores[si][1]
			si++
		}
		p.States = append(p.States, s)
	}
}

// perturb moves a score state one step in likelihood or impact, within 1..inherent.
func perturb(r *rand.Rand, s [2]int, worse bool, inL, inI int) ([2]int, bool) {
	var opts [][2]int
	if worse {
		if s[0] < inL {
			opts = append(opts, [2]int{s[0] + 1, s[1]})
		}
		if s[1] < inI {
			opts = append(opts, [2]int{s[0], s[1] + 1})
		}
	} else {
		if s[0] > 1 {
			opts = append(opts, [2]int{s[0] - 1, s[1]})
		}
		if s[1] > 1 {
			opts = append(opts, [2]int{s[0], s[1] - 1})
		}
	}
	if len(opts) == 0 {
		return s, false
	}
	return pick(r, opts), true
}

// eventDays draws n distinct days in (from, end], sorted, favouring the last five
// months so that quarter-on-quarter movement shows; with lastOnEnd the last is end.
func eventDays(r *rand.Rand, from, end models.Date, n int, lastOnEnd bool) []models.Date {
	if n == 0 {
		return nil
	}
	span := from.DaysUntil(end)
	seen := map[int]bool{}
	var offs []int
	if lastOnEnd {
		seen[span] = true
		offs = append(offs, span)
	}
	for len(offs) < n {
		lo := 1
		if chance(r, 40) {
			lo = max(1, span-150)
		}
		d := between(r, lo, span)
		if lastOnEnd && d == span {
			continue
		}
		if !seen[d] {
			seen[d] = true
			offs = append(offs, d)
		}
	}
	slices.Sort(offs)
	days := make([]models.Date, n)
	for i, o := range offs {
		days[i] = from.AddDays(o)
	}
	return days
}

// riskVals are the history-relevant values of a risk as history text (Date as
// ISO, "" when empty), the way history.go's FormatValue writes them.
type riskVals struct {
	L, I, Score, Response, Status, NextReview   string
	ClosedOn, ClosedReason, AcceptedBy, Justify string
	AcceptExpiry                                string
}

// diff lists the fields that differ, as (column, old, new), in the column order
// of the risks table.
func (v riskVals) diff(n riskVals) [][3]string {
	var out [][3]string
	for _, f := range [][3]string{
		{"residual_likelihood", v.L, n.L}, {"residual_impact", v.I, n.I}, {"residual_score", v.Score, n.Score},
		{"response", v.Response, n.Response}, {"status", v.Status, n.Status}, {"next_review", v.NextReview, n.NextReview},
		{"closed_on", v.ClosedOn, n.ClosedOn}, {"closed_reason", v.ClosedReason, n.ClosedReason},
		{"accepted_by", v.AcceptedBy, n.AcceptedBy}, {"accept_justification", v.Justify, n.Justify},
		{"accept_expiry", v.AcceptExpiry, n.AcceptExpiry},
	} {
		if f[1] != f[2] {
			out = append(out, f)
		}
	}
	return out
}

// riskEvent is one write to a risk: its day, action and changed fields.
type riskEvent struct {
	On      models.Date
	Action  string // update, close, accept, review (as risk_write.go names them)
	Changes [][3]string
}

// history turns the planned states into the writes a manager would have made.
// Each move is a review: it resets the next review date by the new score's
// cadence; closing clears it and records the close, accepting records who
// accepted, why and until when. A live risk's last review, if later than its
// last move, is a write of its own. With a short history (scale) only the
// status changes, so each risk has one or two history rows.
func (p *riskPlan) history(settings models.RiskSettings) (initial riskVals, events []riskEvent) {
	s0 := p.States[0]
	initial = riskVals{L: strconv.Itoa(s0.L), I: strconv.Itoa(s0.I), Score: strconv.Itoa(models.Score(s0.L, s0.I)),
		Response: p.InitialResponse, Status: s0.Status, NextReview: settings.NextReview(p.RaisedOn, models.Score(s0.L, s0.I)).String()}
	if !p.History {
		if now := p.now(); now.Status != s0.Status {
			action := map[string]string{models.StatusMitigating: "update", models.StatusAccepted: "accept", models.StatusClosed: "close"}[now.Status]
			events = append(events, riskEvent{p.Dates[len(p.Dates)-1], action, [][3]string{{"status", s0.Status, now.Status}}})
		}
		return initial, events
	}
	cur := initial
	for k, d := range p.Dates {
		before, after := p.States[k], p.States[k+1]
		next, action := cur, "update"
		if before.Status != after.Status {
			next.Status = after.Status
			switch after.Status {
			case models.StatusClosed:
				action = "close"
				next.ClosedOn, next.ClosedReason = p.ClosedOn.String(), p.ClosedReason
			case models.StatusAccepted:
				action = "accept"
				next.AcceptedBy, next.Justify, next.AcceptExpiry, next.Response = p.AcceptedBy, p.AcceptJust, p.AcceptExpiry.String(), p.Response
			}
		} else {
			next.L, next.I, next.Score = strconv.Itoa(after.L), strconv.Itoa(after.I), strconv.Itoa(models.Score(after.L, after.I))
		}
		next.NextReview = ""
		if after.Status != models.StatusClosed {
			next.NextReview = settings.NextReview(d, models.Score(after.L, after.I)).String()
		}
		events = append(events, riskEvent{d, action, cur.diff(next)})
		cur = next
	}
	if !p.LastReview.IsZero() && cur.NextReview != p.NextReview.String() {
		next := cur
		next.NextReview = p.NextReview.String()
		events = append(events, riskEvent{p.LastReview, "review", cur.diff(next)})
	}
	return initial, events
}

// writeRisk writes the risk row, its history in changes and its mitigation actions.
func (w *seedWriter) writeRisk(p *riskPlan, r *rand.Rand, fill func(string) string) {
	cur := p.now()
	initial, events := p.history(models.DefaultRiskSettings())
	created := stamp(p.RaisedOn, 9, between(r, 0, 59))
	ats := make([]time.Time, len(events))
	updated := created
	for k, ev := range events {
		ats[k] = stamp(ev.On, 10+k%7, between(r, 0, 59))
		updated = ats[k]
	}
	w.risks.add(p.ID, nullID(p.EngagementID), p.Ref, p.Title, p.Description, p.Category,
		p.InL, p.InI, models.Score(p.InL, p.InI), cur.L, cur.I, models.Score(cur.L, cur.I), p.Response, p.Mitigation,
		nullID(p.OwnerID), cur.Status, dateVal(p.NextReview), p.RaisedOn, dateVal(p.ClosedOn), p.ClosedReason,
		p.AcceptedBy, p.AcceptJust, dateVal(p.AcceptExpiry), 1+len(events), created, updated)

	// The create rows follow history.go's Created: one bare row, then (demo) one
	// per field that has a value at creation.
	user := nullID(p.UserID)
	w.changes.add(w.ids.next("changes"), "risk", p.ID, "create", "", "", "", user, created)
	if p.History {
		owner, eng := "", ""
		if p.OwnerID != 0 {
			owner = strconv.FormatUint(uint64(p.OwnerID), 10)
		}
		if p.EngagementID != 0 {
			eng = strconv.FormatUint(uint64(p.EngagementID), 10)
		}
		for _, f := range [][2]string{
			{"engagement_id", eng}, {"ref", p.Ref}, {"title", p.Title}, {"description", p.Description}, {"category", p.Category},
			{"inherent_likelihood", strconv.Itoa(p.InL)}, {"inherent_impact", strconv.Itoa(p.InI)},
			{"inherent_score", strconv.Itoa(models.Score(p.InL, p.InI))},
			{"residual_likelihood", initial.L}, {"residual_impact", initial.I}, {"residual_score", initial.Score},
			{"response", initial.Response}, {"mitigation", p.Mitigation}, {"owner_id", owner}, {"status", initial.Status},
			{"next_review", initial.NextReview}, {"raised_on", p.RaisedOn.String()},
		} {
			if f[1] != "" {
				w.changes.add(w.ids.next("changes"), "risk", p.ID, "create", f[0], "", f[1], user, created)
			}
		}
	}
	for k, ev := range events {
		for _, c := range ev.Changes {
			w.changes.add(w.ids.next("changes"), "risk", p.ID, ev.Action, c[0], c[1], c[2], user, ats[k])
		}
	}
	w.writeMitigations(p, r, fill)
}

// writeMitigations writes the actions taken against a risk, their progress
// following the risk's status.
func (w *seedWriter) writeMitigations(p *riskPlan, r *rand.Rand, fill func(string) string) {
	cur := p.now()
	type act struct {
		due    models.Date
		status string
	}
	var acts []act
	past := func() models.Date {
		return dayBetween(r, p.RaisedOn.AddDays(14), maxDate(p.RaisedOn.AddDays(14), w.anchor.AddDays(-5)))
	}
	future := func(lo, hi int) models.Date { return w.anchor.AddDays(between(r, lo, hi)) }
	switch {
	case !p.History:
		if chance(r, 40) {
			if cur.Status == models.StatusClosed {
				acts = append(acts, act{past(), "done"})
			} else {
				acts = append(acts, act{future(10, 120), pick(r, []string{"planned", "in progress"})})
			}
		}
	case cur.Status == models.StatusClosed:
		end := p.ClosedOn
		acts = append(acts, act{dayBetween(r, p.RaisedOn, end), "done"}, act{end, "done"})
	case cur.Status == models.StatusMitigating:
		first := act{past(), "done"}
		if chance(r, 35) {
			first = act{future(-25, 45), "in progress"} // some are overdue
		}
		acts = append(acts, first, act{future(30, 150), "planned"})
	case cur.Status == models.StatusOpen:
		if chance(r, 55) {
			acts = append(acts, act{future(14, 90), "planned"})
		}
	case cur.Status == models.StatusAccepted:
		if chance(r, 40) {
			acts = append(acts, act{past(), "done"})
		}
	}
	for i, a := range acts {
		created := stamp(p.RaisedOn, 11, 0)
		w.mitigations.add(w.ids.next("mitigation_actions"), p.ID, fill(p.Actions[i]), nullID(p.OwnerID), a.due, a.status, 1, created, created)
	}
}
