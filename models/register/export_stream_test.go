package register_test

import (
	"context"
	"testing"

	"gorm.io/plugin/dbresolver"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// An export holds no read open while its rows are written out: a write and a
// full checkpoint of SQLite's log complete in the middle of it (a cursor held
// for the whole download kept the log from being checkpointed, and it grew by
// gigabytes). Every risk comes once, in the register's order. Serial: it sets
// the export's chunk size.
func TestExportHoldsNoReadOpen(t *testing.T) {
	db := dbtest.Demo(t, "sqlite")
	defer register.SetExportChunk(20)()
	ctx := context.Background()
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	today := dbtest.Today()
	f := register.RiskFilter{Status: "all"}
	want, _, err := register.ListRisks(ctx, db, s.Risk, today, register.RiskFilter{Status: "all", Page: 1, PerPage: 100_000})
	if err != nil || len(want) < 50 {
		t.Fatalf("the register: %d risks, %v", len(want), err)
	}
	var got []uint
	err = register.EachRisk(ctx, db, s.Risk, today, f, func(r register.RiskExportRow) error {
		got = append(got, r.ID)
		if len(got) == 25 { // in the second chunk
			if err := db.Exec("UPDATE risks SET title = title || ' (edited during the export)' WHERE id = ?", want[len(want)-1].ID).Error; err != nil {
				return err
			}
			var busy, log, done int64
			if err := db.Clauses(dbresolver.Write).Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&busy, &log, &done); err != nil {
				return err
			}
			if busy != 0 {
				t.Errorf("a checkpoint in the middle of an export was blocked (busy %d, %d of %d frames)", busy, done, log)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("the export printed %d risks, the register has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].ID {
			t.Fatalf("row %d: risk %d, the register's order has %d", i, got[i], want[i].ID)
		}
	}
}
