package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"
)

// testAnchor is a fixed anchor so the tests do not depend on the day they run.
var testAnchor = D(2026, time.November, 1)

// seedTestDB opens a migrated SQLite database in the test's temporary directory.
func seedTestDB(t testing.TB, name string) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	if _, err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// demoDB is a database holding the demo seed, shared by the tests of one run.
func demoDB(t *testing.T) *gorm.DB {
	t.Helper()
	db := seedTestDB(t, "demo")
	if err := SeedDemo(context.Background(), db, testAnchor); err != nil {
		t.Fatal(err)
	}
	return db
}

func count(t *testing.T, db *gorm.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSeedDemoContent(t *testing.T) {
	db := demoDB(t)
	a := testAnchor

	if n := count(t, db, "SELECT COUNT(*) FROM engagements"); n < 22 || n > 26 {
		t.Errorf("engagements = %d, want about 24", n)
	}
	for _, m := range []string{ModelITO, ModelBOT} {
		if count(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ?", m) == 0 {
			t.Errorf("no %s engagement", m)
		}
	}
	for _, p := range PhasesBOT {
		if count(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND phase = ?", ModelBOT, p) == 0 {
			t.Errorf("no BOT engagement in phase %s", p)
		}
	}
	for _, tw := range Towers {
		if count(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND tower = ?", ModelITO, tw) == 0 {
			t.Errorf("no ITO engagement in tower %s", tw)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM vendors"); n != 8 {
		t.Errorf("vendors = %d, want 8", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM vendors WHERE expertise BETWEEN 1 AND 5 AND track_record BETWEEN 1 AND 5 AND financial_stability BETWEEN 1 AND 5 AND cultural_fit BETWEEN 1 AND 5 AND security_posture BETWEEN 1 AND 5"); n != 8 {
		t.Errorf("vendors with a full scorecard = %d, want 8", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM risks"); n < 150 {
		t.Errorf("risks = %d, want >= 150", n)
	}
	for _, c := range RiskCategories {
		if count(t, db, "SELECT COUNT(*) FROM risks WHERE category = ?", c) == 0 {
			t.Errorf("no risk in category %s", c)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM risks WHERE engagement_id IS NULL"); n < 6 {
		t.Errorf("portfolio-wide risks = %d, want about 8", n)
	}
	for _, s := range RiskStatuses {
		if count(t, db, "SELECT COUNT(*) FROM risks WHERE status = ?", s) == 0 {
			t.Errorf("no risk with status %s", s)
		}
	}
	if count(t, db, "SELECT COUNT(*) FROM risks WHERE residual_score <> residual_likelihood * residual_impact OR inherent_score <> inherent_likelihood * inherent_impact OR residual_likelihood > inherent_likelihood OR residual_impact > inherent_impact") > 0 {
		t.Error("risk scores inconsistent with likelihood × impact, or residual above inherent")
	}
	if count(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed' AND residual_score >= 20") == 0 {
		t.Error("no live Critical risk")
	}
	open := count(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed'")
	overdue := count(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed' AND next_review < ?", a)
	if overdue == 0 || overdue*100/open > 20 {
		t.Errorf("overdue reviews = %d of %d live risks, want about 10 %%", overdue, open)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM risks WHERE status = 'closed' AND (closed_on IS NULL OR closed_reason = '')"); n > 0 {
		t.Errorf("%d closed risks without a close date or reason", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM risks WHERE status = 'accepted' AND (accepted_by = '' OR accept_justification = '' OR accept_expiry IS NULL)"); n > 0 {
		t.Errorf("%d accepted risks without acceptance details", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM lessons"); n < 40 {
		t.Errorf("lessons = %d, want >= 40", n)
	}
	for _, p := range LessonPhases {
		for _, o := range LessonOutcomes {
			if count(t, db, "SELECT COUNT(*) FROM lessons WHERE phase = ? AND outcome = ?", p, o) == 0 {
				t.Errorf("no lesson in phase %s that %s", p, o)
			}
		}
	}

	// Costs: at least nine quarters of months, all before the anchor, first of the month.
	var months []Date
	if err := db.Raw("SELECT DISTINCT month FROM cost_records ORDER BY month").Scan(&months).Error; err != nil {
		t.Fatal(err)
	}
	if len(months) < 27 {
		t.Errorf("cost records cover %d months, want >= 27", len(months))
	}
	for _, m := range months {
		if m.Day() != 1 || !m.Before(a) {
			t.Errorf("cost month %s is not a first of month before the anchor", m)
		}
	}
	// Every month with non-USD costs has a rate.
	if n := count(t, db, `SELECT COUNT(*) FROM cost_records c WHERE c.currency <> 'USD' AND NOT EXISTS
		(SELECT 1 FROM fx_rates f WHERE f.currency = c.currency AND f.month = c.month)`); n > 0 {
		t.Errorf("%d cost records without an FX rate", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM cost_records WHERE savings_type = ?", SavingsAvoidance); n == 0 {
		t.Error("no cost avoidance records")
	}
	// Measurements agree with Met and carry their engagement.
	var ms []struct {
		Actual, Target   int64
		Direction        string
		Met              bool
		EngagementID, SE uint
	}
	if err := db.Raw(`SELECT m.actual, s.target, s.direction, m.met, m.engagement_id, s.engagement_id AS se
		FROM sla_measurements m JOIN service_levels s ON s.id = m.service_level_id`).Scan(&ms).Error; err != nil {
		t.Fatal(err)
	}
	missed := 0
	for _, m := range ms {
		if Met(m.Actual, m.Target, m.Direction) != m.Met || m.EngagementID != m.SE {
			t.Fatalf("measurement inconsistent: %+v", m)
		}
		if !m.Met {
			missed++
		}
	}
	if len(ms) == 0 || missed == 0 {
		t.Errorf("measurements = %d, missed = %d", len(ms), missed)
	}

	// BOT readiness: the default areas, weights summing to 100.
	var bots []uint
	db.Raw("SELECT id FROM engagements WHERE model = ?", ModelBOT).Scan(&bots)
	for _, id := range bots {
		if w := count(t, db, "SELECT COALESCE(SUM(weight), 0) FROM readiness_items WHERE engagement_id = ?", id); w != 100 {
			t.Errorf("BOT engagement %d readiness weights = %d, want 100", id, w)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM engagements WHERE phase = 'Transferred' AND actual_transfer IS NOT NULL"); n == 0 {
		t.Error("no transferred BOT engagement with an actual transfer date")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND phase = 'Transfer' AND planned_transfer < ?", ModelBOT, a.AddDays(61)); n == 0 {
		t.Error("no BOT transfer due within 60 days")
	}
	// Milestones: some late, some key ones more than 30 days late, some due within 90 days.
	if n := count(t, db, "SELECT COUNT(*) FROM milestones WHERE actual IS NULL AND planned < ?", a); n == 0 {
		t.Error("no late milestone")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM milestones WHERE is_key AND actual IS NULL AND planned < ?", a.AddDays(-30)); n < 2 {
		t.Errorf("key milestones > 30 days late = %d, want 2", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM milestones WHERE actual IS NULL AND planned BETWEEN ? AND ?", a, a.AddDays(90)); n < 5 {
		t.Errorf("milestones due in the next 90 days = %d", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM milestones WHERE actual >= ?", a); n > 0 {
		t.Errorf("%d milestones done on or after the anchor", n)
	}
	// Governance: four quarters for long-running engagements, named like 2026-Q3.
	q := DefaultFiscal.LastComplete(a).String()
	if n := count(t, db, "SELECT COUNT(*) FROM governance_reviews WHERE quarter = ?", q); n < 15 {
		t.Errorf("reviews in %s = %d", q, n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM review_actions"); n == 0 {
		t.Error("no review actions")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM transfer_gates"); n == 0 {
		t.Error("no transfer gates")
	}
	// The main demo manager manages about five engagements; some are co-managed.
	if n := count(t, db, "SELECT COUNT(*) FROM engagements e JOIN users u ON u.id = e.manager_id WHERE u.email = ?", "manager@portfolio.example"); n < 4 || n > 6 {
		t.Errorf("manager@ manages %d engagements, want about 5", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM engagement_managers"); n == 0 {
		t.Error("no co-managed engagements")
	}
	// Health is left for the refresh.
	if n := count(t, db, "SELECT COUNT(*) FROM engagements WHERE health <> 'green' OR health_reasons <> ''"); n > 0 {
		t.Errorf("%d engagements with health set by the seed", n)
	}
}

func TestSeedDemoAccounts(t *testing.T) {
	db := demoDB(t)
	roles := map[string]bool{}
	for _, a := range DemoAccounts {
		if msg := CheckPassword(a.Password, a.Email); msg != "" {
			t.Errorf("%s: %s", a.Email, msg)
		}
		u, err := UserByEmail(context.Background(), db, a.Email)
		if err != nil || u == nil {
			t.Fatalf("%s: %v", a.Email, err)
		}
		if u.Role != a.Role || !PasswordMatches(u.PasswordHash, a.Password) {
			t.Errorf("%s: role %s, password matches %v", a.Email, u.Role, PasswordMatches(u.PasswordHash, a.Password))
		}
		roles[a.Role] = true
	}
	for _, r := range Roles {
		if !roles[r] {
			t.Errorf("no demo account with role %s", r)
		}
	}
}

// digest hashes the rows of a query in order.
func digest(t *testing.T, db *gorm.DB, q string) string {
	t.Helper()
	rows, err := db.Raw(q).Rows()
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	h := sha256.New()
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			h.Write(v)
			h.Write([]byte{0})
		}
		n++
	}
	return strconv.Itoa(n) + ":" + hex.EncodeToString(h.Sum(nil))
}

// digestQueries cover every table the seed fills (users without the salted hash).
var digestQueries = []string{
	"SELECT id, name, email, role, created_at FROM users ORDER BY id",
	"SELECT * FROM vendors ORDER BY id",
	"SELECT * FROM engagements ORDER BY id",
	"SELECT * FROM engagement_managers ORDER BY engagement_id, user_id",
	"SELECT * FROM phase_changes ORDER BY id",
	"SELECT * FROM cost_records ORDER BY id",
	"SELECT * FROM fx_rates ORDER BY id",
	"SELECT * FROM service_levels ORDER BY id",
	"SELECT * FROM sla_measurements ORDER BY id",
	"SELECT * FROM risks ORDER BY id",
	"SELECT * FROM changes ORDER BY id",
	"SELECT * FROM mitigation_actions ORDER BY id",
	"SELECT * FROM milestones ORDER BY id",
	"SELECT * FROM readiness_items ORDER BY id",
	"SELECT * FROM transfer_gates ORDER BY id",
	"SELECT * FROM governance_reviews ORDER BY id",
	"SELECT * FROM review_actions ORDER BY id",
	"SELECT * FROM lessons ORDER BY id",
}

func TestSeedDemoDeterministic(t *testing.T) {
	one, two := demoDB(t), demoDB(t)
	for _, q := range digestQueries {
		if a, b := digest(t, one, q), digest(t, two, q); a != b {
			t.Errorf("%s differs between two seeds: %s vs %s", q, a, b)
		}
	}
}

func TestSeedDemoRefusesNonEmpty(t *testing.T) {
	db := demoDB(t)
	if err := SeedDemo(context.Background(), db, testAnchor); err == nil {
		t.Fatal("SeedDemo seeded a database that already holds engagements")
	}
	if err := SeedScale(context.Background(), db, 10, testAnchor); err == nil {
		t.Fatal("SeedScale seeded a database that already holds engagements")
	}
}

// TestSeedRiskHistory replays every risk's changes from its create row and checks
// they arrive at the stored residual scores and status.
func TestSeedRiskHistory(t *testing.T) {
	db := demoDB(t)
	checkRiskHistory(t, db)
}

func checkRiskHistory(t *testing.T, db *gorm.DB) {
	t.Helper()
	var risks []Risk
	if err := db.Order("id").Find(&risks).Error; err != nil {
		t.Fatal(err)
	}
	var changes []Change
	if err := db.Where("entity = ?", "risk").Order("entity_id, at, id").Find(&changes).Error; err != nil {
		t.Fatal(err)
	}
	byRisk := map[uint][]Change{}
	for _, c := range changes {
		byRisk[c.EntityID] = append(byRisk[c.EntityID], c)
	}
	for _, r := range risks {
		cs := byRisk[r.ID]
		if len(cs) == 0 || cs[0].Action != "create" || !DateOf(cs[0].At).Time.Equal(r.RaisedOn.Time) {
			t.Fatalf("risk %s: history does not start with a create row on %s", r.Ref, r.RaisedOn)
		}
		// The state at creation: each field's first "old", or its current value.
		cur := map[string]string{
			"residual_likelihood": strconv.Itoa(r.ResidualLikelihood), "residual_impact": strconv.Itoa(r.ResidualImpact),
			"residual_score": strconv.Itoa(r.ResidualScore), "status": r.Status,
		}
		state := map[string]string{}
		for f, v := range cur {
			state[f] = v
		}
		seen := map[string]bool{}
		for _, c := range cs[1:] {
			if !seen[c.Field] {
				state[c.Field], seen[c.Field] = c.Old, true
			}
		}
		if state["status"] != StatusOpen {
			t.Errorf("risk %s created with status %s", r.Ref, state["status"])
		}
		var lastAt time.Time
		for _, c := range cs[1:] {
			if c.At.Before(lastAt) || !c.At.After(cs[0].At) {
				t.Errorf("risk %s: change %d out of order", r.Ref, c.ID)
			}
			lastAt = c.At
			if state[c.Field] != c.Old {
				t.Errorf("risk %s: change %d of %s from %q, but it was %q", r.Ref, c.ID, c.Field, c.Old, state[c.Field])
			}
			state[c.Field] = c.New
			l, _ := strconv.Atoi(state["residual_likelihood"])
			i, _ := strconv.Atoi(state["residual_impact"])
			if state["residual_score"] != strconv.Itoa(l*i) && c.Field == "residual_score" {
				t.Errorf("risk %s: score %s is not %d × %d", r.Ref, state["residual_score"], l, i)
			}
			if c.Field == "status" && c.New == StatusClosed && (c.Action != "close" || !DateOf(c.At).Time.Equal(r.ClosedOn.Time)) {
				t.Errorf("risk %s: closed by %s on %s, closed_on %s", r.Ref, c.Action, DateOf(c.At), r.ClosedOn)
			}
		}
		for f, v := range cur {
			if state[f] != v {
				t.Errorf("risk %s: replay gives %s = %s, stored %s", r.Ref, f, state[f], v)
			}
		}
	}
}

// TestSeedDemoMovement checks the last two quarters show new, escalated,
// de-escalated and closed risks.
func TestSeedDemoMovement(t *testing.T) {
	db := demoDB(t)
	since := DefaultFiscal.Start(DefaultFiscal.LastComplete(testAnchor).Prev())
	for what, q := range map[string]string{
		"new":          "SELECT COUNT(*) FROM risks WHERE raised_on >= ?",
		"closed":       "SELECT COUNT(*) FROM risks WHERE closed_on >= ?",
		"escalated":    "SELECT COUNT(*) FROM changes WHERE field = 'residual_score' AND CAST(new AS INTEGER) > CAST(old AS INTEGER) AND at >= ?",
		"de-escalated": "SELECT COUNT(*) FROM changes WHERE field = 'residual_score' AND CAST(new AS INTEGER) < CAST(old AS INTEGER) AND at >= ?",
	} {
		if n := count(t, db, q, since); n < 3 {
			t.Errorf("%s risks since %s = %d, want several", what, since, n)
		}
	}
}

func TestSeedScaleSmall(t *testing.T) {
	db := seedTestDB(t, "scale")
	start := time.Now()
	if err := SeedScale(context.Background(), db, 200, testAnchor); err != nil {
		t.Fatal(err)
	}
	t.Logf("SeedScale(200) took %s", time.Since(start))
	if n := count(t, db, "SELECT COUNT(*) FROM engagements"); n != 200 {
		t.Errorf("engagements = %d, want 200", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM risks WHERE engagement_id IS NOT NULL"); n != 5000 {
		t.Errorf("engagement risks = %d, want 5000", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM cost_records"); n < 200*100 {
		t.Errorf("cost records = %d, want about 102 per engagement", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sla_measurements"); n != 200*3*24 {
		t.Errorf("measurements = %d, want %d", n, 200*3*24)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM vendors"); n != 8 {
		t.Errorf("vendors = %d, want 8", n)
	}
	for _, a := range DemoAccounts {
		u, err := UserByEmail(context.Background(), db, a.Email)
		if err != nil || u == nil || !PasswordMatches(u.PasswordHash, a.Password) {
			t.Errorf("demo account %s cannot sign in", a.Email)
		}
	}
	var bots []uint
	db.Raw("SELECT id FROM engagements WHERE model = ?", ModelBOT).Scan(&bots)
	for _, id := range bots {
		if w := count(t, db, "SELECT COALESCE(SUM(weight), 0) FROM readiness_items WHERE engagement_id = ?", id); w != 100 {
			t.Fatalf("BOT engagement %d readiness weights = %d", id, w)
		}
	}
	checkRiskHistory(t, db)

	// Deterministic for (n, anchor).
	other := seedTestDB(t, "scale2")
	if err := SeedScale(context.Background(), other, 200, testAnchor); err != nil {
		t.Fatal(err)
	}
	for _, q := range digestQueries {
		if a, b := digest(t, db, q), digest(t, other, q); a != b {
			t.Errorf("%s differs between two scale seeds", q)
		}
	}
}

// TestSeedScaleTiming measures the full-size scale seed; it runs only with
// PORTFOLIO_SEED_TIMING=1 (and PORTFOLIO_SEED_N to change the size).
func TestSeedScaleTiming(t *testing.T) {
	if os.Getenv("PORTFOLIO_SEED_TIMING") != "1" {
		t.Skip("set PORTFOLIO_SEED_TIMING=1 to time SeedScale")
	}
	n := 10000
	if s := os.Getenv("PORTFOLIO_SEED_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	db := seedTestDB(t, "timing")
	start := time.Now()
	if err := SeedScale(context.Background(), db, n, testAnchor); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	for _, tbl := range seedTables {
		t.Logf("%-20s %9d", tbl, count(t, db, "SELECT COUNT(*) FROM "+tbl))
	}
	t.Logf("SeedScale(%d) on SQLite took %s", n, took)
	for k, v := range WriteTimes {
		t.Logf("write %-20s %s", k, v)
	}
	fmt.Fprintf(os.Stderr, "SeedScale(%d) on SQLite took %s\n", n, took)
}
