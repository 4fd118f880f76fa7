package handlers_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/models/sqlstore"
)

// pgScale is one benchmark's scale portfolio on PostgreSQL, seeded once a run.
type pgScale struct {
	once sync.Once
	db   *gorm.DB
	err  error
}

var pgScales sync.Map // schema → *pgScale

// pgScaleDB is the scale portfolio on PostgreSQL in a schema of its own,
// replaced on each run and left for the next, as the SQLite benchmarks leave
// their directory: a schema per benchmark file, so that one that writes
// (bench_writes) moves no other's figures, and none piles up.
func pgScaleDB(b *testing.B, schema string) *gorm.DB {
	b.Helper()
	v, _ := pgScales.LoadOrStore(schema, &pgScale{})
	s := v.(*pgScale)
	s.once.Do(func() {
		start := time.Now()
		s.db, s.err = seedPGScale(context.Background(), schema)
		b.Logf("seeded scale %d on PostgreSQL (%s) in %s", benchScale(), schema, time.Since(start).Round(time.Millisecond))
	})
	if s.err != nil {
		b.Fatalf("postgres scale seed: %v", s.err)
	}
	return s.db
}

// seedPGScale replaces the schema and seeds the scale portfolio in it, with its
// aggregates and health as the scale seed command leaves them.
func seedPGScale(ctx context.Context, schema string) (*gorm.DB, error) {
	admin, err := sqlstore.Open(ctx, dbtest.PostgresURL(), dbtest.Clock().Now)
	if err != nil {
		return nil, err
	}
	defer func() {
		sqlstore.Close(admin)
	}()
	if err := admin.Exec(fmt.Sprintf("DROP SCHEMA IF EXISTS %s CASCADE", schema)).Error; err != nil {
		return nil, err
	}
	if err := admin.Exec(fmt.Sprintf("CREATE SCHEMA %s", schema)).Error; err != nil {
		return nil, err
	}
	u, err := url.Parse(dbtest.PostgresURL())
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sqlstore.Open(ctx, u.String(), dbtest.Clock().Now)
	if err != nil {
		return nil, err
	}
	if _, err := models.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if err := seed.Scale(ctx, db, benchScale()); err != nil {
		return nil, err
	}
	if err := models.RebuildAggregates(ctx, db); err != nil {
		return nil, err
	}
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := models.RefreshHealth(ctx, db, s, models.DateOf(dbtest.Now())); err != nil {
		return nil, err
	}
	return db, db.Exec("VACUUM ANALYZE").Error
}
