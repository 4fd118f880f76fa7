package register

// The register kept as it stood at the end of each of the last quarters
// (migration 12), so that the past is read, not replayed.
//
// A risk's state at the end of day d is its state in the nearest kept day S
// on or after d, with every change made between the two rolled back: the same
// rule as replaying from the live rows (risks_asat.go), with S in place of
// today. A snapshot keeps the columns the register filters, sorts and counts
// by; the texts (riskTextColumns) are read from the live row and rolled back
// through their own changes since d, which are few.
//
// A day is kept only once it has ended a day ago (snapshotMargin): every
// write from then on is dated after it, so its rows never change. Nothing but a seed
// writes history dated in the past, and a seed fills an empty database: no
// day is kept while the register is empty, and a seed forgets any kept.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// SnapshotQuarters is how many of the last ended quarters have their end kept.
const SnapshotQuarters = 8

// snapshotBatch is how many risks one statement of a snapshot writes, so
// that the app's writes queue behind one statement at most, not behind a day.
var snapshotBatch uint = 2500

// backgroundSnapshotBatch is snapshotBatch for the server's own snapshots
// (BuildRiskSnapshots with a yield): smaller, as each statement holds the
// writer (SQLite) and a core while it runs, and the server gives way to its
// requests only between two. Larger statements take less time in all.
var backgroundSnapshotBatch uint = 1000

// useSnapshots says whether the register as at a past day reads the kept
// days. A variable for the tests, which check that reading them changes nothing.
var useSnapshots = true

// riskTextColumns are the replay columns a snapshot does not hold. The
// partial index changes_risk_texts (migration 12) names the same list: the
// query must spell its condition alike for it to be used (a test checks).
var riskTextColumns = []string{"ref", "title", "description", "mitigation", "accept_justification"}

// isText reports whether a replay column is one of riskTextColumns.
func isText(col string) bool {
	for _, c := range riskTextColumns {
		if c == col {
			return true
		}
	}
	return false
}

// snapshotColumns are the replay columns a snapshot holds, in its table's order.
func snapshotColumns() []string {
	var out []string
	for _, c := range riskReplayColumns() {
		if !isText(c.name) {
			out = append(out, c.name)
		}
	}
	return out
}

// fieldList is cols as an SQL list of string literals.
func fieldList(cols []string) string {
	return "('" + strings.Join(cols, "', '") + "')"
}

// snapshotBase is the nearest kept day on or after d. Not found when there is
// none, and also when it cannot be read: the caller then replays from the
// live rows, which is slower and gives the same answer.
func snapshotBase(db *gorm.DB, d models.Date) (models.Date, bool) {
	if !useSnapshots {
		return models.Date{}, false
	}
	var days []models.Date
	err := db.Session(&gorm.Session{NewDB: true}).Table("risk_snapshot_days").Where("day >= ?", d).
		Order("day").Limit(1).Pluck("day", &days).Error
	if err != nil || len(days) == 0 {
		return models.Date{}, false
	}
	return days[0], true
}

// SnapshotDays lists the kept days, oldest first.
func SnapshotDays(ctx context.Context, db *gorm.DB) ([]models.Date, error) {
	var days []models.Date
	err := db.WithContext(ctx).Table("risk_snapshot_days").Order("day").Pluck("day", &days).Error
	return days, err
}

// snapshotMargin is how long after a day's end it is kept: a write dated
// that day must have committed by then, whichever instance's clock dated it.
// (The register kept in memory waits an hour, isPast: it is one process's,
// gone at its restart, and read a moment after the day. A kept day is in the
// database for good, read by every instance, and wanted only once the
// quarter's review begins: waiting a day costs nothing.)
const snapshotMargin = 24 * time.Hour

// snapshotWanted is the end of each of the last SnapshotQuarters quarters
// that ended snapshotMargin or more before now, newest first.
func snapshotWanted(fy models.Fiscal, now time.Time) []models.Date {
	var out []models.Date
	q := fy.QuarterOf(models.DateOf(now))
	for len(out) < SnapshotQuarters {
		if end := fy.End(q); !EndOfDay(end).Add(snapshotMargin).After(now) {
			out = append(out, end)
		}
		q = q.Prev()
	}
	return out
}

// BuildRiskSnapshots keeps the register as at the end of each of the last
// SnapshotQuarters ended quarters that is not kept yet, newest first, and
// returns the days it kept. Several app instances may run it at once: the rows of a day
// are the same whoever writes them, and a day is listed only once all are.
// It calls yield (nil: none) before each statement that writes, so the
// server's requests go first; a yield's error stops it, and the next run
// carries on where it stopped.
func BuildRiskSnapshots(ctx context.Context, db *gorm.DB, fy models.Fiscal, now time.Time, yield models.Yield) ([]models.Date, error) {
	db = db.WithContext(ctx)
	var risks int64
	if err := db.Model(&models.Risk{}).Count(&risks).Error; err != nil || risks == 0 {
		return nil, err // an empty register may be about to be seeded with its past
	}
	kept, err := SnapshotDays(ctx, db)
	if err != nil {
		return nil, err
	}
	var built []models.Date
	for _, day := range snapshotWanted(fy, now) {
		if containsDay(kept, day) {
			continue
		}
		if err := buildSnapshot(db, day, now, yield); err != nil {
			return built, fmt.Errorf("keeping the register as at %s: %w", day, err)
		}
		built = append(built, day)
	}
	return built, nil
}

func containsDay(days []models.Date, d models.Date) bool {
	for _, x := range days {
		if x.Equal(d.Time) {
			return true
		}
	}
	return false
}

// buildSnapshot writes the register as at the end of day, snapshotBatch risks
// a statement (backgroundSnapshotBatch with a yield), calling yield before
// each, then lists the day.
func buildSnapshot(db *gorm.DB, day models.Date, now time.Time, yield models.Yield) error {
	var top uint
	if err := db.Model(&models.Risk{}).Where("created_at < ?", EndOfDay(day)).Select("COALESCE(MAX(id), 0)").Scan(&top).Error; err != nil {
		return err
	}
	size := snapshotBatch
	if yield != nil {
		size = backgroundSnapshotBatch
	}
	for lo := uint(0); lo <= top; lo += size {
		if err := yield.Wait(db.Statement.Context); err != nil {
			return err
		}
		if err := writeSnapshotBatch(db, day, lo, lo+size); err != nil {
			return err
		}
	}
	var n int64
	if err := db.Table("risk_snapshots").Where("day = ?", day).Count(&n).Error; err != nil {
		return err
	}
	return db.Exec("INSERT INTO risk_snapshot_days (day, risks, built_at) VALUES (?, ?, ?) ON CONFLICT (day) DO NOTHING",
		day, n, now.UTC()).Error
}

// writeSnapshotBatch writes the kept rows of day for the risks with ids in
// [lo, hi). The rows of a day are the same whoever writes them and when: rows
// a stopped build or another instance wrote already are left as they are.
func writeSnapshotBatch(db *gorm.DB, day models.Date, lo, hi uint) error {
	cols := strings.Join(snapshotColumns(), ", ")
	// From the live rows: a batch's changes are then found by their risks' ids
	// (changes_entity), whatever the day. From a later kept day SQLite chose
	// the changes by date instead, every batch reading the whole quarter's.
	asAt, args := riskAsAtQuery(db, day, asAtScope{idFrom: lo, idTo: hi, live: true})
	return db.Exec(`INSERT INTO risk_snapshots (day, risk_id, `+cols+`)
SELECT ?, q.id, `+cols+` FROM (`+asAt+`) q WHERE true ON CONFLICT (day, risk_id) DO NOTHING`,
		append([]any{day}, args...)...).Error
}

// ForgetRiskSnapshots drops every kept day.
func ForgetRiskSnapshots(ctx context.Context, db *gorm.DB) error {
	return sqlstore.Write(ctx, db, forgetRiskSnapshots)
}

// forgetRiskSnapshots drops every kept day in transaction tx: a seed, which
// writes history dated in the past, calls it (on a schema older than
// migration 12 there is nothing to drop).
func forgetRiskSnapshots(tx *gorm.DB) error {
	if !tx.Migrator().HasTable("risk_snapshot_days") {
		return nil
	}
	if err := tx.Exec("DELETE FROM risk_snapshot_days").Error; err != nil {
		return err
	}
	return tx.Exec("DELETE FROM risk_snapshots").Error
}
