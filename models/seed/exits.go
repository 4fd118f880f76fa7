package seed

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// exitPlans are the demo's exit checklists that have moved, by engagement
// code: each area's status in ExitAreas order and its owner. ITO-ADM-03,
// whose exit is decided, is well advanced (82.5 %) but for the data return
// and the knowledge its successor team still has to take on; ITO-ADM-02,
// whose notice deadline passed undecided, has its termination assistance
// being priced. Every other running contract has only its exit plan
// agreed, the contract's exit schedule (20 %); contracts in transition have
// not started.
var exitPlans = map[string]struct {
	status []int
	owners []string
}{
	"ITO-ADM-03": {[]int{2, 1, 2, 1, 2, 2}, []string{"Daniel Whitfield", "Kavya Iyer", "Aisha Bello", "Aisha Bello", "Procurement", "Daniel Whitfield"}},
	"ITO-ADM-02": {[]int{2, 0, 0, 0, 0, 1}, []string{"Tomás Novak", "", "", "", "", "Procurement"}},
}

// exits gives each running or exiting ITO contract of the demo its exit
// checklist, written as the forms write it (each item with its history):
// created by its manager a month into the contract, the exit plan agreed
// then, and ITO-ADM-03's and ITO-ADM-02's progress in the last months.
// Contracts still in selection, and those ended, have none.
func (d *demoSeed) exits(ctx context.Context, tx *gorm.DB, now time.Time) error {
	if !tx.Migrator().HasTable("exit_readiness_items") { // a schema from before migration 29 (a migration test's)
		return nil
	}
	s, err := models.LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	var es []models.Engagement
	if err := tx.WithContext(ctx).Where("model = ? AND closed_on IS NULL AND phase <> ?", models.ModelITO, "Selection").Order("id").Find(&es).Error; err != nil {
		return err
	}
	past := func(t time.Time) time.Time { // nothing the seed writes is dated after its now
		if t.After(now) {
			return now
		}
		return t
	}
	for _, e := range es {
		w := models.Actor{UserID: e.ManagerID, At: past(e.StartDate.AddDate(0, 1, 0)), Settings: s}
		items, err := models.CreateExitChecklist(ctx, tx, w, e.ID)
		if err != nil {
			return err
		}
		plan, moved := exitPlans[e.Code]
		if !moved {
			if e.Phase == "Transition" {
				continue
			}
			plan.status = []int{models.ReadinessDone, 0, 0, 0, 0, 0}
			plan.owners = []string{d.userName[managerEmail(d, e)], "", "", "", "", ""}
		}
		for i, it := range items {
			if plan.status[i] == models.ReadinessNotStarted && plan.owners[i] == "" {
				continue
			}
			next := it
			next.Status, next.Owner = plan.status[i], plan.owners[i]
			at := w.At
			if i > 0 { // the exit plan is agreed with the contract; the rest as the exit nears
				at = past(models.DateOf(now).AddDays(-90 + 12*i).Add(11 * time.Hour))
			}
			if next.Status == models.ReadinessDone {
				next.Evidence = "https://docs.portfolio.example/" + strings.ToLower(e.Code) + "/exit/" + slug(it.Area)
			}
			if _, err := models.UpdateExitItem(ctx, tx, models.Actor{UserID: e.ManagerID, At: at, Settings: s}, it.ID, it.Version, next); err != nil {
				return err
			}
		}
	}
	return nil
}

// managerEmail is the email of an engagement's lead manager ("" when none).
func managerEmail(d *demoSeed, e models.Engagement) string {
	if e.ManagerID == nil {
		return ""
	}
	for email, id := range d.userID {
		if id == *e.ManagerID {
			return email
		}
	}
	return ""
}
