package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/register"
	"portfolio/models/sqlstore"
)

// DemoAccount is a demo sign-in printed at first run.
type DemoAccount struct{ Name, Email, Role, Password string }

// DemoAccounts are the demo sign-ins: one per role plus two more managers.
// Each password passes CheckPassword for its email.
var DemoAccounts = []DemoAccount{
	{"Alex Morgan", "admin@portfolio.example", models.RoleAdmin, "demo-control-2026"},
	{"Priya Raman", "manager@portfolio.example", models.RoleManager, "demo-register-2026"},
	{"Helen Marsh", "executive@portfolio.example", models.RoleExecutive, "demo-boardroom-2026"},
	{"Tomás Novak", "tomas.novak@portfolio.example", models.RoleManager, "demo-transfer-2026"},
	{"Grace Okafor", "grace.okafor@portfolio.example", models.RoleManager, "demo-service-2026"},
}

// Demo fills an empty database with the demo portfolio, dated relative to
// the anchor, the first day of the current month on db's clock (NowOf): its
// history lies before the anchor (a record stamped after it, such as last
// month's costs entered early this month, is stamped no later than now), future
// milestones and transfers after it. The same month gives the same rows, except
// the bcrypt password hashes, whose salt is random, and those stamps. Engagement
// health is left at its default for the health refresh to derive.
func Demo(ctx context.Context, db *gorm.DB) error {
	now := models.NowOf(db)
	anchor := models.DateOf(now).MonthStart()
	if err := requireEmpty(ctx, db); err != nil {
		return err
	}
	hashes, err := hashDemoPasswords() // slow: before the transaction holds the write lock
	if err != nil {
		return err
	}
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := requireEmpty(ctx, tx); err != nil {
			return err
		}
		if err := register.ForgetRiskSnapshots(ctx, tx); err != nil { // the seed writes the past anew
			return err
		}
		ids, err := newIDAlloc(ctx, tx)
		if err != nil {
			return err
		}
		w, err := newSeedWriter(ctx, tx, ids, now)
		if err != nil {
			return err
		}
		defer w.pipe.wait() // on every path, before the transaction ends
		d := &demoSeed{w: w, a: anchor, userID: map[string]uint{}, userName: map[string]string{}}
		if err := d.users(ctx, tx, hashes); err != nil {
			return err
		}
		d.vendors()
		d.engagements()
		d.details()
		d.portfolioRisks()
		d.lessons()
		if err := w.finish(); err != nil {
			return err
		}
		if err := resetSequences(tx); err != nil {
			return err
		}
		if err := d.contracts(ctx, tx, now); err != nil {
			return err
		}
		if err := d.surveys(ctx, tx, now); err != nil {
			return err
		}
		if err := d.obligations(ctx, tx, now); err != nil {
			return err
		}
		if err := d.meetings(ctx, tx, now); err != nil {
			return err
		}
		return d.exits(ctx, tx, now)
	})
}

// hashDemoPasswords hashes each demo password once.
func hashDemoPasswords() (map[string]string, error) {
	out := map[string]string{}
	for _, a := range DemoAccounts {
		if _, ok := out[a.Password]; ok {
			continue
		}
		h, err := models.HashPassword(a.Password)
		if err != nil {
			return nil, fmt.Errorf("seed: hash password: %w", err)
		}
		out[a.Password] = h
	}
	return out, nil
}

// demoSeed carries the ids the demo's tables refer to.
type demoSeed struct {
	w        *seedWriter
	a        models.Date
	userID   map[string]uint // by email
	userName map[string]string
	managers []uint // everyone who may own a risk, in a fixed order
	vendorID []uint
	vendorNm []string
	engs     []*engPlan
	byCode   map[string]*engPlan
	risks    map[string][]riskRef // by engagement code
}

// riskRef is what a lesson needs to point at a risk.
type riskRef struct {
	ID       uint
	Category string
}

// users writes the demo accounts and further managers; an account whose email
// already exists (created before seeding) is kept as it is.
func (d *demoSeed) users(ctx context.Context, tx *gorm.DB, hashes map[string]string) error {
	created := stamp(addMonths(d.a, -60), 9, 0)
	add := func(name, email, role, hash string) error {
		var existing []uint
		if err := tx.WithContext(ctx).Table("users").Where("email = ?", email).Pluck("id", &existing).Error; err != nil {
			return err
		}
		id := uint(0)
		if len(existing) > 0 {
			id = existing[0]
		} else {
			id = d.w.ids.next("users")
			d.w.users.add(id, name, email, role, hash, false, created, created)
		}
		d.userID[email], d.userName[email] = id, name
		if role != models.RoleExecutive && role != models.RoleAdmin {
			d.managers = append(d.managers, id)
		}
		return nil
	}
	for _, a := range DemoAccounts {
		if err := add(a.Name, a.Email, a.Role, hashes[a.Password]); err != nil {
			return err
		}
	}
	for _, m := range demoManagers {
		if err := add(m.Name, m.Email, models.RoleManager, ""); err != nil {
			return err
		}
	}
	return nil
}

func (d *demoSeed) vendors() {
	for i, v := range demoVendors {
		id := d.w.ids.next("vendors")
		created := stamp(addMonths(d.a, -74).AddDays(9*i), 10, 0)
		d.w.vendors.add(id, v.Name, v.Country, v.Locations, v.Tier, v.Expertise, v.Track, v.Financial, v.Culture, v.Security,
			v.References, v.Notes, false, 1, created, created)
		d.vendorID = append(d.vendorID, id)
		d.vendorNm = append(d.vendorNm, v.Name)
	}
}

// engagements turns the demo table into plans and writes them.
func (d *demoSeed) engagements() {
	d.byCode = map[string]*engPlan{}
	for i, x := range demoEngagements {
		e := &engPlan{
			ID: d.w.ids.next("engagements"), Index: i, Code: x.Code, Name: x.Name, Tower: x.Tower,
			VendorID: d.vendorID[x.Vendor], VendorName: d.vendorNm[x.Vendor], BusinessUnit: x.BU, Location: x.Location,
			Sponsor: x.Sponsor, ManagerID: d.userID[x.Manager], ManagerName: d.userName[x.Manager], Phase: x.Phase,
			Value: x.Value * 100, Currency: x.Currency, Pricing: x.Pricing, VendorHC: x.VendorHC, ClientHC: x.ClientHC,
			Description: x.Desc, SavePct: x.SavePct, Delivery: x.Delivery, RetainedPct: 12, OneOffPermille: 60,
			SavingsType: models.SavingsHard, SLAs: x.SLAs, SLAMiss: x.SLAMiss, Target: x.Target, RiskProfile: x.Risk,
			LateKey: x.LateKey, LateMinor: x.LateMinor, Overdue: x.Overdue, Readiness: x.Readiness,
		}
		e.Model = models.ModelITO
		if strings.HasPrefix(x.Code, "BOT") {
			e.Model, e.RetainedPct, e.OneOffPermille = models.ModelBOT, 8, 100
		}
		if x.Avoidance {
			e.SavingsType = models.SavingsAvoidance
		}
		for _, c := range x.Co {
			e.ExtraManagers = append(e.ExtraManagers, d.userID[c])
		}
		d.schedule(e, x)
		d.engs = append(d.engs, e)
		d.byCode[e.Code] = e
		d.w.writeEngagement(e)
	}
}

// schedule dates an engagement's lifecycle from the table's month offsets.
func (d *demoSeed) schedule(e *engPlan, x demoEngagement) {
	start := addMonths(d.a, -x.StartAgo)
	e.Start = models.D(start.Year(), start.Month(), x.StartDay)
	e.CreatedAt = stamp(e.Start.AddDays(-120), 9, 30)
	if x.StartAgo < 0 {
		e.CreatedAt = stamp(d.a.AddDays(-100), 9, 30)
	} else {
		e.Moves = []models.Date{e.Start}
		for _, s := range x.Steps {
			e.Moves = append(e.Moves, workday(addMonths(e.Start, s)))
		}
	}
	e.TransitionMonths = 6
	if e.Model == models.ModelBOT {
		e.TransitionMonths = 9
	}
	if len(x.Steps) > 0 {
		e.TransitionMonths = x.Steps[0]
	}
	if e.Model == models.ModelITO {
		e.ContractEnd = addMonths(e.Start, x.Term).AddDays(-1)
		if e.Phase == "Ended" {
			e.ClosedOn = e.Moves[len(e.Moves)-1]
		}
		return
	}
	switch {
	case e.Phase == "Transferred":
		e.ActualTransfer = e.Moves[len(e.Moves)-1]
		e.PlannedTransfer = e.ActualTransfer.AddDays(-21) // it slipped three weeks
	case x.TransferIn > 0:
		e.PlannedTransfer = workday(d.a.AddDays(x.TransferIn))
	default:
		e.PlannedTransfer = addMonths(e.Start, x.Term)
	}
	e.ContractEnd = addMonths(e.PlannedTransfer, 3) // post-transfer support
}

// firstCostMonth is where an engagement's monthly records begin: its start, at
// most four years back.
func (d *demoSeed) firstCostMonth(e *engPlan) models.Date {
	return maxDate(e.Start.MonthStart(), addMonths(d.a, -48))
}

// details writes, per engagement, its money, service levels, delivery and risks.
func (d *demoSeed) details() {
	first := addMonths(d.a, -1)
	for _, e := range d.engs {
		if e.running(d.a) {
			first = minDate(first, d.firstCostMonth(e))
		}
	}
	d.w.writeFX(first, addMonths(d.a, -1))
	d.risks = map[string][]riskRef{}
	for _, e := range d.engs {
		seed := uint64(e.Index)
		if e.running(d.a) {
			from := d.firstCostMonth(e)
			months := monthsBetween(from, e.lastMonth(d.a)) + 1
			missPct := 4
			if e.Target != models.Green {
				missPct = 8
			}
			credits := d.w.writeServiceLevels(e, from, months, missPct, newRand("demo-sla", seed))
			d.w.writeCosts(e, from, months, credits, newRand("demo-cost", seed))
			d.reviews(e)
		}
		d.w.writeMilestones(e, newRand("demo-milestones", seed))
		if e.Model == models.ModelBOT {
			d.w.writeReadiness(e, append([]string{e.ManagerName}, demoPeople...), newRand("demo-readiness", seed))
			d.w.writeGates(e, newRand("demo-gates", seed))
		}
		d.engagementRisks(e)
	}
}

func (d *demoSeed) reviews(e *engPlan) {
	sponsor, _, _ := strings.Cut(e.Sponsor, ",")
	owners := []string{e.ManagerName, "Delivery director, " + e.VendorName, sponsor, "Service manager, " + e.VendorName}
	x := demoEngagements[e.Index]
	d.w.writeReviews(e, x.Issue, x.Escalation, owners, newRand("demo-reviews", uint64(e.Index)))
}

// riskCount is how many risks an engagement's register holds in its phase.
func riskCount(phase string) int {
	switch phase {
	case "Selection":
		return 3
	case "Transition", "Build":
		return 6
	case "Run", "Operate":
		return 7
	case "Transfer":
		return 8
	case "Exit":
		return 7
	}
	return 5 // Ended, Transferred
}

// filler replaces the placeholders of the risk catalogue for an engagement.
func filler(vendor, location, bu string) func(string) string {
	loc, _, _ := strings.Cut(location, ",")
	loc, _, _ = strings.Cut(loc, " /")
	r := strings.NewReplacer("{vendor}", vendor, "{loc}", loc, "{bu}", bu)
	return r.Replace
}

// templatesFor picks n risk templates for an engagement: the designed one first,
// then one per category in rotation (so that the portfolio covers every category),
// skipping templates of the other delivery model.
func templatesFor(e *engPlan, n int, designed string) []riskTemplate {
	var out []riskTemplate
	used := make([]bool, len(riskCatalog))
	if designed != "" {
		for i, t := range riskCatalog {
			if t.Title == designed {
				out, used[i] = append(out, t), true
			}
		}
	}
	for k := 0; len(out) < n && k < 4*len(models.RiskCategories); k++ {
		cat := models.RiskCategories[(e.Index*5+k)%len(models.RiskCategories)]
		for j := range riskCatalog {
			i := (j + e.Index*7 + k) % len(riskCatalog) // vary which template of a category an engagement gets
			t := riskCatalog[i]
			if used[i] || t.Category != cat || (t.Scope != "" && t.Scope != e.Model) {
				continue
			}
			out, used[i] = append(out, t), true
			break
		}
	}
	return out
}

// engagementRisks writes an engagement's register.
func (d *demoSeed) engagementRisks(e *engPlan) {
	r := newRand("demo-risks", uint64(e.Index))
	fill := filler(e.VendorName, e.Location, e.BusinessUnit)
	lo := maxDate(e.Start.AddDays(-60), addMonths(d.a, -33))
	hi := d.a.AddDays(-10)
	if e.Phase == "Selection" {
		lo = d.a.AddDays(-120)
	}
	var closeBy models.Date
	switch e.Phase {
	case "Ended":
		closeBy = e.ClosedOn.AddDays(20)
		hi = e.ClosedOn.AddDays(-30)
	case "Transferred":
		closeBy = e.ActualTransfer.AddDays(45)
	}
	sponsor, _, _ := strings.Cut(e.Sponsor, ",")
	for k, t := range templatesFor(e, riskCount(e.Phase), demoEngagements[e.Index].DesignedRisk) {
		o := riskOpts{History: true, CapHigh: e.Target != models.Green, CloseBy: closeBy,
			EndOfLife: e.Phase == "Ended" || e.Phase == "Transferred"}
		if k == 0 && e.RiskProfile != "" {
			o.Designed = e.RiskProfile
		} else if k >= 1 && k <= e.Overdue {
			o.Overdue = true
		}
		p := planRisk(r, t, d.a, lo, hi, sponsor, o)
		p.ID = d.w.ids.next("risks")
		p.EngagementID = e.ID
		p.Ref = fmt.Sprintf("R-%s-%02d", e.Code, k+1)
		p.Title, p.Description, p.Mitigation = fill(t.Title), fill(t.Description), fill(t.Mitigation)
		p.OwnerID = e.ManagerID
		if o.Designed == "" && chance(r, 50) {
			p.OwnerID = pick(r, d.managers)
		}
		p.UserID = e.ManagerID
		d.w.writeRisk(&p, r, fill)
		d.risks[e.Code] = append(d.risks[e.Code], riskRef{p.ID, p.Category})
	}
}

// portfolioRisks writes the portfolio-wide register, owned by the executive and
// senior managers.
func (d *demoSeed) portfolioRisks() {
	r := newRand("demo-portfolio-risks")
	fill := filler("vendors", "delivery centres", "the business units")
	owners := []uint{d.userID["executive@portfolio.example"], d.userID[priya], d.userID[daniel], d.userID[tomas]}
	for k, t := range portfolioRisks {
		o := riskOpts{History: true, CapHigh: true, Overdue: k == 2 || k == 5}
		p := planRisk(r, t, d.a, addMonths(d.a, -34), d.a.AddDays(-10), "Helen Marsh", o)
		p.ID = d.w.ids.next("risks")
		p.Ref = fmt.Sprintf("R-PF-%03d", k+1)
		p.Title, p.Description, p.Mitigation = t.Title, t.Description, t.Mitigation
		p.OwnerID = owners[k%len(owners)]
		p.UserID = p.OwnerID
		d.w.writeRisk(&p, r, fill)
	}
}

// lessons writes the lessons learned, dated by the phase they come from.
func (d *demoSeed) lessons() {
	r := newRand("demo-lessons")
	for _, l := range demoLessons {
		e := d.byCode[l.Engagement]
		tower, author, riskID := l.Tower, pick(r, d.managers), uint(0)
		var learned models.Date
		if e == nil {
			learned = d.a.AddDays(-between(r, 60, 700))
		} else {
			tower, author = e.Tower, e.ManagerID
			learned = d.lessonDate(e, l.Phase, r)
			if l.LinkRisk {
				riskID = d.riskFor(e.Code, l.Category)
			}
		}
		id := d.w.ids.next("lessons")
		created := stamp(learned, 15, between(r, 0, 59))
		d.w.lessons.add(id, l.Title, l.WhatHappened, l.Lesson, l.Outcome, l.Phase, l.Category, nullEng(e), tower, l.Tags,
			nullID(author), learned, nullID(riskID), false, 1, created, created)
	}
}

func nullEng(e *engPlan) any {
	if e == nil {
		return nil
	}
	return e.ID
}

// lessonDate places a lesson in the part of the engagement's life it was learned in.
func (d *demoSeed) lessonDate(e *engPlan, phase string, r *rand.Rand) models.Date {
	last := d.a.AddDays(-3)
	var day models.Date
	switch phase {
	case "selection":
		day = e.Start.AddDays(-between(r, 40, 90))
	case "contracting":
		day = e.Start.AddDays(-between(r, 5, 35))
	case "build/transition":
		day = e.Start.AddDays(between(r, 45, 150))
	case "operate":
		from := e.Start.AddDays(240)
		if len(e.Moves) > 1 {
			from = e.Moves[1].AddDays(90)
		}
		day = dayBetween(r, minDate(from, last), last)
	default: // transfer/exit
		switch {
		case !e.ActualTransfer.IsZero():
			day = e.ActualTransfer.AddDays(between(r, 20, 80))
		case !e.ClosedOn.IsZero():
			day = e.ClosedOn.AddDays(between(r, 5, 30))
		default:
			day = d.a.AddDays(-between(r, 10, 40))
		}
	}
	return minDate(day, last)
}

// riskFor finds the engagement's risk of a category (or its first risk).
func (d *demoSeed) riskFor(code, category string) uint {
	refs := d.risks[code]
	for _, x := range refs {
		if x.Category == category {
			return x.ID
		}
	}
	if len(refs) > 0 {
		return refs[0].ID
	}
	return 0
}
