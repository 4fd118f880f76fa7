package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
)

// dataVersionWrites are an insert, an update and a delete of one row of each
// table migration 9 covers, in an order the foreign keys accept (deletes run
// in reverse). Tables a later migration removed are skipped.
var dataVersionWrites = []struct{ table, insert, update, delete string }{
	{"users", `INSERT INTO users (name, email, role) VALUES ('Dee Version', 'dee@example.com', 'manager')`,
		`UPDATE users SET name = 'Dee V.' WHERE email = 'dee@example.com'`, `DELETE FROM users WHERE email = 'dee@example.com'`},
	{"vendors", `INSERT INTO vendors (name) VALUES ('Versioned Ltd')`,
		`UPDATE vendors SET notes = 'x' WHERE name = 'Versioned Ltd'`, `DELETE FROM vendors WHERE name = 'Versioned Ltd'`},
	{"engagements", `INSERT INTO engagements (code, name, model, tower, vendor_id, phase, currency)
		SELECT 'DV-1', 'Versioned', 'ITO', 'INF', id, 'Run', 'EUR' FROM vendors WHERE name = 'Versioned Ltd'`,
		`UPDATE engagements SET phase = 'Build', health = 'red' WHERE code = 'DV-1'`, `DELETE FROM engagements WHERE code = 'DV-1'`},
	{"engagement_managers", `INSERT INTO engagement_managers (engagement_id, user_id)
		SELECT e.id, u.id FROM engagements e, users u WHERE e.code = 'DV-1' AND u.email = 'dee@example.com'`,
		`UPDATE engagement_managers SET user_id = user_id WHERE engagement_id IN (SELECT id FROM engagements WHERE code = 'DV-1')`,
		`DELETE FROM engagement_managers WHERE engagement_id IN (SELECT id FROM engagements WHERE code = 'DV-1')`},
	{"risks", `INSERT INTO risks (engagement_id, ref, title, category, inherent_likelihood, inherent_impact, inherent_score,
		residual_likelihood, residual_impact, residual_score, raised_on)
		SELECT id, 'R-DV-1', 'Versioned risk', 'Delivery', 3, 3, 9, 2, 2, 4, '2026-11-01' FROM engagements WHERE code = 'DV-1'`,
		`UPDATE risks SET title = 'Renamed' WHERE ref = 'R-DV-1'`, `DELETE FROM risks WHERE ref = 'R-DV-1'`},
	{"milestones", `INSERT INTO milestones (engagement_id, phase, name, planned)
		SELECT id, 'Run', 'Versioned milestone', '2026-12-01' FROM engagements WHERE code = 'DV-1'`,
		`UPDATE milestones SET actual = '2026-11-20' WHERE name = 'Versioned milestone'`, `DELETE FROM milestones WHERE name = 'Versioned milestone'`},
	{"readiness_items", `INSERT INTO readiness_items (engagement_id, area, weight)
		SELECT id, 'Versioned area', 1 FROM engagements WHERE code = 'DV-1'`,
		`UPDATE readiness_items SET status = 2 WHERE area = 'Versioned area'`, `DELETE FROM readiness_items WHERE area = 'Versioned area'`},
	{"fx_rates", `INSERT INTO fx_rates (currency, month, rate) VALUES ('XDV', '2026-11-01', '1.5')`,
		`UPDATE fx_rates SET rate = '1.6' WHERE currency = 'XDV'`, `DELETE FROM fx_rates WHERE currency = 'XDV'`},
	{"settings", `INSERT INTO settings (key, value) VALUES ('dv-test', '{}')`,
		`UPDATE settings SET value = '[]' WHERE key = 'dv-test'`, `DELETE FROM settings WHERE key = 'dv-test'`},
	{"engagement_totals", `INSERT INTO engagement_totals (model, phase, health, currency, active) VALUES ('ITO', 'Run', 'green', 'XDV', TRUE)`,
		`UPDATE engagement_totals SET engagements = 1 WHERE currency = 'XDV'`, `DELETE FROM engagement_totals WHERE currency = 'XDV'`},
	{"cost_month_totals", `INSERT INTO cost_month_totals (month, currency, savings_type) VALUES ('2026-11-01', 'XDV', 'hard')`,
		`UPDATE cost_month_totals SET baseline = 5 WHERE currency = 'XDV'`, `DELETE FROM cost_month_totals WHERE currency = 'XDV'`},
	{"sla_month_totals", `INSERT INTO sla_month_totals (month) VALUES ('1999-01-01')`,
		`UPDATE sla_month_totals SET met = 1 WHERE month = '1999-01-01'`, `DELETE FROM sla_month_totals WHERE month = '1999-01-01'`},
	{"risk_cell_totals", `INSERT INTO risk_cell_totals (kind, likelihood, impact) VALUES ('dv', 1, 1)`,
		`UPDATE risk_cell_totals SET live = 1 WHERE kind = 'dv'`, `DELETE FROM risk_cell_totals WHERE kind = 'dv'`},
	{"risk_cells", `INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
		VALUES ('dv', 'dv', 1, 1, 1, 1, 0)`,
		`UPDATE risk_cells SET n = 1 WHERE status = 'dv'`, `DELETE FROM risk_cells WHERE status = 'dv'`},
}

// Every insert, update and delete of a covered table, committed through another
// handle on the same database (another app instance, the CLI), moves the data
// version this handle reads; reading it changes nothing.
func TestDataVersionMovesWithEveryCoveredWrite(t *testing.T) {
	t.Parallel()
	var cased []string
	for _, w := range dataVersionWrites {
		cased = append(cased, w.table)
	}
	for _, table := range models.DataVersionTables {
		if !slices.Contains(cased, table) {
			t.Fatalf("table %s is covered by migration 9 but has no write in this test", table)
		}
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		other := dbtest.Reopen(t, db)
		write := func(table, stmt string) {
			t.Helper()
			before := dbtest.DataVersion(t, db)
			if dbtest.DataVersion(t, db) != before {
				t.Fatal("reading the data version moved it")
			}
			_, othersBefore := dbtest.DataVersions(t, db)
			res := other.Exec(stmt)
			if res.Error != nil {
				t.Fatalf("%s: %v\n%s", table, res.Error, stmt)
			}
			if res.RowsAffected != 1 {
				t.Fatalf("%s: %d rows written, want 1\n%s", table, res.RowsAffected, stmt)
			}
			if after := dbtest.DataVersion(t, db); after <= before {
				t.Errorf("%s: the data version stayed at %d after %s", table, before, stmt)
			}
			// The others' version (migration 34) moves with every table but the
			// risk register's.
			if after, _ := dbtest.DataVersions(t, db); after <= before {
				t.Errorf("%s: DataVersions' all stayed at %d", table, before)
			}
			_, othersAfter := dbtest.DataVersions(t, db)
			if risky := slices.Contains(models.RiskTables, table); risky && othersAfter != othersBefore {
				t.Errorf("%s is a risk table, yet its write moved the others' version from %d to %d", table, othersBefore, othersAfter)
			} else if !risky && othersAfter <= othersBefore {
				t.Errorf("%s: the others' version stayed at %d after %s", table, othersBefore, stmt)
			}
		}
		var present []int
		for i, w := range dataVersionWrites {
			if !db.Migrator().HasTable(w.table) {
				continue
			}
			present = append(present, i)
			write(w.table, w.insert)
			write(w.table, w.update)
		}
		for _, i := range slices.Backward(present) {
			write(dataVersionWrites[i].table, dataVersionWrites[i].delete)
		}
		// A write of a table outside the set leaves the version alone.
		before := dbtest.DataVersion(t, db)
		if err := other.Exec(`INSERT INTO login_throttles (key, failures) VALUES ('ip:dv', 1)`).Error; err != nil {
			t.Fatal(err)
		}
		if after := dbtest.DataVersion(t, db); after != before {
			t.Errorf("a sign-in throttle row moved the data version from %d to %d", before, after)
		}
	})
}

// Every table whose trigger moves a version moves the one its group says: the
// risk register's tables (models.RiskTables) risk_version, every other
// table data_version, as the cache assumes when it keeps a value that reads
// none of the risk tables through their writes.
func TestRiskTablesMoveTheRiskVersion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		q := `SELECT name, tbl_name, CASE WHEN sql LIKE '%UPDATE risk_version%' THEN 'risk_version' ELSE 'data_version' END
			FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version_%'`
		if !models.IsSQLite(db) {
			q = `SELECT t.tgname, c.relname, CASE WHEN p.proname = 'risk_version_bump' THEN 'risk_version' ELSE 'data_version' END
				FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
				WHERE pg_table_is_visible(c.oid) AND t.tgname LIKE 'data_version_%'`
		}
		rows, err := db.Raw(q).Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen := map[string]bool{}
		for rows.Next() {
			var name, table, counter string
			if err := rows.Scan(&name, &table, &counter); err != nil {
				t.Fatal(err)
			}
			seen[table] = true
			want := "data_version"
			if slices.Contains(models.RiskTables, table) || name == "data_version_engagements_health" {
				want = "risk_version"
			}
			if counter != want {
				t.Errorf("a trigger on %s moves %s, want %s", table, counter, want)
			}
		}
		for _, table := range models.RiskTables {
			if !seen[table] {
				t.Errorf("risk table %s has no version trigger", table)
			}
		}
	})
}

// An update of an engagement's health columns alone (a risk's write refreshes
// them) moves the risk version and leaves the others' alone; an update of any
// other column of engagements moves the others' version: a column added to
// engagements without joining migration 35's list fails here.
func TestEngagementHealthMovesTheRiskVersion(t *testing.T) {
	t.Parallel()
	health := []string{"health", "health_reasons", "health_on"}
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) { engagementHealthVersions(t, dbtest.Demo(t, kind), health) })
	}
}

func engagementHealthVersions(t *testing.T, db *gorm.DB, health []string) {
	t.Helper()
	var e models.Engagement
	if err := db.Order("id").First(&e).Error; err != nil {
		t.Fatal(err)
	}
	cols, err := db.Migrator().ColumnTypes("engagements")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		col := c.Name()
		if col == "id" {
			continue
		}
		all, others := dbtest.DataVersions(t, db)
		if err := db.Exec("UPDATE engagements SET "+col+" = "+col+" WHERE id = ?", e.ID).Error; err != nil {
			t.Fatal(err)
		}
		allAfter, othersAfter := dbtest.DataVersions(t, db)
		if allAfter <= all {
			t.Errorf("an update of engagements.%s moved no version", col)
		}
		if isHealth := slices.Contains(health, col); isHealth && othersAfter != others {
			t.Errorf("an update of engagements.%s moved the others' version", col)
		} else if !isHealth && othersAfter <= others {
			t.Errorf("an update of engagements.%s left the others' version at %d: add it to migration 35's list", col, others)
		}
	}
	_, others := dbtest.DataVersions(t, db)
	if err := db.Exec("UPDATE engagements SET health = 'red', health_reasons = 'x', health_on = '2026-12-01' WHERE id = ?", e.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, after := dbtest.DataVersions(t, db); after != others {
		t.Errorf("a health refresh moved the others' version from %d to %d", others, after)
	}
}

// A transaction that writes several covered tables, and several rows of each,
// moves the version; one rolled back does not.
func TestDataVersionFollowsTransactions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		before := dbtest.DataVersion(t, db)
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, stmt := range []string{
				`INSERT INTO fx_rates (currency, month, rate) VALUES ('XDV', '2026-10-01', '1.5'), ('XDV', '2026-11-01', '1.5')`,
				`INSERT INTO settings (key, value) VALUES ('dv-test', '{}')`,
			} {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		committed := dbtest.DataVersion(t, db)
		if committed <= before {
			t.Fatalf("a committed transaction left the version at %d", before)
		}
		rollback := fmt.Errorf("roll back")
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`UPDATE fx_rates SET rate = '2' WHERE currency = 'XDV'`).Error; err != nil {
				return err
			}
			return rollback
		})
		if err != rollback {
			t.Fatalf("transaction: %v", err)
		}
		if v := dbtest.DataVersion(t, db); v != committed {
			t.Errorf("a rolled-back write moved the version from %d to %d", committed, v)
		}
	})
}

// On PostgreSQL two transactions writing at once each move the version without
// waiting for the other's counter row: the second commits while the first is
// still open (a lock wait would fail it at once), and the version counts both.
func TestDataVersionWritersDoNotQueue(t *testing.T) {
	t.Parallel()
	if dbtest.PostgresURL() == "" {
		t.Skip("PORTFOLIO_TEST_POSTGRES_URL is not set")
	}
	db := dbtest.Open(t, "postgres")
	other := dbtest.Reopen(t, db)
	before := dbtest.DataVersion(t, db)
	first := db.Begin()
	defer first.Rollback()
	if err := first.Exec(`INSERT INTO fx_rates (currency, month, rate) VALUES ('XDV', '2026-10-01', '1.5')`).Error; err != nil {
		t.Fatal(err)
	}
	err := other.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL lock_timeout = '1ms'").Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO fx_rates (currency, month, rate) VALUES ('XDV', '2026-11-01', '1.5')`).Error
	})
	if err != nil {
		t.Fatalf("a second writer waited for the first: %v", err)
	}
	if v := dbtest.DataVersion(t, db); v != before+1 {
		t.Errorf("after one of two writers committed the version is %d, want %d", v, before+1)
	}
	if err := first.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if v := dbtest.DataVersion(t, db); v != before+2 {
		t.Errorf("after both writers committed the version is %d, want %d", v, before+2)
	}
}

// When every counter row is held by open transactions, a writer moves the
// version on a row of its own backend's instead of waiting for one (a wait
// there, while it holds its own row locks, could deadlock).
func TestDataVersionWritersNeverWaitForACounterRow(t *testing.T) {
	t.Parallel()
	if dbtest.PostgresURL() == "" {
		t.Skip("PORTFOLIO_TEST_POSTGRES_URL is not set")
	}
	db := dbtest.Open(t, "postgres")
	other := dbtest.Reopen(t, db)
	before := dbtest.DataVersion(t, db)
	holder := db.Begin()
	defer holder.Rollback()
	if err := holder.Exec("SELECT shard FROM data_version FOR UPDATE").Error; err != nil {
		t.Fatal(err)
	}
	err := other.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL lock_timeout = '1ms'").Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO fx_rates (currency, month, rate) VALUES ('XDW', '2026-10-01', '1.5')`).Error
	})
	if err != nil {
		t.Fatalf("a writer waited for a counter row: %v", err)
	}
	if v := dbtest.DataVersion(t, db); v != before+1 {
		t.Errorf("the version is %d, want %d", v, before+1)
	}
}

// Migration 9 applies to a database an older release left full of data, and
// the version then moves with the app's own writers.
func TestDataVersionMigratesAnExistingPortfolio(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Empty(t, kind)
			if err := models.MigrateUpTo(ctx, db, 8); err != nil {
				t.Fatal(err)
			}
			if err := seed.Demo(ctx, db); err != nil {
				t.Fatal(err)
			}
			if err := models.RebuildAggregates(ctx, db); err != nil {
				t.Fatal(err)
			}
			applied, err := models.Migrate(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(applied, 9) {
				t.Fatalf("migrate applied %v, want 9 among them", applied)
			}
			before := dbtest.DataVersion(t, db)
			if before < 1 {
				t.Fatalf("a migrated database's version is %d, want at least 1", before)
			}
			s, err := models.LoadSettings(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if err := models.RefreshHealth(ctx, db, s, models.DateOf(dbtest.Now())); err != nil {
				t.Fatal(err)
			}
			if after := dbtest.DataVersion(t, db); after <= before {
				t.Errorf("a health refresh of the demo portfolio left the version at %d", before)
			}
		})
	}
}

// Requests share their reads of the data version (PostgreSQL), yet each sees
// every write committed before it asked: many requests at once after each of
// twenty commits all read at least the version that commit made.
func TestRequestDataVersionSeesEveryEarlierCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		versions := cache.New(func(ctx context.Context) (int64, int64, error) { return models.DataVersions(ctx, db) }, !models.IsSQLite(db), models.RiskTables...)
		var reads atomic.Int64
		if err := db.Callback().Row().After("gorm:row").Register("test:count_version_reads", func(d *gorm.DB) {
			if strings.Contains(d.Statement.SQL.String(), "data_version") {
				reads.Add(1)
			}
		}); err != nil {
			t.Fatal(err)
		}
		// Reads are under way all the while, so that commits land during them.
		stop := make(chan struct{})
		var busy sync.WaitGroup
		for range 4 {
			busy.Add(1)
			go func() {
				defer busy.Done()
				for {
					select {
					case <-stop:
						return
					default:
						_, _ = versions.Version(ctx)
					}
				}
			}()
		}
		defer func() { close(stop); busy.Wait() }()
		const rounds, requests = 20, 16
		for round := range rounds {
			month := fmt.Sprintf("2025-%02d-01", round%12+1)
			if err := db.Exec("INSERT INTO fx_rates (currency, month, rate) VALUES (?, ?, '1.5')", fmt.Sprintf("X%02d", round), month).Error; err != nil {
				t.Fatal(err)
			}
			want := dbtest.DataVersion(t, db)
			var wg sync.WaitGroup
			for range requests {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if v, err := versions.Version(ctx); err != nil || v.Data() < want {
						t.Errorf("round %d: version %v (%v), want at least %d, committed before the request", round, v, err, want)
					}
				}()
			}
			wg.Wait()
		}
		close(stop)
		busy.Wait()
		stop = make(chan struct{})
		// Without the background readers: twenty rounds of sixteen at once.
		reads.Store(0)
		for range rounds {
			var wg sync.WaitGroup
			for range requests {
				wg.Add(1)
				go func() { defer wg.Done(); _, _ = versions.Version(ctx) }()
			}
			wg.Wait()
		}
		if n := reads.Load(); !models.IsSQLite(db) && n >= rounds*requests {
			t.Errorf("%d reads of the version for %d requests: not shared", n, rounds*requests)
		}
	})
}

// A mitigation action's or a gate decision's write moves the data version
// (migration 16), as every other table's does.
func TestActionsAndGatesMoveTheVersion(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		for _, stmt := range []string{"UPDATE transfer_gates SET conditions = conditions", "UPDATE mitigation_actions SET action = action"} {
			before, err := models.DataVersion(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			res := db.Exec(stmt)
			if res.Error != nil || res.RowsAffected == 0 {
				t.Fatalf("%s: %v, %d rows (the demo has some)", stmt, res.Error, res.RowsAffected)
			}
			if after, _ := models.DataVersion(ctx, db); after == before {
				t.Errorf("%s left the data version at %d", stmt, before)
			}
		}
	})
}
