// Package remind works out who is to be told what on a day, so that the
// registers stay true: risk owners of reviews due or overdue and acceptances
// expiring or expired; engagement managers of milestones due or late, months
// whose costs or service-level results were not recorded by the 10th, and
// quarterly commentary missing as the quarter's pack falls due, BOT
// transfers near with readiness below the gate and contracts near their end;
// administrators of exchange rates missing and packs waiting to be
// published. Due only reads; the calendar feed (feed.go), the in-app
// notices (notices.go) and the email digests (digest.go, mail.go) are drawn
// from its items.
package remind

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gorm.io/gorm"

	"portfolio/models"
)

// The kinds of reminder.
const (
	KindRiskReview = "risk-review"
	KindAcceptance = "acceptance"
	KindMilestone  = "milestone"
	KindCosts      = "costs-missing"
	KindSLA        = "sla-missing"
	KindTransfer   = "transfer-at-risk"
	KindRates      = "rates-missing"
	KindPack       = "pack-to-publish"
	KindCommentary = "commentary-missing"
	KindContract   = "contract-end"
	KindNotice     = "notice-deadline"
	KindSuggestion = "suggested-risk"
	KindObligation = "obligation"
	KindOption     = "renewal-option"
)

// The windows ahead of a due day in which it is reminded.
const (
	ReviewDays     = 7  // a risk review
	AcceptanceDays = 30 // an acceptance's expiry
	MilestoneDays  = 14 // a milestone's planned day
	RecordByDay    = 10 // a month's costs and results are recorded by this day of the next month
	CommentaryDays = 5  // before a quarter's pack is due, the day after the quarter ends
	// ContractNoticeDays is how far ahead a contract's end is reminded when
	// its notice period is not recorded: six months, so that a usual
	// notice of three to six months is not missed.
	ContractNoticeDays = 180
	// NoticeDays is how far ahead a notice deadline is reminded (the
	// contract's end less its recorded notice period), and it is until a
	// decision is recorded.
	NoticeDays = 60
	// ObligationDays is how far ahead an obligation's occurrence is reminded;
	// a late one is until it is recorded met or waived.
	ObligationDays = 7
)

// Item is one thing one person is reminded of.
type Item struct {
	UserID  uint
	Kind    string
	Ref     uint        // the record it is about (risk, milestone, engagement), 0 for the portfolio's
	Period  string      // the quarter or month it is of, for the kinds that recur ("2026-Q4", "2026-11"): each period's is news
	Title   string      // what it is, in words ("R-ITO-01-03 Key-person dependency")
	What    string      // what is due ("review overdue since 3 Nov 2026")
	On      models.Date // the day it is or was due
	Overdue bool
	Link    string // the page that resolves it
}

// Key names the item, the same from one day to the next: what a sent log
// records so that nothing is sent twice for the same item and day.
func (i Item) Key() string {
	if i.Period != "" {
		return fmt.Sprintf("%s:%d:%s", i.Kind, i.Ref, i.Period)
	}
	return fmt.Sprintf("%s:%d", i.Kind, i.Ref)
}

// Due lists what every active user is to be reminded of on day today, per
// user: overdue first, then by due day, then by title. A user with nothing
// has no item.
func Due(ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) ([]Item, error) {
	r := &reader{ctx: ctx, db: db.WithContext(ctx), s: s, today: today}
	return r.read(r.all()...)
}

// all are the reads of every kind of reminder.
func (r *reader) all() []func() ([]Item, error) {
	return []func() ([]Item, error){r.reviews, r.acceptances, r.milestones, r.unrecorded, r.commentary, r.transfers, r.contracts,
		r.suggestions, r.obligations, r.admins}
}

// reader carries what the reads share.
type reader struct {
	ctx   context.Context
	db    *gorm.DB
	s     models.Settings
	today models.Date
	only  uint // one user's items (the calendar), or 0 for everyone's
	// The calendar's window: from from to today + horizon days, every
	// transfer planned in it (not only those at risk). Zero: the reminders'.
	from     models.Date
	horizon  int
	managers map[uint][]uint // engagement → its active managers (read once)
}

// read runs the reads and orders their items.
func (r *reader) read(reads ...func() ([]Item, error)) ([]Item, error) {
	var out []Item
	for _, read := range reads {
		items, err := read()
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.UserID != b.UserID {
			return a.UserID < b.UserID
		}
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		if !a.On.Equal(b.On.Time) {
			return a.On.Before(b.On)
		}
		return a.Title < b.Title
	})
	return out, nil
}

// until is the last day a kind reminded days ahead is read up to.
func (r *reader) until(days int) models.Date {
	if r.horizon > 0 {
		days = r.horizon
	}
	return r.today.AddDays(days)
}

// window narrows q to the dates of col from the calendar's first day on.
func (r *reader) window(q *gorm.DB, col string) *gorm.DB {
	if r.from.IsZero() {
		return q
	}
	return q.Where(col+" >= ?", r.from)
}

// owned narrows a read of risks to one user's.
func (r *reader) owned(q *gorm.DB) *gorm.DB {
	if r.only == 0 {
		return q
	}
	return q.Where("risks.owner_id = ?", r.only)
}

// managed narrows a read of engagements (alias e) to one user's.
func (r *reader) managed(q *gorm.DB) *gorm.DB {
	if r.only == 0 {
		return q
	}
	return q.Where("e.id IN (?)", r.db.Model(&models.Engagement{}).Select("engagements.id").Scopes(models.ManagedBy(r.only)))
}

// dueText says when something is or was due, from today's point of view.
func (r *reader) dueText(verb string, on models.Date) (string, bool) {
	switch {
	case on.Before(r.today):
		return fmt.Sprintf("%s overdue since %s", verb, on.Human()), true
	case on.Equal(r.today.Time):
		return verb + " due today", false
	}
	return fmt.Sprintf("%s due on %s", verb, on.Human()), false
}

// reviews are the risk reviews due within ReviewDays or overdue, to each risk's owner.
func (r *reader) reviews() ([]Item, error) {
	var rows []struct {
		ID, OwnerID uint
		Ref, Title  string
		NextReview  models.Date
	}
	q := r.db.Table("risks").Select("risks.id, risks.owner_id, risks.ref, risks.title, risks.next_review").
		Joins("JOIN users u ON u.id = risks.owner_id AND NOT u.disabled").
		Where("risks.status <> ? AND risks.next_review IS NOT NULL AND risks.next_review <= ?", models.StatusClosed, r.until(ReviewDays))
	err := r.window(r.owned(q), "risks.next_review").Scan(&rows).Error
	var out []Item
	for _, k := range rows {
		what, late := r.dueText("review", k.NextReview)
		out = append(out, Item{UserID: k.OwnerID, Kind: KindRiskReview, Ref: k.ID, Title: k.Ref + " " + k.Title, What: what,
			On: k.NextReview, Overdue: late, Link: fmt.Sprintf("/risks/%d", k.ID)})
	}
	return out, err
}

// acceptances are the accepted risks whose acceptance expires within
// AcceptanceDays or has expired, to each risk's owner.
func (r *reader) acceptances() ([]Item, error) {
	var rows []struct {
		ID, OwnerID  uint
		Ref, Title   string
		AcceptExpiry models.Date
	}
	q := r.db.Table("risks").Select("risks.id, risks.owner_id, risks.ref, risks.title, risks.accept_expiry").
		Joins("JOIN users u ON u.id = risks.owner_id AND NOT u.disabled").
		Where("risks.status = ? AND risks.accept_expiry IS NOT NULL AND risks.accept_expiry <= ?", models.StatusAccepted, r.until(AcceptanceDays))
	err := r.window(r.owned(q), "risks.accept_expiry").Scan(&rows).Error
	var out []Item
	for _, k := range rows {
		item := Item{UserID: k.OwnerID, Kind: KindAcceptance, Ref: k.ID, Title: k.Ref + " " + k.Title, On: k.AcceptExpiry,
			Link: fmt.Sprintf("/risks/%d", k.ID)}
		if k.AcceptExpiry.Before(r.today) {
			item.What, item.Overdue = "acceptance expired on "+k.AcceptExpiry.Human(), true
		} else {
			item.What = "acceptance expires on " + k.AcceptExpiry.Human()
		}
		out = append(out, item)
	}
	return out, err
}

// engagementManagers reads each engagement's active managers: its manager
// and its co-managers.
func (r *reader) engagementManagers() (map[uint][]uint, error) {
	if r.managers != nil {
		return r.managers, nil
	}
	var rows []struct{ EngagementID, UserID uint }
	err := r.db.Raw(`SELECT e.id AS engagement_id, e.manager_id AS user_id FROM engagements e JOIN users u ON u.id = e.manager_id AND NOT u.disabled
		UNION SELECT m.engagement_id, m.user_id FROM engagement_managers m JOIN users u ON u.id = m.user_id AND NOT u.disabled`).Scan(&rows).Error
	r.managers = map[uint][]uint{}
	for _, x := range rows {
		r.managers[x.EngagementID] = append(r.managers[x.EngagementID], x.UserID)
	}
	for _, ids := range r.managers {
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	}
	return r.managers, err
}

// toManagers gives an item to each manager of engagement id.
func (r *reader) toManagers(id uint, item Item) ([]Item, error) {
	m, err := r.engagementManagers()
	var out []Item
	for _, u := range m[id] {
		if r.only == 0 || u == r.only {
			item.UserID = u
			out = append(out, item)
		}
	}
	return out, err
}

// milestones are those not done whose planned day is within MilestoneDays
// or past, of live engagements, to their managers.
func (r *reader) milestones() ([]Item, error) {
	var rows []struct {
		ID, EngagementID uint
		Name, Code       string
		Planned          models.Date
	}
	q := r.db.Table("milestones m").Select("m.id, m.engagement_id, m.name, e.code, m.planned").
		Joins("JOIN engagements e ON e.id = m.engagement_id AND e.closed_on IS NULL").
		Where("m.actual IS NULL AND m.planned IS NOT NULL AND m.planned <= ?", r.until(MilestoneDays))
	err := r.window(r.managed(q), "m.planned").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, m := range rows {
		what, late := r.dueText("milestone", m.Planned)
		if late {
			what = "late: planned for " + m.Planned.Human()
		}
		items, err := r.toManagers(m.EngagementID, Item{Kind: KindMilestone, Ref: m.ID, Title: m.Code + " " + m.Name, What: what,
			On: m.Planned, Overdue: late, Link: fmt.Sprintf("/engagements/%d/milestones", m.EngagementID)})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// unrecorded are last month's costs and service-level results not recorded
// by the RecordByDay of this month, of the engagements running in it, to
// their managers. Before that day nothing is late yet.
func (r *reader) unrecorded() ([]Item, error) {
	if r.today.Day() <= RecordByDay {
		return nil, nil
	}
	month := models.Date{Time: r.today.MonthStart().AddDate(0, -1, 0)}
	end := models.Date{Time: r.today.MonthStart().AddDate(0, 0, -1)}
	by := models.D(r.today.Year(), r.today.Month(), RecordByDay)
	running := func(q *gorm.DB) *gorm.DB {
		return q.Where("e.start_date <= ? AND (e.closed_on IS NULL OR e.closed_on >= ?) AND e.phase <> ?", end, month, "Selection")
	}
	type row struct {
		ID   uint
		Code string
	}
	var costs, slas []row
	if err := running(r.db.Table("engagements e").Select("e.id, e.code")).
		Where("NOT EXISTS (SELECT 1 FROM cost_records c WHERE c.engagement_id = e.id AND c.month = ?)", month).Scan(&costs).Error; err != nil {
		return nil, err
	}
	if err := running(r.db.Table("engagements e").Select("e.id, e.code")).
		Where("EXISTS (SELECT 1 FROM service_levels s WHERE s.engagement_id = e.id AND NOT s.archived)").
		Where("NOT EXISTS (SELECT 1 FROM sla_measurements m WHERE m.engagement_id = e.id AND m.month = ?)", month).Scan(&slas).Error; err != nil {
		return nil, err
	}
	label := month.Format("January 2006")
	var out []Item
	for _, set := range []struct {
		rows       []row
		kind, what string
		link       string
	}{
		{costs, KindCosts, "costs of " + label + " not recorded (due by " + by.Human() + ")", "/engagements/%d/costs/new"},
		{slas, KindSLA, "service-level results of " + label + " not recorded (due by " + by.Human() + ")", "/engagements/%d/slas/results?month=" + month.Format("2006-01")},
	} {
		for _, e := range set.rows {
			items, err := r.toManagers(e.ID, Item{Kind: set.kind, Ref: e.ID, Period: month.Format("2006-01"), Title: e.Code, What: set.what, On: by, Overdue: true,
				Link: fmt.Sprintf(set.link, e.ID)})
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

// commentary is the quarterly commentary not written yet, to the managers
// of each engagement running in the quarter: from CommentaryDays before its
// pack is due (the day after the quarter ends) until the pack is published.
func (r *reader) commentary() ([]Item, error) {
	f := r.s.Fiscal()
	var out []Item
	for _, q := range []models.Quarter{f.LastComplete(r.today), f.QuarterOf(r.today)} {
		start, end := f.Start(q), f.End(q)
		due := end.AddDays(1)
		if r.today.Before(due.AddDays(-CommentaryDays)) {
			continue
		}
		published, err := models.QuarterPublished(r.ctx, r.db, q.String())
		if err != nil {
			return nil, err
		}
		if published {
			continue
		}
		var rows []struct {
			ID   uint
			Code string
		}
		read := r.db.Table("engagements e").Select("e.id, e.code").
			Where("e.start_date <= ? AND (e.closed_on IS NULL OR e.closed_on >= ?) AND e.phase <> ?", end, start, "Selection").
			Where("NOT EXISTS (SELECT 1 FROM governance_reviews g WHERE g.engagement_id = e.id AND g.quarter = ? AND g.commentary <> '')", q.String())
		if err := r.managed(read).Scan(&rows).Error; err != nil {
			return nil, err
		}
		what := fmt.Sprintf("commentary of %s not written (the pack is due on %s)", q, due.Human())
		late := r.today.After(due)
		switch {
		case late:
			what = fmt.Sprintf("commentary of %s not written (the pack was due on %s)", q, due.Human())
		case r.today.Equal(due.Time):
			what = fmt.Sprintf("commentary of %s not written (the pack is due today)", q)
		}
		for _, e := range rows {
			// Ref tells the quarters apart: the engagement's id and the quarter.
			items, err := r.toManagers(e.ID, Item{Kind: KindCommentary, Ref: e.ID, Period: q.String(), Title: e.Code, What: what, On: due,
				Overdue: late, Link: fmt.Sprintf("/reviews/%s/engagements/%d/commentary", q, e.ID)})
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

// contracts are, to each engagement's managers, the notice deadlines
// within NoticeDays and those passed with nothing decided while the
// contract runs; and where no notice period is recorded, the contract's
// end within ContractNoticeDays (or passed while the engagement runs on).
// In a calendar, every notice deadline and contract end in its window.
func (r *reader) contracts() ([]Item, error) {
	days := NoticeDays
	if r.horizon > 0 {
		days = r.horizon
	}
	notices, _, err := models.NoticeDeadlines(r.ctx, r.db, r.today, days, 0)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, n := range notices {
		if (n.Decision != "" && r.horizon == 0) || (r.horizon > 0 && n.Deadline.Before(r.from)) {
			continue
		}
		left := n.DaysLeft(r.today)
		without := "it ends"
		if n.AutoRenews {
			without = fmt.Sprintf("it renews for %d months", n.RenewalMonths)
		}
		what := fmt.Sprintf("last day to give notice %s (%s; without notice %s): decide whether to renew, renegotiate or exit",
			n.Deadline.Human(), dayWords(left), without)
		switch {
		case n.ContractEnd.Before(r.today):
			what = fmt.Sprintf("the contract's end (%s) has passed with nothing decided: record its new end, or close the engagement", n.ContractEnd.Human())
		case left < 0:
			what = fmt.Sprintf("the notice deadline passed on %s with nothing decided: without notice %s on %s", n.Deadline.Human(), without, n.ContractEnd.Human())
		}
		items, err := r.toManagers(n.EngagementID, Item{Kind: KindNotice, Ref: n.EngagementID, Period: n.Deadline.String(), Title: n.Code + " " + n.Name,
			What: what, On: n.Deadline, Overdue: left < 0, Link: fmt.Sprintf("/engagements/%d/contract", n.EngagementID)})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	options, err := r.options(days)
	if err != nil {
		return nil, err
	}
	out = append(out, options...)
	var rows []struct {
		ID          uint
		Code, Name  string
		ContractEnd models.Date
	}
	q := r.db.Table("engagements e").Select("e.id, e.code, e.name, e.contract_end").
		Where("e.closed_on IS NULL AND e.contract_end IS NOT NULL AND e.contract_end <= ?", r.until(ContractNoticeDays))
	if r.horizon == 0 { // the calendar shows every end; a reminder only those whose deadline is not known
		q = q.Where("NOT EXISTS (SELECT 1 FROM contract_terms t WHERE t.engagement_id = e.id AND t.notice_days > 0)")
	}
	if err := r.window(r.managed(q), "e.contract_end").Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, e := range rows {
		days := int(e.ContractEnd.Sub(r.today.Time).Hours() / 24)
		what := fmt.Sprintf("contract ends on %s, %s, and its notice period is not recorded: decide whether to renew, renegotiate or exit", e.ContractEnd.Human(), dayWords(days))
		if days < 0 {
			what = fmt.Sprintf("contract ended on %s and the engagement is still open", e.ContractEnd.Human())
		}
		if r.horizon > 0 {
			what = "contract ends on " + e.ContractEnd.Human()
		}
		items, err := r.toManagers(e.ID, Item{Kind: KindContract, Ref: e.ID, Title: e.Code + " " + e.Name, What: what, On: e.ContractEnd,
			Overdue: days < 0, Link: fmt.Sprintf("/engagements/%d/contract", e.ID)})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// options are the renewal options of open engagements' contracts whose last
// day to take them up falls within days (missed, an option is lost), to
// the managers of each, until renewing or leaving is decided; in a
// calendar, those in its window.
func (r *reader) options(days int) ([]Item, error) {
	var rows []struct {
		ID             uint
		Code, Name     string
		RenewalOptions string
	}
	q := r.db.Table("engagements e").Select("e.id, e.code, e.name, t.renewal_options").
		Joins("JOIN contract_terms t ON t.engagement_id = e.id").Where("e.closed_on IS NULL AND t.renewal_options <> ''").
		// once renewing or leaving is decided on the term, its options are settled
		Where("NOT EXISTS (SELECT 1 FROM contract_decisions d WHERE d.engagement_id = e.id AND d.contract_end = e.contract_end AND d.decision IN ?)",
			[]string{models.DecisionRenew, models.DecisionExit})
	if err := r.managed(q).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []Item
	for _, e := range rows {
		opts, _ := models.ParseRenewalOptions(e.RenewalOptions)
		for i, o := range opts {
			if o.ExerciseBy.Before(r.today) && (r.horizon == 0 || o.ExerciseBy.Before(r.from)) || o.ExerciseBy.After(r.today.AddDays(days)) {
				continue
			}
			what := fmt.Sprintf("renewal option %d (%d months) to take up by %s (%s), or it is lost", i+1, o.Months, o.ExerciseBy.Human(),
				dayWords(r.today.DaysUntil(o.ExerciseBy)))
			items, err := r.toManagers(e.ID, Item{Kind: KindOption, Ref: e.ID, Period: o.ExerciseBy.String(), Title: e.Code + " " + e.Name,
				What: what, On: o.ExerciseBy, Link: fmt.Sprintf("/engagements/%d/contract", e.ID)})
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

// suggestions are the risks partnership surveys suggest that nobody has
// accepted or dismissed yet, to the managers of each engagement: one item an
// engagement, due today.
func (r *reader) suggestions() ([]Item, error) {
	var rows []struct {
		EngagementID uint
		Code         string
		N            int
	}
	q := r.db.Table("survey_suggestions g").Select("g.engagement_id, e.code, COUNT(*) AS n").
		Joins("JOIN engagements e ON e.id = g.engagement_id AND e.closed_on IS NULL").
		Where("g.status = ?", models.SuggestionOpen).Group("g.engagement_id, e.code")
	if r.only != 0 {
		q = q.Where("e.id IN (?)", r.db.Model(&models.Engagement{}).Select("engagements.id").Scopes(models.ManagedBy(r.only)))
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []Item
	for _, g := range rows {
		what := "1 risk suggested by the partnership survey to accept into the register or dismiss"
		if g.N > 1 {
			what = fmt.Sprintf("%d risks suggested by the partnership survey to accept into the register or dismiss", g.N)
		}
		items, err := r.toManagers(g.EngagementID, Item{Kind: KindSuggestion, Ref: g.EngagementID, Title: g.Code, What: what, On: r.today,
			Link: fmt.Sprintf("/engagements/%d/partnership", g.EngagementID)})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// obligations are the contractual obligations late, or due within
// ObligationDays, to the managers of their engagement: one item an
// obligation, keyed by the occurrence's due date, so that each new one is
// news. In a calendar, each obligation's next due date in its window.
func (r *reader) obligations() ([]Item, error) {
	f := models.ObligationFilter{AsAt: r.today, Ahead: ObligationDays, OnlyPending: true}
	if r.horizon > 0 {
		f.Ahead = r.horizon
	}
	if r.only != 0 {
		if err := r.db.Model(&models.Engagement{}).Scopes(models.ManagedBy(r.only)).Pluck("engagements.id", &f.EngagementIDs).Error; err != nil || len(f.EngagementIDs) == 0 {
			return nil, err
		}
	}
	lines, err := models.ObligationLines(r.ctx, r.db, f)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, l := range lines {
		whose := "the vendor's"
		if l.Party == models.PartyCompany {
			whose = "ours"
		}
		it := Item{Kind: KindObligation, Ref: l.ID, Title: l.EngagementCode + " " + l.Title}
		switch {
		case len(l.Late) > 0 && r.horizon == 0:
			d := l.Late[0].DueOn
			it.Period, it.On, it.Overdue = d.String(), d, true
			it.What = fmt.Sprintf("obligation (%s) late since %s, %d days: record it met with its evidence, or waived", whose, d.Human(), d.DaysUntil(r.today))
			if n := len(l.Late); n > 1 {
				it.What = fmt.Sprintf("obligation (%s) late %d times, the first since %s: record each met with its evidence, or waived", whose, n, d.Human())
			}
		case l.Next != nil && !l.Next.DueOn.After(r.until(ObligationDays)) && !l.Next.DueOn.Before(r.from):
			d := l.Next.DueOn
			it.Period, it.On = d.String(), d
			it.What = fmt.Sprintf("obligation (%s) due %s (%s)", whose, d.Human(), dayWords(r.today.DaysUntil(d)))
		default:
			continue
		}
		it.Link = fmt.Sprintf("/engagements/%d/obligations/%d?due=%s#record", l.EngagementID, l.ID, it.Period)
		items, err := r.toManagers(l.EngagementID, it)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// dayWords says how far a day is from today: "today", "tomorrow", "in 12 days".
func dayWords(days int) string {
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days < 0:
		return fmt.Sprintf("%d days ago", -days)
	}
	return fmt.Sprintf("in %d days", days)
}

// transfers are the BOT transfers the transfers page red-flags (within
// models.TransferWarnDays or overdue, below models.TransferMinReadiness %
// ready or without a checklist), to their managers; in a calendar, every
// transfer planned in its window.
func (r *reader) transfers() ([]Item, error) {
	rows, _, err := models.ListTransfers(r.ctx, r.db, r.today, models.TransferFilter{AtRisk: r.horizon == 0})
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, t := range rows {
		e, on := t.Engagement, t.Engagement.PlannedTransfer
		if r.horizon > 0 && (on.Before(r.from) || on.After(r.until(0))) {
			continue
		}
		ready := fmt.Sprintf("readiness at %.0f %%", t.Readiness)
		if t.RedFlag && math.Round(t.Readiness) >= models.TransferMinReadiness {
			ready = fmt.Sprintf("readiness at %.1f %%", t.Readiness) // never "70 %, below 70 %"
		}
		switch {
		case !t.HasReadiness:
			ready = "no readiness checklist"
		case t.RedFlag:
			ready += fmt.Sprintf(", below %d %%", models.TransferMinReadiness)
		}
		what := fmt.Sprintf("transfer on %s with %s", on.Human(), ready)
		if t.DaysToGo < 0 {
			what = fmt.Sprintf("transfer overdue since %s, %s", on.Human(), ready)
		}
		more, err := r.toManagers(e.ID, Item{Kind: KindTransfer, Ref: e.ID, Title: e.Code + " " + e.Name, What: what, On: on,
			Overdue: t.DaysToGo < 0, Link: fmt.Sprintf("/engagements/%d/readiness", e.ID)})
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// admins are the portfolio's reminders, to every active administrator: the
// months with cost records but no exchange rate, and the last ended
// quarter's pack while it is not published.
func (r *reader) admins() ([]Item, error) {
	var admins []uint
	if err := r.db.Model(&models.User{}).Where("role = ? AND NOT disabled", models.RoleAdmin).Order("id").Pluck("id", &admins).Error; err != nil {
		return nil, err
	}
	if len(admins) == 0 {
		return nil, nil
	}
	var portfolio []Item
	missing, err := models.MissingRates(r.ctx, r.db, r.s.Finance.ReportingCurrency, 1_000_000)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		oldest := missing[len(missing)-1]
		what := fmt.Sprintf("%d currency-months with cost records have no exchange rate, the oldest %s %s", len(missing), oldest.Currency, oldest.Month.Format("Jan 2006"))
		if len(missing) == 1 {
			what = fmt.Sprintf("%s %s has cost records but no exchange rate", oldest.Currency, oldest.Month.Format("Jan 2006"))
		}
		portfolio = append(portfolio, Item{Kind: KindRates, Period: oldest.Month.Format("2006-01"), Title: "Exchange rates", What: what, On: oldest.Month, Overdue: true, Link: "/fx"})
	}
	f := r.s.Fiscal()
	q := f.LastComplete(r.today)
	published, err := models.QuarterPublished(r.ctx, r.db, q.String())
	if err != nil {
		return nil, err
	}
	first, err := models.FirstCostMonth(r.ctx, r.db)
	if err != nil {
		return nil, err
	}
	if !published && !first.IsZero() && !first.After(f.End(q)) {
		portfolio = append(portfolio, Item{Kind: KindPack, Period: q.String(), Title: "Review pack " + q.String(), What: "ready to publish since " + f.End(q).AddDays(1).Human(),
			On: f.End(q).AddDays(1), Link: "/reviews/" + q.String() + "/publish"})
	}
	var out []Item
	for _, a := range admins {
		for _, it := range portfolio {
			it.UserID = a
			out = append(out, it)
		}
	}
	return out, nil
}

// The calendar's window around today.
const (
	CalendarPastDays  = 90
	CalendarAheadDays = 365
)

// Calendar lists one user's dated items for their calendar feed, from
// CalendarPastDays back to CalendarAheadDays ahead: the reviews and
// acceptance expiries of the risks they own, and the open milestones,
// planned transfers, contract ends and obligations' next due dates of the
// engagements they manage.
func Calendar(ctx context.Context, db *gorm.DB, s models.Settings, userID uint, today models.Date) ([]Item, error) {
	r := &reader{ctx: ctx, db: db.WithContext(ctx), s: s, today: today, only: userID,
		from: today.AddDays(-CalendarPastDays), horizon: CalendarAheadDays}
	return r.read(r.reviews, r.acceptances, r.milestones, r.transfers, r.contracts, r.obligations)
}
