package models_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// entities are every GORM model the app reads or writes; each must have its
// table, and every column GORM maps, after the migrations run. Add new entities here.
var entities = []any{
	&models.User{}, &models.LoginThrottle{}, &models.Vendor{}, &models.Engagement{},
	&models.EngagementManager{}, &models.PhaseChange{}, &models.CostRecord{}, &models.FXRate{},
	&models.ServiceLevel{}, &models.SLAMeasurement{}, &models.Risk{}, &models.Change{},
	&models.MitigationAction{}, &models.Milestone{}, &models.ReadinessItem{},
	&models.TransferGate{}, &models.GovernanceReview{}, &models.ReviewAction{}, &models.Lesson{},
	&models.Setting{}, &models.PublishedPack{}, &models.Meeting{}, &models.MeetingAction{},
}

// On an empty database Migrate applies every registered version once, in order,
// and records each; a second run applies nothing and records nothing more.
func TestMigrateAppliesEveryVersionOnce(t *testing.T) {
	t.Parallel()
	registered := models.RegisteredMigrations()
	if len(registered) == 0 || registered[0] != 1 {
		t.Fatalf("registered migrations %v should start at version 1", registered)
	}
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Empty(t, kind)
			if db.Migrator().HasTable("engagements") {
				t.Fatal("the empty database already has an engagements table")
			}

			applied, err := models.Migrate(ctx, db)
			if err != nil {
				t.Fatalf("first migrate: %v", err)
			}
			if !slices.Equal(applied, registered) {
				t.Fatalf("first migrate applied %v, want every registered version %v", applied, registered)
			}
			recorded, err := models.AppliedMigrations(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recorded, registered) {
				t.Fatalf("schema_migrations records %v, want %v", recorded, registered)
			}
			var named int64
			if err := db.Table("schema_migrations").Where("name <> '' AND applied_at IS NOT NULL").Count(&named).Error; err != nil {
				t.Fatal(err)
			}
			if named != int64(len(registered)) {
				t.Fatalf("%d of %d recorded migrations have a name and a time", named, len(registered))
			}

			again, err := models.Migrate(ctx, db)
			if err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if len(again) != 0 {
				t.Fatalf("second migrate applied %v, want nothing", again)
			}
			recorded2, err := models.AppliedMigrations(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recorded2, registered) {
				t.Fatalf("after a second migrate schema_migrations records %v, want %v", recorded2, registered)
			}
		})
	}
}

// Every entity's table exists after migrating, with a column for every field GORM maps,
// so the SQL migrations and the Go structs cannot drift apart unnoticed.
func TestMigrateCreatesEveryEntityTableAndColumn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		for _, e := range entities {
			stmt := &gorm.Statement{DB: db}
			if err := stmt.Parse(e); err != nil {
				t.Fatalf("parse %T: %v", e, err)
			}
			table := stmt.Schema.Table
			if !m.HasTable(e) {
				t.Errorf("%T: table %s is missing", e, table)
				continue
			}
			for _, f := range stmt.Schema.Fields {
				if f.DBName == "" {
					continue // associations and ignored fields have no column
				}
				if !m.HasColumn(e, f.DBName) {
					t.Errorf("%T: column %s.%s (field %s) is missing", e, table, f.DBName, f.Name)
				}
			}
		}
	})
}
