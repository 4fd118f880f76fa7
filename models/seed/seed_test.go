package seed_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
)

// The seed tests run on SQLite, and on PostgreSQL too when PORTFOLIO_TEST_POSTGRES_URL is set.

func seedAnchor() models.Date { return dbtest.Today().MonthStart() }

// seededDemo is a fresh database of a kind holding the demo seed (health not refreshed).
func seededDemo(t *testing.T, kind string) *gorm.DB {
	t.Helper()
	db := dbtest.Open(t, kind)
	if err := seed.Demo(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func seedCount(t *testing.T, db *gorm.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := seededDemo(t, kind)
			t.Run("content", func(t *testing.T) { checkDemoContent(t, db) })
			t.Run("money", func(t *testing.T) { checkDemoMoney(t, db) })
			t.Run("delivery", func(t *testing.T) { checkDemoDelivery(t, db) })
			t.Run("accounts", func(t *testing.T) { checkDemoAccounts(t, db) })
			t.Run("risk history", func(t *testing.T) { checkRiskHistory(t, db) })
			t.Run("movement", func(t *testing.T) { checkMovement(t, db) })
			t.Run("refuses a non-empty database", func(t *testing.T) {
				if err := seed.Demo(context.Background(), db); err == nil {
					t.Error("SeedDemo seeded a database that already holds engagements")
				}
				if err := seed.Scale(context.Background(), db, 10); err == nil {
					t.Error("SeedScale seeded a database that already holds engagements")
				}
			})
			// Last: it writes the health columns.
			t.Run("health", func(t *testing.T) { checkDemoHealth(t, db) })
		})
	}
}

func checkDemoContent(t *testing.T, db *gorm.DB) {
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements"); n < 22 || n > 26 {
		t.Errorf("engagements = %d, want about 24", n)
	}
	for _, p := range models.PhasesBOT {
		if seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND phase = ?", models.ModelBOT, p) == 0 {
			t.Errorf("no BOT engagement in phase %s", p)
		}
	}
	for _, p := range []string{"Transition", "Run", "Exit", "Ended"} {
		if seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND phase = ?", models.ModelITO, p) == 0 {
			t.Errorf("no ITO engagement in phase %s", p)
		}
	}
	for _, tw := range models.Towers {
		if seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND tower = ?", models.ModelITO, tw) == 0 {
			t.Errorf("no ITO engagement in tower %s", tw)
		}
	}
	for _, c := range []string{"USD", "EUR", "GBP", "INR"} {
		if seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE currency = ?", c) == 0 {
			t.Errorf("no engagement in %s", c)
		}
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM vendors"); n != 8 {
		t.Errorf("vendors = %d, want 8", n)
	}
	if n := seedCount(t, db, `SELECT COUNT(*) FROM vendors WHERE expertise BETWEEN 1 AND 5 AND track_record BETWEEN 1 AND 5
		AND financial_stability BETWEEN 1 AND 5 AND cultural_fit BETWEEN 1 AND 5 AND security_posture BETWEEN 1 AND 5`); n != 8 {
		t.Errorf("vendors with a full scorecard = %d, want 8", n)
	}
	// The main demo manager manages about five engagements; some are co-managed.
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements e JOIN users u ON u.id = e.manager_id WHERE u.email = ?", "manager@portfolio.example"); n < 4 || n > 6 {
		t.Errorf("manager@ manages %d engagements, want about 5", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagement_managers"); n == 0 {
		t.Error("no co-managed engagements")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM users WHERE role = ?", models.RoleManager); n < 8 {
		t.Errorf("managers = %d, want the demo managers and six more", n)
	}
	// Phase changes follow each engagement's lifecycle from its start.
	if n := seedCount(t, db, `SELECT COUNT(*) FROM engagements e WHERE e.phase <> 'Selection' AND NOT EXISTS
		(SELECT 1 FROM phase_changes p WHERE p.engagement_id = e.id AND p.to_phase = e.phase)`); n > 0 {
		t.Errorf("%d engagements without a phase change into their phase", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM phase_changes p JOIN engagements e ON e.id = p.engagement_id WHERE p.changed_on < e.start_date"); n > 0 {
		t.Errorf("%d phase changes before the engagement started", n)
	}

	// Risks: every category, every status, consistent scores, some live Critical ones.
	if n := seedCount(t, db, "SELECT COUNT(*) FROM risks"); n < 150 {
		t.Errorf("risks = %d, want >= 150", n)
	}
	for _, c := range models.RiskCategories {
		if seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE category = ?", c) == 0 {
			t.Errorf("no risk in category %s", c)
		}
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE engagement_id IS NULL"); n < 6 || n > 10 {
		t.Errorf("portfolio-wide risks = %d, want about 8", n)
	}
	for _, s := range models.RiskStatuses {
		if seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status = ?", s) == 0 {
			t.Errorf("no risk with status %s", s)
		}
	}
	if n := seedCount(t, db, `SELECT COUNT(*) FROM risks WHERE residual_score <> residual_likelihood * residual_impact
		OR inherent_score <> inherent_likelihood * inherent_impact
		OR residual_likelihood > inherent_likelihood OR residual_impact > inherent_impact`); n > 0 {
		t.Errorf("%d risks with scores inconsistent with likelihood × impact, or residual above inherent", n)
	}
	if seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed' AND residual_score >= 20") < 2 {
		t.Error("want a few live Critical risks")
	}
	live := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed'")
	overdue := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed' AND next_review < ?", seedAnchor())
	if overdue == 0 || overdue*100/live > 20 {
		t.Errorf("overdue reviews = %d of %d live risks, want about 10 %%", overdue, live)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status <> 'closed' AND next_review IS NULL"); n > 0 {
		t.Errorf("%d live risks without a next review date", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status = 'closed' AND (closed_on IS NULL OR closed_reason = '')"); n > 0 {
		t.Errorf("%d closed risks without a close date or reason", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE status = 'accepted' AND (accepted_by = '' OR accept_justification = '' OR accept_expiry IS NULL)"); n > 0 {
		t.Errorf("%d accepted risks without acceptance details", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE raised_on >= ? OR closed_on >= ?", seedAnchor(), seedAnchor()); n > 0 {
		t.Errorf("%d risks raised or closed on or after the anchor", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM mitigation_actions"); n < 100 {
		t.Errorf("mitigation actions = %d", n)
	}

	// Lessons: every phase with both outcomes, some tied to engagements and risks.
	if n := seedCount(t, db, "SELECT COUNT(*) FROM lessons"); n < 40 {
		t.Errorf("lessons = %d, want >= 40", n)
	}
	for _, p := range models.LessonPhases {
		for _, o := range models.LessonOutcomes {
			if seedCount(t, db, "SELECT COUNT(*) FROM lessons WHERE phase = ? AND outcome = ?", p, o) == 0 {
				t.Errorf("no lesson in phase %s that %s", p, o)
			}
		}
	}
	if seedCount(t, db, "SELECT COUNT(*) FROM lessons WHERE risk_id IS NOT NULL") == 0 || seedCount(t, db, "SELECT COUNT(*) FROM lessons WHERE engagement_id IS NULL") == 0 {
		t.Error("want lessons tied to risks and portfolio lessons")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM lessons WHERE learned_on >= ?", seedAnchor()); n > 0 {
		t.Errorf("%d lessons learned on or after the anchor", n)
	}
}

func checkDemoMoney(t *testing.T, db *gorm.DB) {
	// At least nine quarters of months, all before the anchor, on the first of the month.
	var months []models.Date
	if err := db.Raw("SELECT DISTINCT month FROM cost_records ORDER BY month").Scan(&months).Error; err != nil {
		t.Fatal(err)
	}
	if len(months) < 27 {
		t.Errorf("cost records cover %d months, want >= 27", len(months))
	}
	for _, m := range months {
		if m.Day() != 1 || !m.Before(seedAnchor()) {
			t.Errorf("cost month %s is not a first of month before the anchor", m)
		}
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM cost_records c JOIN engagements e ON e.id = c.engagement_id WHERE c.currency <> e.currency"); n > 0 {
		t.Errorf("%d cost records not in their engagement's currency", n)
	}
	if n := seedCount(t, db, `SELECT COUNT(*) FROM cost_records c WHERE c.currency <> 'USD' AND NOT EXISTS
		(SELECT 1 FROM fx_rates f WHERE f.currency = c.currency AND f.month = c.month)`); n > 0 {
		t.Errorf("%d cost records without an FX rate", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM cost_records WHERE savings_type = ?", models.SavingsAvoidance); n == 0 {
		t.Error("no cost avoidance records")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM cost_records WHERE credits > 0"); n == 0 {
		t.Error("no service credits")
	}
	// Measurements agree with Met and carry their service level's engagement.
	var ms []struct {
		Actual, Target int64
		Direction      string
		Met            bool
		EngagementID   uint
		SLE            uint
	}
	if err := db.Raw(`SELECT m.actual, s.target, s.direction, m.met, m.engagement_id, s.engagement_id AS sle
		FROM sla_measurements m JOIN service_levels s ON s.id = m.service_level_id`).Scan(&ms).Error; err != nil {
		t.Fatal(err)
	}
	missed := 0
	for _, m := range ms {
		if models.Met(m.Actual, m.Target, m.Direction) != m.Met || m.EngagementID != m.SLE {
			t.Fatalf("measurement inconsistent: %+v", m)
		}
		if !m.Met {
			missed++
		}
	}
	if len(ms) < 1000 || missed == 0 {
		t.Errorf("measurements = %d, missed = %d", len(ms), missed)
	}
	if n := seedCount(t, db, `SELECT COUNT(*) FROM sla_measurements m WHERE NOT EXISTS
		(SELECT 1 FROM cost_records c WHERE c.engagement_id = m.engagement_id AND c.month = m.month)`); n > 0 {
		t.Errorf("%d measurements in months without costs", n)
	}
}

func checkDemoDelivery(t *testing.T, db *gorm.DB) {
	// ITO exit readiness: each running or exiting contract has the six exit
	// areas weighing 100 (those in selection or ended none, a BOT programme
	// never); the exit decided (ITO-ADM-03) is well advanced, the others
	// have at most their exit plan and a little more.
	var itos []models.Engagement
	db.Where("model = ? AND closed_on IS NULL AND phase <> 'Selection'", models.ModelITO).Find(&itos)
	for _, e := range itos {
		items, err := models.ListExitItems(context.Background(), db, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		pct, ok := models.ExitReadiness(items)
		switch {
		case len(items) != 6 || !ok:
			t.Errorf("%s has %d exit items", e.Code, len(items))
		case e.Code == "ITO-ADM-03" && pct != 82.5:
			t.Errorf("%s, whose exit is decided, is %.1f %% ready to exit, want 82.5 %%", e.Code, pct)
		case e.Code != "ITO-ADM-03" && pct > 30:
			t.Errorf("%s is %.1f %% ready to exit: only the exit decided is advanced", e.Code, pct)
		}
	}
	if len(itos) < 10 {
		t.Errorf("%d running or exiting ITO contracts", len(itos))
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM exit_readiness_items x JOIN engagements e ON e.id = x.engagement_id WHERE e.model <> ? OR e.closed_on IS NOT NULL", models.ModelITO); n > 0 {
		t.Errorf("%d exit items on BOT programmes or closed contracts", n)
	}
	// BOT readiness: the default areas, weights summing to 100.
	var bots []uint
	db.Raw("SELECT id FROM engagements WHERE model = ?", models.ModelBOT).Scan(&bots)
	for _, id := range bots {
		if w := seedCount(t, db, "SELECT COALESCE(SUM(weight), 0) FROM readiness_items WHERE engagement_id = ?", id); w != 100 {
			t.Errorf("BOT engagement %d readiness weights = %d, want 100", id, w)
		}
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE phase = 'Transferred' AND actual_transfer IS NOT NULL"); n == 0 {
		t.Error("no transferred BOT engagement with an actual transfer date")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE phase = 'Transferred' AND EXISTS (SELECT 1 FROM readiness_items r WHERE r.engagement_id = engagements.id AND r.status <> ?)", models.ReadinessDone); n > 0 {
		t.Error("a transferred engagement has readiness items not done")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ? AND phase = 'Transfer' AND planned_transfer BETWEEN ? AND ?", models.ModelBOT, seedAnchor(), seedAnchor().AddDays(60)); n < 2 {
		t.Errorf("BOT transfers due within 60 days = %d, want 2", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM transfer_gates"); n == 0 {
		t.Error("no transfer gates")
	}
	// Milestones: some late, two key ones more than 30 days late, some due within 90 days, none done in the future.
	if n := seedCount(t, db, "SELECT COUNT(*) FROM milestones WHERE actual IS NULL AND planned < ?", seedAnchor()); n == 0 {
		t.Error("no late milestone")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM milestones WHERE is_key AND actual IS NULL AND planned < ?", seedAnchor().AddDays(-30)); n < 2 {
		t.Errorf("key milestones > 30 days late = %d, want 2", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM milestones WHERE actual IS NULL AND planned BETWEEN ? AND ?", seedAnchor(), seedAnchor().AddDays(90)); n < 5 {
		t.Errorf("milestones due in the next 90 days = %d", n)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM milestones WHERE actual >= ?", seedAnchor()); n > 0 {
		t.Errorf("%d milestones done on or after the anchor", n)
	}
	// Governance: the last complete quarter reviewed for the running engagements.
	q := models.DefaultFiscal.LastComplete(seedAnchor()).String()
	if n := seedCount(t, db, "SELECT COUNT(*) FROM governance_reviews WHERE quarter = ?", q); n < 15 {
		t.Errorf("reviews in %s = %d", q, n)
	}
	for _, r := range []string{models.Red, models.Amber, models.Green} {
		if seedCount(t, db, "SELECT COUNT(*) FROM governance_reviews WHERE rating = ?", r) == 0 {
			t.Errorf("no review rated %s", r)
		}
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM review_actions WHERE status = 'open'"); n == 0 {
		t.Error("no open review actions")
	}
	// Governance meetings: a steering committee each quarter, service reviews, a QBR; some actions overdue, some dropped.
	f := models.DefaultFiscal
	last := f.LastComplete(seedAnchor())
	for _, k := range models.MeetingKinds {
		if n := seedCount(t, db, "SELECT COUNT(*) FROM governance_meetings WHERE kind = ? AND held_on BETWEEN ? AND ?", k, f.Start(last), f.End(last)); n == 0 {
			t.Errorf("no %s in %s", k, last)
		}
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM governance_meetings WHERE kind = ? AND held_on BETWEEN ? AND ?", models.MeetingSteering,
		f.Start(last.Prev().Prev().Prev()), f.End(last)); n < 60 {
		t.Errorf("%d steering committees in the last four quarters", n)
	}
	overdue := seedCount(t, db, "SELECT COUNT(*) FROM meeting_actions WHERE status = 'open' AND due < ?", dbtest.Today())
	if open := seedCount(t, db, "SELECT COUNT(*) FROM meeting_actions WHERE status = 'open'"); overdue == 0 || overdue*2 > open {
		t.Errorf("%d actions overdue of %d open: want a few", overdue, open)
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM meeting_actions WHERE status = 'dropped' AND dropped_reason <> ''"); n == 0 {
		t.Error("no action dropped with a reason")
	}
	if n := seedCount(t, db, "SELECT COUNT(*) FROM governance_meetings WHERE held_on >= ?", dbtest.Today()); n > 0 {
		t.Errorf("%d meetings held today or later", n)
	}
}

func checkDemoAccounts(t *testing.T, db *gorm.DB) {
	roles := map[string]bool{}
	for _, a := range seed.DemoAccounts {
		if msg := models.CheckPassword(a.Password, a.Email); msg != "" {
			t.Errorf("%s: %s", a.Email, msg)
		}
		u, err := models.UserByEmail(context.Background(), db, a.Email)
		if err != nil || u == nil {
			t.Fatalf("%s: %v", a.Email, err)
		}
		if u.Role != a.Role || !models.PasswordMatches(u.PasswordHash, a.Password) {
			t.Errorf("%s: role %s, password matches %v", a.Email, u.Role, models.PasswordMatches(u.PasswordHash, a.Password))
		}
		roles[a.Role] = true
	}
	for _, r := range models.Roles {
		if !roles[r] {
			t.Errorf("no demo account with role %s", r)
		}
	}
}

// checkDemoHealth refreshes health as the app does and expects every colour,
// each with its reasons.
func checkDemoHealth(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE health <> 'green' OR health_reasons <> ''"); n > 0 {
		t.Errorf("%d engagements with health set by the seed", n)
	}
	if err := models.RefreshHealth(ctx, db, models.DefaultSettings(), models.DateOf(dbtest.Now())); err != nil {
		t.Fatal(err)
	}
	var rows []struct{ Code, Health, HealthReasons string }
	db.Raw("SELECT code, health, health_reasons FROM engagements ORDER BY id").Scan(&rows)
	n := map[string]int{}
	for _, r := range rows {
		n[r.Health]++
		t.Logf("%-11s %-5s %q", r.Code, r.Health, r.HealthReasons)
	}
	for _, c := range []string{models.Red, models.Amber, models.Green} {
		if n[c] < 4 {
			t.Errorf("%d engagements %s, want a good few of each colour", n[c], c)
		}
	}
}

// digest hashes the rows of a query in order.
func seedDigest(t *testing.T, db *gorm.DB, q string) string {
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
	return strconv.Itoa(n) + " rows " + hex.EncodeToString(h.Sum(nil))[:16]
}

// seededTables are the tables the seeds fill; users are digested without the salted hash.
var seededTables = []string{"vendors", "engagements", "phase_changes", "cost_records", "fx_rates", "service_levels",
	"sla_measurements", "risks", "changes", "mitigation_actions", "milestones", "readiness_items", "transfer_gates",
	"governance_reviews", "review_actions", "lessons", "governance_meetings", "meeting_actions"}

func digestQueries() []string {
	qs := []string{"SELECT id, name, email, role, created_at FROM users ORDER BY id",
		"SELECT * FROM engagement_managers ORDER BY engagement_id, user_id"}
	for _, tbl := range seededTables {
		qs = append(qs, "SELECT * FROM "+tbl+" ORDER BY id")
	}
	return qs
}

func seedSameData(t *testing.T, one, two *gorm.DB) {
	t.Helper()
	for _, q := range digestQueries() {
		if a, b := seedDigest(t, one, q), seedDigest(t, two, q); a != b {
			t.Errorf("%s differs between two seeds: %s vs %s", q, a, b)
		}
	}
}

// Two demo seeds at the same instant write the same rows. (At two instants
// they differ only in the stamps of records the seed's plans date after now.)
func TestSeedDemoDeterministic(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		kind := "sqlite"
		if !models.IsSQLite(db) {
			kind = "postgres"
		}
		other := dbtest.Open(t, kind)
		for _, d := range []*gorm.DB{db, other} {
			if err := seed.Demo(context.Background(), dbtest.Still(d)); err != nil {
				t.Fatal(err)
			}
		}
		seedSameData(t, db, other)
	})
}

// The demo seed writes nothing in the future of its clock: no moment after
// now (a first run early in a month used to stamp last month's costs days
// ahead), and nothing done, raised, closed, learned or decided after today.
func TestSeedWritesNothingInItsFuture(t *testing.T) {
	t.Parallel()
	moments := []string{"created_at", "updated_at", "at"}
	days := []string{"raised_on", "closed_on", "learned_on", "decided_on", "changed_on", "held_on", "actual", "accepted_on"}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := seed.Demo(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		now := models.NowOf(db)
		today := models.DateOf(now)
		var cols []struct{ Tbl, Col, Typ string }
		q := `SELECT m.name AS tbl, p.name AS col, p.type AS typ FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
		if !models.IsSQLite(db) {
			q = `SELECT table_name AS tbl, column_name AS col, data_type AS typ FROM information_schema.columns WHERE table_schema = current_schema()`
		}
		must(t, db.Raw(q).Scan(&cols).Error)
		checked := 0
		for _, c := range cols {
			tbl, name, typ := c.Tbl, c.Col, strings.ToLower(c.Typ)
			if !strings.Contains(typ, "date") && !strings.Contains(typ, "time") {
				continue // e.g. a measurement's actual value
			}
			switch {
			case slices.Contains(moments, name):
				var last []time.Time
				must(t, db.Raw("SELECT "+name+" FROM "+tbl+" WHERE "+name+" IS NOT NULL ORDER BY "+name+" DESC LIMIT 1").Scan(&last).Error)
				if len(last) > 0 && last[0].After(now) {
					t.Errorf("%s.%s: %s is after the seed's now %s", tbl, name, last[0].UTC(), now)
				}
			case slices.Contains(days, name):
				var last []models.Date
				must(t, db.Raw("SELECT "+name+" FROM "+tbl+" WHERE "+name+" IS NOT NULL ORDER BY "+name+" DESC LIMIT 1").Scan(&last).Error)
				if len(last) > 0 && last[0].After(today) {
					t.Errorf("%s.%s: %s is after the seed's today %s", tbl, name, last[0], today)
				}
			default:
				continue
			}
			checked++
		}
		if checked < 20 {
			t.Errorf("checked %d columns: the walk over the tables found too few to prove anything", checked)
		}
	})
}

// checkRiskHistory replays every risk's changes from its creation and checks
// they arrive at the stored row: scores, status, review date, close and acceptance.
func checkRiskHistory(t *testing.T, db *gorm.DB) {
	t.Helper()
	var risks []models.Risk
	if err := db.Order("id").Find(&risks).Error; err != nil {
		t.Fatal(err)
	}
	var changes []models.Change
	if err := db.Where("entity = ?", "risk").Order("entity_id, at, id").Find(&changes).Error; err != nil {
		t.Fatal(err)
	}
	byRisk := map[uint][]models.Change{}
	for _, c := range changes {
		byRisk[c.EntityID] = append(byRisk[c.EntityID], c)
	}
	fields := []string{"residual_likelihood", "residual_impact", "residual_score", "status", "response", "next_review",
		"closed_on", "closed_reason", "accepted_by", "accept_justification", "accept_expiry"}
	for _, r := range risks {
		cs := byRisk[r.ID]
		if len(cs) == 0 || cs[0].Action != "create" || cs[0].Field != "" || !models.DateOf(cs[0].At).Equal(r.RaisedOn.Time) {
			t.Fatalf("risk %s: history does not start with a create row on %s", r.Ref, r.RaisedOn)
		}
		current := map[string]string{
			"residual_likelihood": strconv.Itoa(r.ResidualLikelihood), "residual_impact": strconv.Itoa(r.ResidualImpact),
			"residual_score": strconv.Itoa(r.ResidualScore), "status": r.Status, "response": r.Response,
			"next_review": r.NextReview.String(), "closed_on": r.ClosedOn.String(), "closed_reason": r.ClosedReason,
			"accepted_by": r.AcceptedBy, "accept_justification": r.AcceptJustification, "accept_expiry": r.AcceptExpiry.String(),
		}
		// The state at creation: the create row's value of a field, else the first
		// change's old value, else (never changed) the current value.
		created, firstOld := map[string]string{}, map[string]string{}
		var updates []models.Change
		for _, c := range cs[1:] {
			if c.Action == "create" {
				if !c.At.Equal(cs[0].At) {
					t.Errorf("risk %s: create row %d at %s", r.Ref, c.ID, c.At)
				}
				created[c.Field] = c.New
				continue
			}
			updates = append(updates, c)
			if _, ok := firstOld[c.Field]; !ok {
				firstOld[c.Field] = c.Old
			}
		}
		state := map[string]string{}
		for _, f := range fields {
			v, fromCreate := created[f]
			old, changed := firstOld[f]
			switch {
			case fromCreate && changed && v != old:
				t.Errorf("risk %s: created with %s = %q, but its first change starts from %q", r.Ref, f, v, old)
			case !fromCreate && changed && len(created) > 0 && old != "":
				t.Errorf("risk %s: %s empty at creation, but its first change starts from %q", r.Ref, f, old)
			}
			switch {
			case fromCreate:
				state[f] = v
			case changed:
				state[f] = old
			default:
				state[f] = current[f]
			}
		}
		if state["status"] != models.StatusOpen {
			t.Errorf("risk %s created with status %s", r.Ref, state["status"])
		}
		last := cs[0].At
		for _, c := range updates {
			if !c.At.After(cs[0].At) || c.At.Before(last) {
				t.Errorf("risk %s: change %d out of order", r.Ref, c.ID)
			}
			last = c.At
			if _, ok := state[c.Field]; ok && state[c.Field] != c.Old {
				t.Errorf("risk %s: change %d of %s from %q, but it was %q", r.Ref, c.ID, c.Field, c.Old, state[c.Field])
			}
			state[c.Field] = c.New
			if c.Field == "residual_score" {
				l, _ := strconv.Atoi(state["residual_likelihood"])
				i, _ := strconv.Atoi(state["residual_impact"])
				if state["residual_score"] != strconv.Itoa(l*i) {
					t.Errorf("risk %s: score %s is not %d × %d", r.Ref, state["residual_score"], l, i)
				}
			}
			if c.Field == "status" && c.New == models.StatusClosed && (c.Action != "close" || !models.DateOf(c.At).Equal(r.ClosedOn.Time)) {
				t.Errorf("risk %s: closed by %q on %s, closed_on %s", r.Ref, c.Action, models.DateOf(c.At), r.ClosedOn)
			}
		}
		for _, f := range fields {
			if state[f] != current[f] {
				t.Errorf("risk %s: replay gives %s = %q, stored %q", r.Ref, f, state[f], current[f])
			}
		}
		if r.Version != 1+countUpdateWrites(updates) {
			t.Errorf("risk %s: version %d after %d writes", r.Ref, r.Version, countUpdateWrites(updates))
		}
	}
}

// countUpdateWrites counts the writes (distinct instants) among changes.
func countUpdateWrites(cs []models.Change) int {
	n := 0
	for i, c := range cs {
		if i == 0 || !c.At.Equal(cs[i-1].At) {
			n++
		}
	}
	return n
}

// checkMovement expects new, escalated, de-escalated and closed risks in the last two quarters.
func checkMovement(t *testing.T, db *gorm.DB) {
	since := models.DefaultFiscal.Start(models.DefaultFiscal.LastComplete(seedAnchor()).Prev())
	moved := map[string]int64{
		"new":    seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE raised_on >= ?", since),
		"closed": seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE closed_on >= ?", since),
	}
	var scores []models.Change
	if err := db.Where("entity = 'risk' AND action = 'update' AND field = 'residual_score' AND at >= ?", since.Time).Find(&scores).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range scores {
		o, _ := strconv.Atoi(c.Old)
		n, _ := strconv.Atoi(c.New)
		if n > o {
			moved["escalated"]++
		} else {
			moved["de-escalated"]++
		}
	}
	for _, what := range []string{"new", "closed", "escalated", "de-escalated"} {
		if moved[what] < 3 {
			t.Errorf("%s risks since %s = %d, want several", what, since, moved[what])
		}
	}
}

func TestSeedScaleSmall(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := seed.Scale(ctx, dbtest.Still(db), 200); err != nil {
			t.Fatal(err)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements"); n != 200 {
			t.Errorf("engagements = %d, want 200", n)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM risks WHERE engagement_id IS NOT NULL"); n != 5000 {
			t.Errorf("engagement risks = %d, want 5000", n)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM cost_records"); n < 200*100 {
			t.Errorf("cost records = %d, want about 102 per engagement", n)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM sla_measurements"); n != 200*3*24 {
			t.Errorf("measurements = %d, want %d", n, 200*3*24)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM milestones"); n != 200*6 {
			t.Errorf("milestones = %d, want %d", n, 200*6)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM vendors"); n != 8 {
			t.Errorf("vendors = %d, want 8", n)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM lessons"); n != 200 {
			t.Errorf("lessons = %d, want 200", n)
		}
		perRisk := float64(seedCount(t, db, "SELECT COUNT(*) FROM changes")) / float64(seedCount(t, db, "SELECT COUNT(*) FROM risks"))
		if perRisk < 1 || perRisk > 2 {
			t.Errorf("%.2f history rows per risk, want 1–2", perRisk)
		}
		for _, a := range seed.DemoAccounts {
			u, err := models.UserByEmail(ctx, db, a.Email)
			if err != nil || u == nil || !models.PasswordMatches(u.PasswordHash, a.Password) {
				t.Errorf("demo account %s cannot sign in", a.Email)
			}
		}
		if n := seedCount(t, db, `SELECT COUNT(*) FROM engagements e WHERE e.model = ? AND
			(SELECT COALESCE(SUM(weight), 0) FROM readiness_items r WHERE r.engagement_id = e.id) <> 100`, models.ModelBOT); n > 0 {
			t.Errorf("%d BOT engagements whose readiness weights do not sum to 100", n)
		}
		if n := seedCount(t, db, "SELECT COUNT(*) FROM engagements WHERE model = ?", models.ModelBOT); n == 0 {
			t.Error("no BOT engagements")
		}
		checkRiskHistory(t, db)

		// New rows after the seed get fresh ids (sequences moved past the seed's).
		if err := db.Exec("INSERT INTO fx_rates (currency, month, rate) VALUES ('CHF', ?, '1.1300')", seedAnchor()).Error; err != nil {
			t.Errorf("insert after the seed: %v", err)
		}

		// Deterministic for (n, the month).
		kind := "sqlite"
		if !models.IsSQLite(db) {
			kind = "postgres"
		}
		other := dbtest.Open(t, kind)
		if err := seed.Scale(ctx, dbtest.Still(other), 200); err != nil {
			t.Fatal(err)
		}
		db.Exec("DELETE FROM fx_rates WHERE currency = 'CHF'")
		seedSameData(t, db, other)
	})
}

// TestSeedScaleTiming measures the full-size scale seed on SQLite; it runs only
// with PORTFOLIO_SEED_TIMING=1 (PORTFOLIO_SEED_N changes the size, default 10000).
func TestSeedScaleTiming(t *testing.T) {
	t.Parallel()
	if os.Getenv("PORTFOLIO_SEED_TIMING") != "1" {
		t.Skip("set PORTFOLIO_SEED_TIMING=1 to time SeedScale")
	}
	n := 10000
	if s := os.Getenv("PORTFOLIO_SEED_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	kind := os.Getenv("PORTFOLIO_SEED_KIND")
	if kind == "" {
		kind = "sqlite"
	}
	db := dbtest.Open(t, kind)
	start := models.NowOf(db)
	if err := seed.Scale(context.Background(), db, n); err != nil {
		t.Fatal(err)
	}
	took := models.NowOf(db).Sub(start)
	for _, tbl := range append([]string{"users"}, seededTables...) {
		t.Logf("%-20s %9d", tbl, seedCount(t, db, "SELECT COUNT(*) FROM "+tbl))
	}
	fmt.Fprintf(os.Stderr, "SeedScale(%d) on %s took %s\n", n, kind, took)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
