package main

// The load harness's look at the past: snapshots of the register at the
// quarters' ends before measuring, and the last quarter's pages asked for once each.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/migrations"
	"portfolio/models/register"
	"portfolio/models/sqlstore"
)

// snapshotBeforeLoad migrates the database and takes the register's snapshots
// at the quarters' ends, as a server does in the background at its first start
// (register.BuildRiskSnapshots), so that the pages are measured as they serve
// from then on.
// It returns the portfolio's fiscal year.
func snapshotBeforeLoad(ctx context.Context, h *harness, stdout io.Writer) (models.Fiscal, error) {
	dsn := h.o.databaseURL
	if dsn == "" {
		dsn = sqlstore.SQLitePath(loadDataDir(h.o))
	}
	db, err := sqlstore.Open(ctx, dsn, h.clock.Now)
	if err != nil {
		return models.Fiscal{}, err
	}
	defer func() {
		// On SQLite the last connection's close folds the write-ahead log
		// into the file: the app then starts without reading it back.
		if err := sqlstore.Close(db); err != nil {
			fmt.Fprintln(os.Stderr, "portfolio-load: closing the database:", err)
		}
	}()
	// The schema is the app's to move: an app built before this harness (the
	// "before" of a comparison) reads its own schema, and the harness's later
	// migrations would change what it reads under it (migration 34 moves a
	// counter of the risks' writes such an app never reads: its cached pages
	// then never changed in the mixed run). So the app migrates first, and the
	// harness migrates and takes the snapshots only if the app is as new as it.
	if err := h.command(ctx, nil, "migrate").Run(); err != nil { // its errors on stderr
		return models.Fiscal{}, fmt.Errorf("the app's migrate: %w", err)
	}
	applied, err := models.AppliedMigrations(ctx, db)
	if err != nil {
		return models.Fiscal{}, err
	}
	all, err := migrations.All()
	if err != nil {
		return models.Fiscal{}, err
	}
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		return models.Fiscal{}, err
	}
	have, latest := 0, all[len(all)-1].Version
	if len(applied) > 0 {
		have = applied[len(applied)-1]
	}
	if have < latest {
		fmt.Fprintf(stdout, "The app's schema stops at migration %d, before this harness's %d: the app takes its own snapshots.\n", have, latest)
		return s.Fiscal(), nil
	}
	if _, err := models.Migrate(ctx, db); err != nil {
		return models.Fiscal{}, err
	}
	start := wallClock.Now()
	days, err := register.BuildRiskSnapshots(ctx, db, s.Fiscal(), models.NowOf(db), nil)
	if len(days) > 0 {
		fmt.Fprintf(stdout, "Took the register's snapshots at %d quarter ends in %s.\n", len(days), time.Since(start).Round(time.Millisecond))
	}
	return s.Fiscal(), err
}

// dropLastSnapshot drops the register's snapshot at the newest quarter end
// stored, for the start-up run's server to take again.
func dropLastSnapshot(ctx context.Context, h *harness) error {
	dsn := h.o.databaseURL
	if dsn == "" {
		dsn = sqlstore.SQLitePath(loadDataDir(h.o))
	}
	db, err := sqlstore.Open(ctx, dsn, h.clock.Now)
	if err != nil {
		return err
	}
	defer func() { _ = sqlstore.Close(db) }()
	days, err := register.SnapshotDays(ctx, db)
	if err != nil || len(days) == 0 {
		return err
	}
	last := days[len(days)-1]
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM risk_snapshot_days WHERE day = ?", last).Error; err != nil {
			return err
		}
		return tx.Exec("DELETE FROM risk_snapshots WHERE day = ?", last).Error
	})
}

// pastPages times, one request each, the pages of the last ended quarter:
// its review pack (built, then cached), the register as at its end, and the
// movement since the quarter before.
func pastPages(reader *loadClient, fy models.Fiscal, today models.Date) []loadResult {
	q := fy.LastComplete(today)
	end, prev := fy.End(q), fy.End(q.Prev())
	var out []loadResult
	for _, p := range []struct{ name, path string }{
		{"review pack, first view (built)", "/reviews/" + q.String()},
		{"review pack, again (cached)", "/reviews/" + q.String()},
		{"review pack, part 2 (cached)", "/reviews/" + q.String() + "?part=2"},
		{"register as at quarter end, first view", "/risks?as_at=" + end.String()},
		{"movement in the quarter, first view", "/risks?as_at=" + end.String() + "&since=" + prev.String()},
	} {
		t := wallClock.Now()
		r, err := reader.request(http.MethodGet, p.path, nil, false, http.StatusOK, decode)
		took := time.Since(t)
		out = append(out, loadResult{name: p.name, reqs: 1, errs: map[bool]int{true: 1}[err != nil], secs: took.Seconds(),
			lat: []time.Duration{took}, note: fmt.Sprintf("%s, %.0f KB (%.0f KB sent)", p.path, float64(len(r.body))/1e3, float64(r.wire)/1e3),
			target: "recorded", pass: verdict(err == nil)})
	}
	return out
}

// decompressed is a gzip body decompressed (nil if it is not gzip).
func decompressed(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(zr)
	return out
}
