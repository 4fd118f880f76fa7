package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/register"
	"portfolio/models/sqlstore"
)

// Scale fills an empty database with a large generated portfolio of n
// engagements for benchmarks, everything in proportion: about n/50 vendors (at
// least 8), n/20 managers plus the demo accounts (so a benchmark signs in with the
// demo passwords), and per engagement 25 risks with their history, about 102
// monthly cost records, 3 service levels with 24 months of results, 6 milestones,
// 4 governance reviews, readiness items for BOT centres and a lesson. The same
// (n, month) gives the same rows, except the salted password hashes. It is dated
// like SeedDemo, by db's clock. It leaves the aggregate tables filled (no
// RebuildAggregates needed after it).
func Scale(ctx context.Context, db *gorm.DB, n int) error {
	if n < 1 {
		return errors.New("seed: the scale seed needs at least one engagement")
	}
	now := models.NowOf(db)
	anchor := models.DateOf(now).MonthStart()
	if err := requireEmpty(ctx, db); err != nil {
		return err
	}
	hashes, err := hashDemoPasswords()
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
		restore, err := bigCache(tx)
		if err != nil {
			return err
		}
		defer restore()
		putBack, err := setAsideUpkeep(tx)
		if err != nil {
			return err
		}
		w, err := newSeedWriter(ctx, tx, ids, now)
		if err != nil {
			return err
		}
		defer w.pipe.wait() // on every path, before the cache is restored and the transaction ends
		s := &scaleSeed{w: w, a: anchor, n: n}
		if err := s.users(ctx, tx, hashes); err != nil {
			return err
		}
		s.vendors()
		// Every engagement refers to these: send them now so that the engagements'
		// rows never wait for a partial batch of them.
		w.users.flush()
		w.vendors.flush()
		s.w.writeFX(addMonths(anchor, -scaleMaxMonths), addMonths(anchor, -1))
		for i := range n {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if w.failed() {
					break // finish reports the error
				}
			}
			s.engagement(i)
		}
		s.portfolioRisks()
		if err := w.finish(); err != nil {
			return err
		}
		if err := putBack(); err != nil {
			return err
		}
		return resetSequences(tx)
	})
}

// bigCache gives SQLite a 256 MB page cache for the seed's connection: the
// indexes of a million-row table are updated all over and thrash the default
// 2 MB cache. restore puts the connection's setting back.
func bigCache(tx *gorm.DB) (restore func(), err error) {
	if !models.IsSQLite(tx) {
		return func() {}, nil
	}
	var old int
	if err := tx.Raw("PRAGMA cache_size").Scan(&old).Error; err != nil {
		return nil, err
	}
	if err := tx.Exec("PRAGMA cache_size = -262144").Error; err != nil {
		return nil, err
	}
	return func() { tx.Exec(fmt.Sprintf("PRAGMA cache_size = %d", old)) }, nil
}

// scaleMaxMonths bounds how far back the scale seed's monthly records go.
const scaleMaxMonths = 110

// Word lists the scale seed composes names from.
var (
	scaleFirstNames = []string{"Adam", "Beatriz", "Chen", "Divya", "Erik", "Fatima", "George", "Hana", "Ivan", "Julia",
		"Kenji", "Leila", "Mateo", "Nadia", "Oscar", "Paula", "Quentin", "Rosa", "Stefan", "Tara", "Umar", "Vera", "William", "Yuki"}
	scaleLastNames = []string{"Andersen", "Barros", "Chowdhury", "Dimitrov", "Engel", "Ferreira", "Gallagher", "Haddad", "Ivanova",
		"Jensen", "Kaur", "Larsen", "Moreau", "Nakamura", "Okoro", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Walsh", "Zhou"}
	scaleVendorHeads = []string{"Apex", "Blue River", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor", "Ionic",
		"Juniper", "Keystone", "Lumen", "Monsoon", "Nimbus", "Orchid", "Polaris"}
	scaleVendorTails = []string{"Technology Services", "Digital", "Systems", "Consulting", "Infotech", "Cloud Partners",
		"Data Services", "Software House"}
	scaleRegions = []string{"EMEA", "Americas", "APAC", "Nordics", "DACH", "Iberia", "UK & Ireland", "India", "North America",
		"LATAM", "Benelux", "Central Europe"}
	scaleServices = []string{"infrastructure operations", "application maintenance", "service desk", "security operations",
		"data platform services", "cloud operations"}
	scaleBUs = []string{"Group Technology", "Finance & Treasury", "Digital Commerce", "Retail Operations", "Supply Chain & Logistics",
		"Group Data Office", "Manufacturing India", "HR & Shared Services"}
	scaleSponsors = []string{cio, cfo, coo, cdo, ciso, mdIndia, dataChief, "Laura Fischer, Group HR Director"}
	towerCodes    = []string{"INF", "ADM", "HLP", "SEC", "DAT", "CLD"}
	botCountries  = []string{"US", "IN", "PL", "RO", "CO", "UK", "PH", "LT"} // of demoVendors, in order
	scaleMSITO    = []string{"Service stabilisation review", "Annual service review", "Price benchmarking exercise",
		"Continuous improvement plan agreed", "Quarterly service improvement checkpoint", "Renewal or exit decision"}
	scaleMSBOT = []string{"Core team hired (100 %)", "Service stable for three months", "ISO 27001 certification of the centre",
		"Transfer plan approved", "Transfer go/no-go gate", "Legal transfer of the centre"}
)

type scaleSeed struct {
	w        *seedWriter
	a        models.Date
	n        int
	managers []uint
	names    []string
	vendorID []uint
	vNames   []string
	vLocs    []string
	riskBuf  []uint
}

// users writes the demo accounts and n/20 generated managers.
func (s *scaleSeed) users(ctx context.Context, tx *gorm.DB, hashes map[string]string) error {
	created := stamp(addMonths(s.a, -60), 9, 0)
	for _, a := range DemoAccounts {
		var existing []uint
		if err := tx.WithContext(ctx).Table("users").Where("email = ?", a.Email).Pluck("id", &existing).Error; err != nil {
			return err
		}
		id := uint(0)
		if len(existing) > 0 {
			id = existing[0]
		} else {
			id = s.w.ids.next("users")
			s.w.users.add(id, a.Name, a.Email, a.Role, hashes[a.Password], false, created, created)
		}
		if a.Role == models.RoleManager {
			s.managers, s.names = append(s.managers, id), append(s.names, a.Name)
		}
	}
	for i := range max(5, s.n/20) {
		first := scaleFirstNames[i%len(scaleFirstNames)]
		last := scaleLastNames[(i/len(scaleFirstNames)+i)%len(scaleLastNames)]
		name := first + " " + last
		email := fmt.Sprintf("%s.%s.%d@portfolio.example", strings.ToLower(first), strings.ToLower(last), i+1)
		id := s.w.ids.next("users")
		s.w.users.add(id, name, email, models.RoleManager, "", false, created, created)
		s.managers, s.names = append(s.managers, id), append(s.names, name)
	}
	return nil
}

// vendors writes the demo's eight vendors, then generated ones up to n/50.
func (s *scaleSeed) vendors() {
	r := newRand("scale-vendors")
	for i := range max(8, s.n/50) {
		base := demoVendors[i%len(demoVendors)]
		v := base
		if i >= len(demoVendors) {
			k := i - len(demoVendors)
			v.Name = scaleVendorHeads[k%len(scaleVendorHeads)] + " " + scaleVendorTails[(k/len(scaleVendorHeads))%len(scaleVendorTails)]
			if k >= len(scaleVendorHeads)*len(scaleVendorTails) {
				v.Name += fmt.Sprintf(" %d", k/(len(scaleVendorHeads)*len(scaleVendorTails))+1)
			}
			v.Tier = between(r, 1, 3)
			v.Expertise, v.Track, v.Financial = between(r, 1, 5), between(r, 1, 5), between(r, 1, 5)
			v.Culture, v.Security, v.References = between(r, 1, 5), between(r, 1, 5), chance(r, 85)
			v.Notes = "Delivery partner with centres in " + v.Locations + "."
		}
		id := s.w.ids.next("vendors")
		created := stamp(addMonths(s.a, -120).AddDays(i%300), 10, 0)
		s.w.vendors.add(id, v.Name, v.Country, v.Locations, v.Tier, v.Expertise, v.Track, v.Financial, v.Culture, v.Security,
			v.References, v.Notes, false, 1, created, created)
		loc, _, _ := strings.Cut(v.Locations, ";")
		if !strings.Contains(loc, ",") {
			loc += ", " + v.Country
		}
		s.vendorID, s.vNames, s.vLocs = append(s.vendorID, id), append(s.vNames, v.Name), append(s.vLocs, loc)
	}
}

// weighted draws an index with the given weights.
func weighted(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// scalePlan draws engagement i.
func (s *scaleSeed) scalePlan(i int, r *rand.Rand) *engPlan {
	a := s.a
	e := &engPlan{ID: s.w.ids.next("engagements"), Index: i, Model: models.ModelITO, RetainedPct: 12, OneOffPermille: 60, SLAs: 3}
	if i%4 == 3 {
		e.Model, e.RetainedPct, e.OneOffPermille = models.ModelBOT, 8, 100
	}
	t := r.IntN(len(models.Towers))
	e.Tower = models.Towers[t]
	v := r.IntN(len(s.vendorID))
	e.VendorID, e.VendorName, e.Location = s.vendorID[v], s.vNames[v], s.vLocs[v]
	m := i % len(s.managers)
	e.ManagerID, e.ManagerName = s.managers[m], s.names[m]
	if chance(r, 10) {
		e.ExtraManagers = []uint{s.managers[(m+1+r.IntN(len(s.managers)-1))%len(s.managers)]}
	}
	e.BusinessUnit, e.Sponsor = pick(r, scaleBUs), pick(r, scaleSponsors)
	region := pick(r, scaleRegions)
	if e.Model == models.ModelBOT {
		e.Code = fmt.Sprintf("BOT-%s-%05d", botCountries[v%len(botCountries)], i+1) // where the vendor builds it
		e.Name = fmt.Sprintf("%s %s centre", region, scaleServices[t])
		e.Phase = models.PhasesBOT[1+weighted(r, 10, 50, 20, 20)]
	} else {
		e.Code = fmt.Sprintf("ITO-%s-%05d", towerCodes[t], i+1)
		e.Name = fmt.Sprintf("%s %s", region, scaleServices[t])
		e.Phase = models.PhasesITO[1+weighted(r, 5, 70, 12, 13)]
	}
	e.Description = fmt.Sprintf("%s for %s, delivered from %s.", strings.ToUpper(scaleServices[t][:1])+scaleServices[t][1:], e.BusinessUnit, e.Location)

	// Lifecycle: started 96–108 months ago; later moves dated back from the anchor.
	e.Start = addMonths(a, -(96 + r.IntN(13))).AddDays(r.IntN(27))
	e.CreatedAt = stamp(e.Start.AddDays(-120), 9, 30)
	e.TransitionMonths = between(r, 4, 9)
	e.Moves = []models.Date{e.Start, workday(addMonths(e.Start, e.TransitionMonths))}
	idx := e.phaseIndex()
	if idx >= 3 {
		e.Moves = append(e.Moves, workday(addMonths(a, -between(r, 4, 9))))
	}
	if idx >= 4 {
		e.Moves = append(e.Moves, workday(a.AddDays(-between(r, 15, 90))))
	}
	e.Moves = e.Moves[:idx]
	switch {
	case e.Model == models.ModelITO && idx == 4:
		e.ClosedOn = e.Moves[3]
		e.ContractEnd = e.ClosedOn
	case e.Model == models.ModelITO && idx == 3:
		e.ContractEnd = addMonths(a, between(r, 1, 6))
	case e.Model == models.ModelITO:
		e.ContractEnd = addMonths(a, between(r, 6, 40))
	case idx == 4:
		e.ActualTransfer = e.Moves[3]
		e.PlannedTransfer = e.ActualTransfer.AddDays(-between(r, 0, 30))
	case idx == 3:
		e.PlannedTransfer = workday(a.AddDays(between(r, 10, 150)))
	default:
		e.PlannedTransfer = addMonths(a, between(r, 6, 30))
	}
	if e.Model == models.ModelBOT {
		e.ContractEnd = addMonths(e.PlannedTransfer, 3)
	}

	// Money: a monthly fee of 40k–900k dollars' worth in the contract currency.
	fee := int64(between(r, 40, 900)) * 1000
	switch weighted(r, 60, 20, 10, 10) {
	case 0:
		e.Currency = "USD"
	case 1:
		e.Currency, fee = "EUR", fee*92/100
	case 2:
		e.Currency, fee = "GBP", fee*79/100
	default:
		e.Currency, fee = "INR", fee*83
	}
	e.Value = fee * 100 * int64(max(1, monthsBetween(e.Start, e.ContractEnd)))
	e.Pricing = pick(r, models.PricingModels)
	e.VendorHC, e.ClientHC = between(r, 10, 220), between(r, 2, 20)
	e.SavePct, e.Delivery = between(r, 12, 35), between(r, 80, 110)
	e.SavingsType = models.SavingsHard
	if chance(r, 15) {
		e.SavingsType = models.SavingsAvoidance
	}
	e.Target = []string{models.Green, models.Amber, models.Red}[weighted(r, 55, 30, 15)]
	if e.Target == models.Red {
		e.SLAMiss = 2
		e.LateKey = chance(r, 40)
	}
	e.LateMinor = e.Target == models.Amber && chance(r, 40)
	return e
}

// engagement writes engagement i and everything that belongs to it.
func (s *scaleSeed) engagement(i int) {
	w, a := s.w, s.a
	r := newRand("scale", uint64(i))
	e := s.scalePlan(i, r)
	w.writeEngagement(e)

	last := e.lastMonth(a)
	first := e.Start.MonthStart()
	months := monthsBetween(first, last) + 1
	slaMonths := min(24, months)
	missPct := 4
	if e.Target != models.Green {
		missPct = 8
	}
	slaCredits := w.writeServiceLevels(e, addMonths(last, 1-slaMonths), slaMonths, missPct, r)
	credits := make([]int, months)
	copy(credits[months-slaMonths:], slaCredits)
	w.writeCosts(e, first, months, credits, r)
	s.milestones(e, r)
	if e.Model == models.ModelBOT {
		w.writeReadiness(e, append([]string{e.ManagerName}, demoPeople...), r)
		w.writeGates(e, r)
	}
	w.writeReviews(e, "", "", []string{e.ManagerName, "Delivery director, " + e.VendorName, "Service manager, " + e.VendorName}, r)
	s.risks(e, r)
	s.lesson(e, r)
}

// milestones writes six milestones around the anchor: four past (done, unless
// designed late) and two to come.
func (s *scaleSeed) milestones(e *engPlan, r *rand.Rand) {
	a := s.a
	names := scaleMSITO
	if e.Model == models.ModelBOT {
		names = scaleMSBOT
	}
	for k, name := range names {
		planned := workday(a.AddDays(-300 + 80*k + between(r, -10, 10)))
		if k >= 4 {
			planned = workday(a.AddDays(32 + 60*(k-4) + between(r, 0, 20)))
		}
		key := k == 1 || k == 3 || k == 5
		forecast, actual := models.Date{}, models.Date{}
		switch {
		case k == 3 && (e.LateKey || e.LateMinor):
			key = e.LateKey
			planned = workday(a.AddDays(-between(r, 35, 60)))
			forecast = workday(a.AddDays(between(r, 35, 60)))
		case planned.Before(a):
			actual = minDate(planned.AddDays(between(r, -5, 10)), a.AddDays(-1))
		default:
			forecast = planned
		}
		w := s.w
		w.milestones.add(w.ids.next("milestones"), e.ID, e.Phase, name, key, planned, dateVal(forecast), dateVal(actual), 1, e.CreatedAt, e.CreatedAt)
	}
}

// risks writes the engagement's 25 risks, each with a create row and, unless
// still open, the status change that brought it where it is.
func (s *scaleSeed) risks(e *engPlan, r *rand.Rand) {
	a := s.a
	fill := filler(e.VendorName, e.Location, e.BusinessUnit)
	lo, hi := maxDate(e.Start.AddDays(-60), addMonths(a, -36)), a.AddDays(-10)
	var closeBy models.Date
	switch {
	case !e.ClosedOn.IsZero():
		closeBy, hi = e.ClosedOn.AddDays(20), minDate(hi, e.ClosedOn.AddDays(-30))
	case !e.ActualTransfer.IsZero():
		closeBy = e.ActualTransfer.AddDays(45)
	}
	sponsor, _, _ := strings.Cut(e.Sponsor, ",")
	s.riskBuf = s.riskBuf[:0]
	for k, t := range templatesFor(e, 25, "") {
		o := riskOpts{CapHigh: e.Target != models.Green, CloseBy: closeBy, EndOfLife: e.Phase == "Ended" || e.Phase == "Transferred"}
		switch {
		case k == 0 && e.Target == models.Red && !o.EndOfLife:
			o.Designed = pick(r, []string{"critical", "high"})
		case e.Target != models.Green && chance(r, 12):
			o.Overdue = true
		}
		p := planRisk(r, t, a, lo, hi, sponsor, o)
		p.ID = s.w.ids.next("risks")
		p.EngagementID = e.ID
		p.Ref = fmt.Sprintf("R-%s-%02d", e.Code, k+1)
		p.Title, p.Description, p.Mitigation = fill(t.Title), fill(t.Description), fill(t.Mitigation)
		p.OwnerID = e.ManagerID
		if chance(r, 50) {
			p.OwnerID = s.managers[r.IntN(len(s.managers))]
		}
		p.UserID = e.ManagerID
		s.w.writeRisk(&p, r, fill)
		s.riskBuf = append(s.riskBuf, p.ID)
	}
}

// lesson writes one lesson learned for the engagement, from the demo's lessons.
func (s *scaleSeed) lesson(e *engPlan, r *rand.Rand) {
	l := demoLessons[e.Index%len(demoLessons)]
	learned := maxDate(e.Start.AddDays(30), s.a.AddDays(-between(r, 10, 900)))
	riskID := uint(0)
	if chance(r, 10) && len(s.riskBuf) > 0 {
		riskID = s.riskBuf[0]
	}
	created := stamp(learned, 15, 0)
	s.w.lessons.add(s.w.ids.next("lessons"), l.Title, l.WhatHappened, l.Lesson, l.Outcome, l.Phase, l.Category, e.ID, e.Tower,
		l.Tags, nullID(e.ManagerID), learned, nullID(riskID), false, 1, created, created)
}

// portfolioRisks writes n/250 (at least 8) portfolio-wide risks.
func (s *scaleSeed) portfolioRisks() {
	r := newRand("scale-portfolio-risks")
	fill := filler("vendors", "delivery centres", "the business units")
	for k := range max(8, s.n/250) {
		t := portfolioRisks[k%len(portfolioRisks)]
		p := planRisk(r, t, s.a, addMonths(s.a, -36), s.a.AddDays(-10), "Helen Marsh", riskOpts{CapHigh: true, Overdue: chance(r, 10)})
		p.ID = s.w.ids.next("risks")
		p.Ref = fmt.Sprintf("R-PF-%05d", k+1)
		p.Title, p.Description, p.Mitigation = t.Title, t.Description, t.Mitigation
		p.OwnerID = s.managers[k%len(s.managers)]
		p.UserID = p.OwnerID
		s.w.writeRisk(&p, r, fill)
	}
}
