package register_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
	"portfolio/models/register"
)

// snapshotQuarter is the newest quarter whose end has a snapshot on the tests' day: the
// last complete one, once a day has passed since it ended (the builder's
// margin), else the one before.
func snapshotQuarter(fy models.Fiscal) models.Quarter {
	q := fy.LastComplete(dbtest.Today())
	if dbtest.Today() == fy.End(q).AddDays(1) {
		q = q.Prev()
	}
	return q
}

// asAtReads is everything the app reads of the register as at a day: the
// rows in order, the tally, the heat map, and the movement since an earlier day.
type asAtReads struct {
	Rows   []models.Risk
	Tally  register.RiskTally
	Heat   [5][5]int
	Moves  register.MovementReport
	Counts map[string]int
	Of     map[uint]register.RiskMove
}

func readAsAt(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, since, day models.Date, f register.RiskFilter, ids []uint) asAtReads {
	t.Helper()
	var r asAtReads
	var err error
	f.AsAt = day
	must := func(e error) {
		t.Helper()
		if e != nil {
			t.Fatalf("as at %s, %+v: %v", day, f, e)
		}
	}
	r.Rows, err = register.RegisterAsAt(ctx, db, s.Risk, day, f)
	must(err)
	r.Tally, err = register.TallyRisks(ctx, db, s.Risk, day, f)
	must(err)
	r.Heat, err = register.HeatCounts(ctx, db, "residual", f)
	must(err)
	r.Moves, err = register.Movement(ctx, db, since, day, f)
	must(err)
	r.Counts, err = register.MovementCounts(ctx, db, since, day, f)
	must(err)
	r.Of, err = register.MovesOf(ctx, db, since, day, f, ids)
	must(err)
	return r
}

// The register read from the snapshots of the quarter ends equals the register
// replayed from the live rows: on the demo portfolio, after a retitling, a
// rewording and a status change made since the snapshot days, for days on, just before,
// just after and between them, before the oldest, and close to today; for
// the whole register, an engagement, the portfolio-wide risks, a category, a
// band, a search and a sort by title; rows, tallies, heat maps, movement and
// badges. The quarterly review pack is the same both ways too.
func TestSnapshotRegisterEqualsTheReplay(t *testing.T) {
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var r models.Risk
		if err := db.Where("engagement_id IS NOT NULL AND status = ?", models.StatusOpen).Order("id").First(&r).Error; err != nil {
			t.Fatal(err)
		}
		act := models.Actor{At: dbtest.Now(), Settings: s}
		edit := r
		edit.Title, edit.Description = "Retitled after the quarter", "Reworded after the quarter"
		if _, err := models.UpdateRisk(ctx, db, act, &edit); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SetRiskStatus(ctx, db, act, r.ID, edit.Version, models.StatusMitigating); err != nil {
			t.Fatal(err)
		}

		defer register.SetSnapshotBatch(7)()
		days, err := register.BuildRiskSnapshots(ctx, db, s.Fiscal(), dbtest.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != register.SnapshotQuarters {
			t.Fatalf("snapshots %v, want %d quarter ends", days, register.SnapshotQuarters)
		}
		var ids []uint
		db.Model(&models.Risk{}).Order("id").Limit(40).Pluck("id", &ids)
		oldest := days[len(days)-1]
		looked := []models.Date{days[0], days[0].AddDays(-1), days[0].AddDays(1), days[1].AddDays(45), days[2], days[2].AddDays(-1),
			oldest, oldest.AddDays(1), oldest.AddDays(-40), today.AddDays(-2)}
		filters := []register.RiskFilter{{}, {Status: "all"}, {EngagementID: *r.EngagementID, Status: "all"}, {PortfolioWide: true},
			{Category: r.Category}, {Band: models.BandHigh}, {Q: "vendor"}, {Sort: "title", Dir: "desc", Status: "all"}}
		rows := 0
		for _, day := range looked {
			for _, replay := range []bool{false, true} {
				restore := register.SetRiskSnapshots(!replay)
				cells, err := register.ResidualAsAt(ctx, db, day)
				tally, terr := register.TallyRisks(ctx, db, s.Risk, today, register.RiskFilter{AsAt: day})
				restore()
				if err != nil || terr != nil {
					t.Fatal(err, terr)
				}
				if cells != tally.Residual {
					t.Errorf("as at %s (replayed %v): ResidualAsAt %v, the tally's residual map %v", day, replay, cells, tally.Residual)
				}
			}
			for _, f := range filters {
				since := day.AddDays(-92)
				snap := readAsAt(t, ctx, db, s, since, day, f, ids)
				restore := register.SetRiskSnapshots(false)
				replayed := readAsAt(t, ctx, db, s, since, day, f, ids)
				restore()
				rows += len(snap.Rows)
				if !reflect.DeepEqual(snap, replayed) {
					t.Errorf("as at %s, %+v: from snapshots %d rows %+v, %d moves %v; replayed %d rows %+v, %d moves %v", day, f,
						len(snap.Rows), snap.Tally, len(snap.Moves.Moves), snap.Counts, len(replayed.Rows), replayed.Tally, len(replayed.Moves.Moves), replayed.Counts)
				}
			}
		}
		if rows == 0 {
			t.Fatal("no rows in any register looked at: the comparison proves nothing")
		}
		q := s.Fiscal().QuarterOf(days[0])
		snap, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		restore := register.SetRiskSnapshots(false)
		replayed, err := pack.BuildPack(ctx, db, s, q, today)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(snap, replayed) {
			t.Errorf("%s pack differs: from snapshots %+v, replayed %+v", q, snap.Risks, replayed.Risks)
		}
	})
}

// The builder takes a snapshot of the end of each of the last quarters that
// ended a day ago, once: a second run takes nothing more, a quarter that ended
// less than a day ago waits, a day lists how many risks it holds, and an empty
// register takes nothing (a seed may be about to write its past). A seed
// forgets the snapshots.
func TestRiskSnapshotsAreTakenOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			fy := models.DefaultSettings().Fiscal()
			empty := dbtest.Empty(t, kind)
			if _, err := models.Migrate(ctx, empty); err != nil {
				t.Fatal(err)
			}
			if days, err := register.BuildRiskSnapshots(ctx, empty, fy, dbtest.Now(), nil); err != nil || len(days) != 0 {
				t.Fatalf("empty register: built %v (%v), want nothing", days, err)
			}

			db := dbtest.Demo(t, kind)
			q := snapshotQuarter(fy)
			justAfter := register.EndOfDay(fy.End(q)).Add(20 * time.Hour) // q ended 20 hours ago
			days, err := register.BuildRiskSnapshots(ctx, db, fy, justAfter, nil)
			if err != nil {
				t.Fatal(err)
			}
			oldest := q
			for range register.SnapshotQuarters {
				oldest = oldest.Prev()
			}
			if len(days) != register.SnapshotQuarters || days[0] != fy.End(q.Prev()) || days[len(days)-1] != fy.End(oldest) {
				t.Fatalf("20 hours after %s: built %v, want %s back to %s", q, days, fy.End(q.Prev()), fy.End(oldest))
			}
			days, err = register.BuildRiskSnapshots(ctx, db, fy, dbtest.Now(), nil)
			if err != nil || !reflect.DeepEqual(days, []models.Date{fy.End(q)}) {
				t.Fatalf("on %s: built %v (%v), want only %s more", dbtest.Now(), days, err, fy.End(q))
			}
			if days, err = register.BuildRiskSnapshots(ctx, db, fy, dbtest.Now(), nil); err != nil || len(days) != 0 {
				t.Fatalf("again: built %v (%v), want nothing", days, err)
			}
			var listed, held, existed int64
			day := fy.End(q.Prev())
			db.Table("risk_snapshot_days").Where("day = ?", day).Select("risks").Scan(&listed)
			db.Table("risk_snapshots").Where("day = ?", day).Count(&held)
			db.Model(&models.Risk{}).Where("created_at < ?", register.EndOfDay(day)).Count(&existed)
			if listed != existed || held != existed || existed == 0 {
				t.Errorf("%s: listed %d, held %d, risks then %d", day, listed, held, existed)
			}
			if err := register.ForgetRiskSnapshots(ctx, db); err != nil {
				t.Fatal(err)
			}
			if left, _ := register.SnapshotDays(ctx, db); len(left) != 0 {
				t.Errorf("after forgetting: %v", left)
			}
		})
	}
}

// Read from a snapshot, the texts' changes since the day are found through
// their partial index (changes_risk_texts), not among every change since: the
// query must spell the index's condition alike (SQLite's plan says so).
func TestSnapshotDayFindsTextChangesByTheirIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Demo(t, "sqlite")
	if _, err := register.BuildRiskSnapshots(ctx, db, models.DefaultSettings().Fiscal(), dbtest.Now(), nil); err != nil {
		t.Fatal(err)
	}
	fy := models.DefaultSettings().Fiscal()
	sql, args := register.AsAtQuery(db, fy.Start(snapshotQuarter(fy)).AddDays(45)) // mid-quarter: read from its end
	var plan []struct {
		ID, Parent, Notused int
		Detail              string
	}
	if err := db.Raw("EXPLAIN QUERY PLAN "+sql, args...).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range plan {
		lines = append(lines, p.Detail)
	}
	if got := strings.Join(lines, "\n"); !strings.Contains(got, "changes_risk_texts") || !strings.Contains(got, "SEARCH s USING PRIMARY KEY") {
		t.Errorf("the plan does not read the snapshot (s) and the texts' changes through their index:\n%s", got)
	}
}

// A snapshot holds exactly the replay's columns that are not long texts: a
// field added to the history (RiskHistoryFields) needs its column, or every
// past register would fail.
func TestSnapshotTableHoldsTheReplayColumns(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			types, err := db.Migrator().ColumnTypes("risk_snapshots")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range types {
				got = append(got, c.Name())
			}
			want := append([]string{"day", "risk_id"}, register.SnapshotColumns()...)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("risk_snapshots has %v, the replay reads %v", got, want)
			}
		})
	}
}

// A build stopped part way (or another instance's, under way) leaves rows of
// a day not yet listed: they are never read, and the next build completes
// the day around them.
func TestSnapshotBuildResumes(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		day := s.Fiscal().End(snapshotQuarter(s.Fiscal()))
		if err := register.WriteSnapshotBatch(ctx, db, day, 0, 40); err != nil {
			t.Fatal(err)
		}
		if listed, _ := register.SnapshotDays(ctx, db); len(listed) != 0 {
			t.Fatalf("a part-written day is listed: %v", listed)
		}
		f := register.RiskFilter{Status: "all"}
		replayed := readAsAt(t, ctx, db, s, day.AddDays(-92), day, f, nil)
		if _, err := register.BuildRiskSnapshots(ctx, db, s.Fiscal(), dbtest.Now(), nil); err != nil {
			t.Fatalf("completing the day: %v", err)
		}
		var held, existed int64
		db.Table("risk_snapshots").Where("day = ?", day).Count(&held)
		db.Model(&models.Risk{}).Where("created_at < ?", register.EndOfDay(day)).Count(&existed)
		if held != existed {
			t.Errorf("%s holds %d risks, %d existed", day, held, existed)
		}
		if snap := readAsAt(t, ctx, db, s, day.AddDays(-92), day, f, nil); !reflect.DeepEqual(snap, replayed) {
			t.Errorf("the completed day reads %d rows, the replay %d", len(snap.Rows), len(replayed.Rows))
		}
	})
}

// The server takes the quarter ends' snapshots in the background: it gives
// way between the statements (holding no transaction: a write goes through
// meanwhile), not only between the days. Told to stop, it lists no day it
// had not finished, and the next run takes them all.
func TestRiskSnapshotsGiveWayBetweenStatements(t *testing.T) {
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		defer register.SetSnapshotBatch(7)()
		stop := errors.New("the server is stopping")
		yields := 0
		days, err := register.BuildRiskSnapshots(ctx, db, s.Fiscal(), dbtest.Now(), func(context.Context) error {
			if yields++; yields == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || len(days) != 0 {
			t.Fatalf("stopped at the third yield: built %v (%v), want nothing (%v)", days, err, stop)
		}
		if taken, _ := register.SnapshotDays(ctx, db); len(taken) != 0 {
			t.Fatalf("stopped within the first day: %v listed", taken)
		}
		yields = 0
		days, err = register.BuildRiskSnapshots(ctx, db, s.Fiscal(), dbtest.Now(), func(ctx context.Context) error {
			yields++
			return db.WithContext(ctx).Exec("UPDATE settings SET key = key WHERE key = ''").Error
		})
		if err != nil || len(days) != register.SnapshotQuarters {
			t.Fatalf("built %v (%v), want %d quarter ends", days, err, register.SnapshotQuarters)
		}
		if yields <= len(days) {
			t.Errorf("gave way %d times taking %d days in batches of 7 risks: want several times a day", yields, len(days))
		}
	})
}
