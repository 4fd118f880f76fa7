package seed

import (
	"context"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// surveys gives each open demo engagement past its selection a partnership
// survey for each of the last four ended quarters it ran in, as its manager
// recorded them at each quarter's end. The scores hold steady (3 to 5, the
// same each quarter), but for two partnerships that cooled in the last
// quarter: BOT-PL-02's communication fell from 4 to 2 and its
// responsiveness from 4 to 3, and ITO-DAT-01's innovation from 4 to 3.
func (d *demoSeed) surveys(ctx context.Context, tx *gorm.DB, now time.Time) error {
	if !tx.Migrator().HasTable("partnership_surveys") { // a schema from before migration 25 (a migration test's)
		return nil
	}
	s, err := models.LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	f := s.Fiscal()
	last := f.LastComplete(models.DateOf(now))
	quarters := []models.Quarter{last.Prev().Prev().Prev(), last.Prev().Prev(), last.Prev(), last}
	var es []models.Engagement
	if err := tx.WithContext(ctx).Where("closed_on IS NULL AND phase <> ?", "Selection").Order("id").Find(&es).Error; err != nil {
		return err
	}
	for _, e := range es {
		base := make([]int, len(models.SurveyDimensions))
		for i := range base {
			base[i] = 3 + int((e.ID*7+uint(i)*5)%3) // 3, 4 or 5, steady
		}
		for _, q := range quarters {
			end := f.End(q)
			if e.StartDate.After(end) {
				continue
			}
			scores := append([]int(nil), base...)
			if q == last {
				switch e.Code {
				case "BOT-PL-02":
					scores[0], scores[3] = 2, 3
				case "ITO-DAT-01":
					scores[4] = 3
				}
			}
			if q.Before(last) {
				switch e.Code {
				case "BOT-PL-02":
					scores[0], scores[3] = 4, 4
				case "ITO-DAT-01":
					scores[4] = 4
				}
			}
			sv := models.Survey{EngagementID: e.ID, Quarter: q.String(), Communication: scores[0], CulturalFit: scores[1],
				ServiceQuality: scores[2], Responsiveness: scores[3], Innovation: scores[4], ControlAutonomy: scores[5]}
			if e.Code == "BOT-PL-02" && q == last {
				sv.CommunicationNote = "Weekly steering calls lapsed during the transfer planning; escalations now take a week."
			}
			at := end.Add(17 * time.Hour)
			if at.After(now) {
				at = now
			}
			if _, err := models.SaveSurvey(ctx, tx, e.ManagerID, at, sv, 0); err != nil {
				return err
			}
		}
	}
	return nil
}
