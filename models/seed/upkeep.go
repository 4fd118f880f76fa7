package seed

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"portfolio/models"
)

// A bulk load into SQLite spends most of its time keeping things it could
// build once at the end: the risks alone carry nineteen indexes, two full-text
// indexes follow the risks' and lessons' text, and triggers count the live
// risks per heat-map cell and move the data version on every row. Built row by
// row those updates land all over the B-trees; built after the load, each index
// is one sort. The scale seed (a million rows) therefore sets them aside for the
// length of its transaction and puts them back, from the very SQL SQLite
// recorded for them, before it commits: nobody ever sees the tables without
// them, and a failed seed rolls the drop back with everything else. What the
// triggers keep is rebuilt below (the full-text indexes, risk_cells, the data
// version): a migration that adds a trigger keeping anything else must add
// its rebuild here too (TestSeedScaleLeavesUpkeepInPlace checks the aggregates).

// seedFTS are the full-text indexes (external-content FTS4) over seeded tables.
var seedFTS = []string{"risks_fts", "lessons_fts"}

// setAsideUpkeep drops the indexes and triggers of the tables the seed fills
// (SQLite only; on PostgreSQL it does nothing). The returned restore recreates
// them, refills the full-text indexes and the aggregate tables, and moves the
// data version once; it runs inside the same transaction, after the last row.
func setAsideUpkeep(tx *gorm.DB) (restore func() error, err error) {
	if !models.IsSQLite(tx) {
		return func() error { return models.RefillAggregates(tx) }, nil
	}
	tables := append([]string{"engagement_managers"}, seedTables...)
	type object struct{ Type, Name, SQL string }
	var objs []object
	// Indexes SQLite made for UNIQUE and PRIMARY KEY constraints have no SQL and stay.
	err = tx.Raw(`SELECT type, name, sql FROM sqlite_master
		WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ?
		ORDER BY type, name`, tables).Scan(&objs).Error
	if err != nil {
		return nil, fmt.Errorf("seed: read indexes and triggers: %w", err)
	}
	for _, o := range objs {
		if err := tx.Exec(fmt.Sprintf("DROP %s %q", strings.ToUpper(o.Type), o.Name)).Error; err != nil {
			return nil, fmt.Errorf("seed: set %s %s aside: %w", o.Type, o.Name, err)
		}
	}
	// Each rebuild reads a million rows: not the slow statements the log is for.
	tx = tx.Session(&gorm.Session{Logger: tx.Logger.LogMode(logger.Error)})
	return func() error {
		for _, o := range objs {
			if err := tx.Exec(o.SQL).Error; err != nil {
				return fmt.Errorf("seed: recreate %s %s: %w", o.Type, o.Name, err)
			}
		}
		for _, f := range seedFTS {
			if err := tx.Exec(fmt.Sprintf("INSERT INTO %s (%s) VALUES ('rebuild')", f, f)).Error; err != nil {
				return fmt.Errorf("seed: rebuild %s: %w", f, err)
			}
		}
		if err := models.RefillAggregates(tx); err != nil {
			return err
		}
		// The rows came in past the data-version triggers: a running app must not
		// serve pages it cached before the seed.
		return tx.Exec("UPDATE data_version SET n = n + 1").Error
	}, nil
}
