package register

import (
	"context"

	"gorm.io/gorm"

	"portfolio/models"
)

// SetPageEndsAbove makes a page by number seek from the page ends when it is
// more than n pages from either end, until the returned function restores it
// (compiled into tests only): 0 seeks every page but the first and the last.
func SetPageEndsAbove(n int) (restore func()) {
	old := pageEndsAbove
	pageEndsAbove = n
	return func() { pageEndsAbove = old }
}

// SetPageIDsUpTo caches the ids of a filter's order for pages by number when
// it has at most n matches, else its page ends, until the returned function
// restores it (compiled into tests only).
func SetPageIDsUpTo(n int64) (restore func()) {
	old := pageIDsUpTo
	pageIDsUpTo = n
	return func() { pageIDsUpTo = old }
}

// SetNarrowMovement turns the narrowing of movement reports to the risks that
// can have moved on or off, until the returned function restores it (compiled
// into tests only).
func SetNarrowMovement(on bool) (restore func()) {
	old := narrowMovement
	narrowMovement = on
	return func() { narrowMovement = old }
}

// OffsetPage is the ids of page f.Page (f.PerPage rows) read the plain way,
// ORDER BY and OFFSET (compiled into tests only): what every way of reaching a
// page must show.
func OffsetPage(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter) ([]uint, error) {
	var ids []uint
	err := f.ordered(db.WithContext(ctx), s, today, false).Select("risks.id").Pluck("risks.id", &ids).Error
	return ids, err
}

// SetRiskSnapshots turns the reading of the register's snapshots on or
// off, until the returned function restores it (compiled into tests only).
func SetRiskSnapshots(on bool) (restore func()) {
	old := useSnapshots
	useSnapshots = on
	return func() { useSnapshots = old }
}

// SetSnapshotBatch sets how many risks one statement of a snapshot writes,
// the server's own too, until the returned function restores both (compiled
// into tests only).
func SetSnapshotBatch(n uint) (restore func()) {
	old, oldBackground := snapshotBatch, backgroundSnapshotBatch
	snapshotBatch, backgroundSnapshotBatch = n, n
	return func() { snapshotBatch, backgroundSnapshotBatch = old, oldBackground }
}

// AsAtQuery is the SQL of the whole register as at the end of day d, and its
// arguments (compiled into tests only).
func AsAtQuery(db *gorm.DB, d models.Date) (string, []any) { return riskAsAtQuery(db, d, asAtScope{}) }

// WriteSnapshotBatch writes the snapshot rows of day for the risks with ids in
// [lo, hi), as a build stopped part way would have (compiled into tests only).
func WriteSnapshotBatch(ctx context.Context, db *gorm.DB, day models.Date, lo, hi uint) error {
	return writeSnapshotBatch(db.WithContext(ctx), day, lo, hi)
}

// SnapshotColumns are the replay columns a snapshot holds (compiled into tests only).
func SnapshotColumns() []string { return snapshotColumns() }

// SetExportChunk makes exports read n risks at a time, until the returned
// function restores it (compiled into tests only).
func SetExportChunk(n int) (restore func()) {
	old := exportChunk
	exportChunk = n
	return func() { exportChunk = old }
}
