package seed

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// demoObligation is one duty every open demo engagement of its kind has.
type demoObligation struct {
	party, title, clause, owner, frequency string
	bot, ito                               bool
	evidence                               string // the evidence of a met occurrence: %s the code, %s the due month
}

var demoObligations = []demoObligation{
	{models.PartyVendor, "Monthly service report", "Schedule 2, 4.1", "Vendor service manager", models.FrequencyMonthly, true, true,
		"https://docs.example.com/%s/service-report-%s.pdf"},
	{models.PartyVendor, "Security attestation (ISO 27001 surveillance)", "Schedule 7, 3.2", "Vendor security officer", models.FrequencyQuarterly, true, true,
		"Attestation %s-SEC-%s"},
	{models.PartyVendor, "Disaster-recovery test and report", "Schedule 6, 5.4", "Vendor service manager", models.FrequencyYearly, false, true,
		"https://docs.example.com/%s/dr-test-%s.pdf"},
	{models.PartyVendor, "Exit plan kept current", "Schedule 5, 1.3", "Vendor account director", models.FrequencyYearly, false, true,
		"Exit plan %s v%s"},
	{models.PartyCompany, "Quarterly demand forecast to the vendor", "Schedule 3, 2.2", "Engagement manager", models.FrequencyQuarterly, true, true,
		"Forecast %s-%s sent"},
	{models.PartyCompany, "Pay undisputed invoices within 30 days", "Clause 11.3", "Accounts payable", models.FrequencyMonthly, true, true,
		"Payment run %s-%s"},
}

// demoLate are the demo's late obligations: by engagement code and title,
// how many days late (at least; a few more when that day is past the 27th)
// the occurrence is made to be (it and any after it left unrecorded). More than 30 days turns the engagement Amber; these
// are all engagements Amber or Red already, so the demo keeps its colours.
var demoLate = map[string]map[string]int{
	"ITO-ADM-02": {"Monthly service report": 45},
	"ITO-HLP-01": {"Disaster-recovery test and report": 50},
	"ITO-DAT-01": {"Quarterly demand forecast to the vendor": 40},
	"ITO-CLD-01": {"Security attestation (ISO 27001 surveillance)": 12},
	"BOT-RO-01":  {"Pay undisputed invoices within 30 days": 8},
	"BOT-IN-02":  {"Quarterly demand forecast to the vendor": 120}, // late at the last quarter's end too, whatever the day
}

// obligations gives each open demo engagement its contractual obligations,
// the vendor's and ours, with what was recorded of each occurrence since
// (at most) fifteen months ago: met within a few days of its date with
// evidence, but for demoLate's. Rows are written as the forms would have,
// with their history, but without the health refresh the forms make: the
// demo's health is computed once, when the app first starts.
func (d *demoSeed) obligations(ctx context.Context, tx *gorm.DB, now time.Time) error {
	if !tx.Migrator().HasTable("obligations") { // a schema from before migration 26 (a migration test's)
		return nil
	}
	tx = tx.WithContext(ctx)
	today := models.DateOf(now)
	var es []models.Engagement
	if err := tx.Preload("Manager").Where("closed_on IS NULL").Order("id").Find(&es).Error; err != nil {
		return err
	}
	admin := d.userID["admin@portfolio.example"]
	for _, e := range es {
		for _, spec := range demoObligations {
			if (e.IsBOT() && !spec.bot) || (!e.IsBOT() && !spec.ito) {
				continue
			}
			o := models.Obligation{EngagementID: e.ID, Party: spec.party, Title: spec.title, Clause: spec.clause, Owner: spec.owner,
				Frequency: spec.frequency, Version: 1}
			if spec.owner == "Engagement manager" && e.Manager != nil {
				o.Owner = e.Manager.Name
			}
			period := map[string]int{models.FrequencyMonthly: 1, models.FrequencyQuarterly: 3, models.FrequencyYearly: 12}[spec.frequency]
			// The latest occurrence on or before today is on a day made from the code, or
			// the day demoLate asks; the first a whole number of periods before, after the start.
			lateDays, late := demoLate[e.Code][spec.title]
			latest := today.AddDays(-int(spread(e.Code+spec.title) % 25))
			if late {
				latest = today.AddDays(-lateDays)
			}
			if latest.Day() > 27 { // a day every month has, and not a month's end: the schedule keeps it
				latest = models.D(latest.Year(), latest.Month(), 27)
			}
			first := latest
			for first.AddMonths(-period).After(maxDate(e.StartDate, today.AddMonths(-15))) {
				first = first.AddMonths(-period)
			}
			o.FirstDue = first
			o.CreatedAt = stamp(maxDate(e.StartDate, first.AddDays(-30)), 11, 0)
			if o.CreatedAt.After(now) {
				o.CreatedAt = now
			}
			o.UpdatedAt = o.CreatedAt
			if err := tx.Create(&o).Error; err != nil {
				return err
			}
			if err := models.RecordChanges(tx, models.Created(models.ObligationEntity, o.ID, &admin, o.CreatedAt, o,
				"Party", "Title", "Clause", "Owner", "Frequency", "FirstDue", "EndsOn", "EvidenceLink")); err != nil {
				return err
			}
			var recs []models.ObligationOccurrence
			for i, due := range o.DueDates(o.FirstDue, today.AddDays(-1)) {
				if late && !due.Before(latest) {
					continue
				}
				metOn := due.AddDays(int(spread(fmt.Sprint(e.Code, spec.title, i)) % 4))
				if i%7 == 5 { // now and then a week late
					metOn = metOn.AddDays(7)
				}
				if !metOn.Before(today) {
					metOn = due // met on the day: only demoLate's are late
				}
				who := admin
				if e.ManagerID != nil {
					who = *e.ManagerID
				}
				recs = append(recs, models.ObligationOccurrence{ObligationID: o.ID, EngagementID: e.ID, DueOn: due, Status: models.OccurrenceMet,
					MetOn: metOn, Evidence: demoEvidence(spec.evidence, e.Code, due), UserID: &who, RecordedAt: stamp(metOn, 16, 30), Version: 1})
			}
			if len(recs) == 0 {
				continue
			}
			if err := tx.CreateInBatches(&recs, 200).Error; err != nil {
				return err
			}
			var changes []models.Change
			for _, r := range recs {
				changes = append(changes, models.Created(models.OccurrenceEntity, r.ID, r.UserID, r.RecordedAt, r, "DueOn", "Status", "MetOn", "Evidence")...)
			}
			if err := tx.CreateInBatches(&changes, 500).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// demoEvidence fills an evidence pattern with the code (lower case in a
// link) and the due month.
func demoEvidence(pattern, code string, due models.Date) string {
	if strings.HasPrefix(pattern, "https://") {
		code = strings.ToLower(code)
	}
	return fmt.Sprintf(pattern, code, due.Format("2006-01"))
}

// spread is a stable number made from s, for days that differ by engagement.
func spread(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
