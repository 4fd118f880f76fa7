package models

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZPackProf(t *testing.T) {
	ctx := context.Background()
	dsn := os.Getenv("ZZ_DSN")
	if dsn == "" {
		t.Skip()
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	s, _ := LoadSettings(ctx, db)
	t0 := time.Now()
	days, err := BuildRiskSnapshots(ctx, db, s.Fiscal(), time.Now())
	t.Logf("snapshots %v: %v %v", days, time.Since(t0), err)
	q := Quarter{Year: 2026, Q: 3}
	today := D(2026, 11, 22)
	f := s.Fiscal()
	end := f.End(q)
	t0 = time.Now()
	_, err = RegisterAsAt(ctx, db, s.Risk, end, RiskFilter{AsAt: end, PerPage: 50})
	t.Logf("register page as at: %v %v", time.Since(t0), err)
	t0 = time.Now()
	m, err := Movement(ctx, db, f.End(q.Prev()), end, RiskFilter{})
	t.Logf("movement: %v %d %v", time.Since(t0), len(m.Moves), err)
	pf, _ := os.Create("/tmp/pack.prof")
	pprof.StartCPUProfile(pf)
	t0 = time.Now()
	p, err := BuildPack(ctx, db, s, q, today)
	pprof.StopCPUProfile()
	t.Logf("pack: %v %d %v", time.Since(t0), len(p.Engagements), err)
}
