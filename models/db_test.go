package models_test

import (
	"context"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// The health probe's write fails on a database that refuses writes.
func TestCheckWritable(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Open(t, kind)
			ctx := context.Background()
			if err := models.CheckWritable(ctx, db); err != nil {
				t.Fatalf("a writable database: %v", err)
			}
			// A transaction made read-only stands for a database refusing writes.
			tx := db.Begin()
			defer tx.Rollback()
			readOnly := map[string]string{"sqlite": "PRAGMA query_only = ON", "postgres": "SET TRANSACTION READ ONLY"}[kind]
			if err := tx.Exec(readOnly).Error; err != nil {
				t.Fatal(err)
			}
			if kind == "sqlite" {
				defer tx.Exec("PRAGMA query_only = OFF") // the writer connection goes back to the pool
			}
			if err := models.CheckWritable(ctx, tx); err == nil {
				t.Error("a database refusing writes passed the health probe")
			}
		})
	}
}
