package models_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// Eight writers changing risks while readers page the register all succeed:
// on SQLite writers queue for the file's writer token instead of failing with
// "database is locked", and every change is stored once.
func TestConcurrentRiskWritersAndReaders(t *testing.T) {
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

// A writing request's reads skip the read slots (models.Urgent): with every
// slot held by readers whose rows are still open, an ordinary read waits (and
// gives up when its request does) while a writer's read goes straight in.
func TestUrgentReadsSkipTheReadSlots(t *testing.T) {
	db := dbtest.Demo(t, "sqlite")
	ctx := context.Background()
	for range runtime.NumCPU() {
		rows, err := db.WithContext(ctx).Raw("SELECT id FROM risks").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
	}
	count := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		var n int64
		return db.WithContext(ctx).Raw("SELECT COUNT(*) FROM engagements").Scan(&n).Error
	}
	if err := count(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("an ordinary read with every slot taken: got %v, want it to wait until its deadline", err)
	}
	if err := count(models.Urgent(ctx)); err != nil {
		t.Fatalf("a writer's read with every slot taken: %v", err)
	}
}

// A SQLite write transaction is in flight from BEGIN to its end, and a
// PostgreSQL one never counts (it has no writer token to wait for).
func TestWritesInFlight(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Open(t, kind)
			if models.WritesInFlight() {
				t.Fatal("a write in flight before any began")
			}
			tx := db.Begin()
			if got, want := models.WritesInFlight(), kind == "sqlite"; got != want {
				t.Errorf("during a transaction: %v, want %v", got, want)
			}
			if err := tx.Rollback().Error; err != nil {
				t.Fatal(err)
			}
			if models.WritesInFlight() {
				t.Error("still in flight after the rollback")
			}
		})
	}
}
