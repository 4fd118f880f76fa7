package models_test

import (
	"context"
	"sync"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// Eight writers changing risks while readers page the register all succeed:
// on SQLite writers queue for the one writer connection instead of failing
// with "database is locked", and every change is stored once.
func TestConcurrentRiskWritersAndReaders(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			act := models.Actor{At: dbtest.Now(), Settings: models.DefaultSettings()}
			var risks []models.Risk
			db.Where("status IN ?", []string{models.StatusOpen, models.StatusMitigating}).Order("id").Limit(8).Find(&risks)
			if len(risks) < 8 {
				t.Fatal("the demo has too few open risks")
			}
			const rounds = 15
			var wg sync.WaitGroup
			errs := make(chan error, 8*rounds+4*rounds)
			for _, r := range risks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st := []string{models.StatusOpen, models.StatusMitigating}
					for i := range rounds {
						next, err := models.SetRiskStatus(ctx, db, act, r.ID, r.Version, st[(i+1)%2])
						if err != nil {
							errs <- err
							return
						}
						r = next
					}
				}()
			}
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						if _, _, err := register.ListRisks(ctx, db, models.DefaultRiskSettings(), models.DateOf(dbtest.Now()),
							register.RiskFilter{Page: 1, PerPage: 50}); err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			for _, r := range risks {
				var n int64
				db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND field = ? AND at = ?", models.RiskEntity, r.ID, "status", dbtest.Now().UTC()).Count(&n)
				var stored models.Risk
				db.First(&stored, r.ID)
				if stored.Version < r.Version+rounds-1 || n < rounds-1 {
					t.Errorf("%s: version %d → %d, %d status changes recorded", r.Ref, r.Version, stored.Version, n)
				}
			}
		})
	}
}
