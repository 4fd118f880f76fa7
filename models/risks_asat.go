package models

// The register as it stood at a past date, and what moved between two dates.
//
// Nothing about the past is stored apart: the current rows plus the history
// (changes: field, old → new, at) give it back. A risk created after the date is
// absent; for every field changed after the date, the oldest such change's Old
// value is what the field held then. Everything runs in SQL as a derived table
// with the same columns as risks, so the register's filters, sorts, heat maps
// and exports work unchanged on the past (RiskFilter.AsAt).
//
// Dates are whole days in UTC: "as at 30 Sep 2026" is the end of that day, so a
// change made at 23:59 on the 30th counts and one made at 00:00 on the 1st not.
//
// Scores in history are the stored L×I; bands come from the settings of the day
// the register is looked at, so a settings change never rewrites the past's
// scores (a published pack freezes its own figures).

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// EndOfDay is the first instant after day d (UTC): the cut-off of "as at d".
func EndOfDay(d Date) time.Time { return d.AddDays(1).Time }

// replayCol is a risk column the history can roll back, and how a history text
// of it reads back into the column's type.
type replayCol struct{ name, kind string } // kind: text, int, id, date

var (
	replayOnce sync.Once
	replayCols []replayCol
)

// riskReplayColumns derives the columns from riskHistoryFields and the Risk
// struct, so that what writers record and what is replayed cannot drift apart.
func riskReplayColumns() []replayCol {
	replayOnce.Do(func() {
		t := reflect.TypeOf(Risk{})
		for _, f := range riskHistoryFields {
			sf, _ := t.FieldByName(f)
			kind := "text"
			switch sf.Type {
			case reflect.TypeOf(0):
				kind = "int"
			case reflect.TypeOf((*uint)(nil)):
				kind = "id"
			case reflect.TypeOf(Date{}):
				kind = "date"
			}
			replayCols = append(replayCols, replayCol{naming.ColumnName("", f), kind})
		}
	})
	return replayCols
}

// riskAsAtSQL is a SELECT giving every risk as it stood before the cut-off
// instant, with the columns of risks. Its two parameters are the cut-off, twice.
func riskAsAtSQL(db *gorm.DB) string {
	cols := riskReplayColumns()
	var pivot, expr strings.Builder
	value := map[string]string{}
	for _, c := range cols {
		pivot.WriteString(",\n MAX(CASE WHEN field = '" + c.name + "' THEN 1 ELSE 0 END) AS h_" + c.name)
		pivot.WriteString(",\n MAX(CASE WHEN field = '" + c.name + "' THEN old END) AS o_" + c.name)
		old := "x.o_" + c.name
		switch c.kind {
		case "int":
			old = "CAST(" + old + " AS INTEGER)"
		case "id":
			old = "CAST(NULLIF(" + old + ", '') AS BIGINT)"
		case "date":
			old = "NULLIF(" + old + ", '')"
			if !IsSQLite(db) {
				old = "CAST(" + old + " AS DATE)"
			}
		}
		value[c.name] = "CASE WHEN x.h_" + c.name + " = 1 THEN " + old + " ELSE r." + c.name + " END"
	}
	// A live risk has no closed date or reason: history written before closures
	// recorded them (and the seed's) would otherwise leave them on a reopened risk.
	status := value["status"]
	value["closed_on"] = "CASE WHEN " + status + " = 'closed' THEN " + value["closed_on"] + " END"
	value["closed_reason"] = "CASE WHEN " + status + " = 'closed' THEN " + value["closed_reason"] + " ELSE '' END"
	for _, c := range cols {
		expr.WriteString(",\n " + value[c.name] + " AS " + c.name)
	}
	return `SELECT r.id` + expr.String() + `, r.version, r.created_at, r.updated_at
FROM risks r LEFT JOIN (
 SELECT entity_id` + pivot.String() + `
 FROM (SELECT entity_id, field, old, ROW_NUMBER() OVER (PARTITION BY entity_id, field ORDER BY at, id) AS rn
  FROM changes WHERE entity = 'risk' AND at >= ? AND field <> '' AND action <> 'create') c
 WHERE rn = 1 GROUP BY entity_id
) x ON x.entity_id = r.id
WHERE r.created_at < ?`
}

// riskTableAsAt is the risks table as at the end of day d, aliased "risks".
func riskTableAsAt(db *gorm.DB, d Date) *gorm.DB {
	cut := EndOfDay(d)
	return db.Table("(?) AS risks", db.Session(&gorm.Session{NewDB: true}).Raw(riskAsAtSQL(db), cut, cut))
}

// RegisterAsAt returns every risk of the register matching f as it stood at the
// end of day (UTC), ordered like the register (f.Sort, f.Dir; by residual score
// by default), with Engagement and Owner loaded. f.Status "" means the risks live
// on that day, "all" includes those closed by then. Paging applies when
// f.PerPage > 0. The review pack prints this; the register page shows it for
// ?as_at=YYYY-MM-DD.
func RegisterAsAt(ctx context.Context, db *gorm.DB, s RiskSettings, day Date, f RiskFilter) ([]Risk, error) {
	f.AsAt = day
	rows, _, err := ListRisks(ctx, db, s, day, f)
	return rows, err
}

// Movement kinds, as badges and the review pack name them.
const (
	MoveNew         = "new"          // in the register at To, not at From
	MoveEscalated   = "escalated"    // live at both dates, residual score up
	MoveDeescalated = "de-escalated" // live at both dates, residual score down
	MoveClosed      = "closed"       // closed at To, not closed (or not there) at From
	MoveReopened    = "reopened"     // closed at From, live at To
)

// MoveKinds lists the kinds in the order reports show them.
var MoveKinds = []string{MoveNew, MoveEscalated, MoveDeescalated, MoveClosed, MoveReopened}

// RiskMove is how one risk moved between two dates.
type RiskMove struct {
	Risk       Risk     // as it stood at To, with Engagement and Owner
	Kinds      []string // one or two of MoveKinds (a risk raised and closed in the window is new and closed)
	FromScore  int      // residual score at From (0 when new)
	ToScore    int      // residual score at To
	FromStatus string   // "" when new
	ToStatus   string
}

// Is reports whether the move is of a kind.
func (m RiskMove) Is(kind string) bool { return contains(m.Kinds, kind) }

// MovementReport is what moved in the register between From and To (end of
// each day, UTC), most severe first (residual score at To, then ref).
type MovementReport struct {
	From, To Date
	Moves    []RiskMove
}

// Count is the number of moves of a kind.
func (m MovementReport) Count(kind string) int {
	n := 0
	for _, mv := range m.Moves {
		if mv.Is(kind) {
			n++
		}
	}
	return n
}

// Of lists the moves of a kind.
func (m MovementReport) Of(kind string) []RiskMove {
	var out []RiskMove
	for _, mv := range m.Moves {
		if mv.Is(kind) {
			out = append(out, mv)
		}
	}
	return out
}

// ByRisk indexes the moves by risk id (the register's badges).
func (m MovementReport) ByRisk() map[uint]RiskMove {
	out := make(map[uint]RiskMove, len(m.Moves))
	for _, mv := range m.Moves {
		out[mv.Risk.ID] = mv
	}
	return out
}

// movementSQL is a SELECT of the risks that moved between the end of day from
// and the end of day to: id and a flag per kind. Its parameters are four cut-offs.
func movementSQL(db *gorm.DB) string {
	asat := riskAsAtSQL(db)
	return `SELECT t.id AS id, f.residual_score AS from_score, f.status AS from_status,
 CASE WHEN f.id IS NULL THEN 1 ELSE 0 END AS is_new,
 CASE WHEN f.id IS NOT NULL AND t.status <> 'closed' AND f.status <> 'closed' AND t.residual_score > f.residual_score THEN 1 ELSE 0 END AS is_escalated,
 CASE WHEN f.id IS NOT NULL AND t.status <> 'closed' AND f.status <> 'closed' AND t.residual_score < f.residual_score THEN 1 ELSE 0 END AS is_deescalated,
 CASE WHEN t.status = 'closed' AND (f.id IS NULL OR f.status <> 'closed') THEN 1 ELSE 0 END AS is_closed,
 CASE WHEN f.id IS NOT NULL AND f.status = 'closed' AND t.status <> 'closed' THEN 1 ELSE 0 END AS is_reopened
FROM (` + asat + `) t LEFT JOIN (` + asat + `) f ON f.id = t.id
WHERE f.id IS NULL OR (t.status = 'closed') <> (f.status = 'closed')
 OR (t.status <> 'closed' AND t.residual_score <> f.residual_score)`
}

// movedSince restricts a query (risks aliased "risks", as at to) to the risks
// that moved since from, of a kind ("" for any).
func movedSince(q *gorm.DB, from, to Date, kind string) *gorm.DB {
	sub := q.Session(&gorm.Session{NewDB: true}).Raw(movementSQL(q), EndOfDay(to), EndOfDay(to), EndOfDay(from), EndOfDay(from))
	cond := "risks.id IN (SELECT m.id FROM (?) m"
	switch kind {
	case MoveNew, MoveEscalated, MoveDeescalated, MoveClosed, MoveReopened:
		cond += " WHERE m.is_" + strings.ReplaceAll(kind, "-", "") + " = 1"
	}
	return q.Where(cond+")", sub)
}

// Movement reports what moved in the register between the end of day from and
// the end of day to, among the risks f selects by scope (engagement,
// portfolio-wide, vendor, owner, category, search; its status, band, flag and
// paging fields are ignored): risks new in the window, escalated and
// de-escalated (residual score, live at both dates), closed and reopened.
func Movement(ctx context.Context, db *gorm.DB, from, to Date, f RiskFilter) (MovementReport, error) {
	rep := MovementReport{From: from, To: to}
	db = db.WithContext(ctx)
	scope := RiskFilter{EngagementID: f.EngagementID, PortfolioWide: f.PortfolioWide, VendorID: f.VendorID,
		OwnerID: f.OwnerID, Category: f.Category, Q: f.Q, Status: "all", AsAt: to}
	type row struct {
		Risk
		FromScore                                               *int
		FromStatus                                              *string
		IsNew, IsEscalated, IsDeescalated, IsClosed, IsReopened int
	}
	var rows []row
	q := scope.apply(riskBase(db, to), RiskSettings{}, to, false)
	mv := db.Session(&gorm.Session{NewDB: true}).Raw(movementSQL(db), EndOfDay(to), EndOfDay(to), EndOfDay(from), EndOfDay(from))
	err := q.Joins("JOIN (?) m ON m.id = risks.id", mv).
		Select("risks.*, m.from_score, m.from_status, m.is_new, m.is_escalated, m.is_deescalated, m.is_closed, m.is_reopened").
		Order("risks.residual_score DESC, risks.ref").Scan(&rows).Error
	if err != nil {
		return rep, err
	}
	risks := make([]Risk, len(rows))
	for i, r := range rows {
		risks[i] = r.Risk
	}
	if err := loadRiskRelations(db, risks); err != nil {
		return rep, err
	}
	for i, r := range rows {
		m := RiskMove{Risk: risks[i], ToScore: r.ResidualScore, ToStatus: r.Status}
		if r.FromScore != nil {
			m.FromScore = *r.FromScore
		}
		if r.FromStatus != nil {
			m.FromStatus = *r.FromStatus
		}
		for k, on := range map[string]int{MoveNew: r.IsNew, MoveEscalated: r.IsEscalated, MoveDeescalated: r.IsDeescalated,
			MoveClosed: r.IsClosed, MoveReopened: r.IsReopened} {
			if on == 1 {
				m.Kinds = append(m.Kinds, k)
			}
		}
		sort.Slice(m.Kinds, func(a, b int) bool { return kindOrder(m.Kinds[a]) < kindOrder(m.Kinds[b]) })
		rep.Moves = append(rep.Moves, m)
	}
	return rep, nil
}

func kindOrder(k string) int {
	for i, x := range MoveKinds {
		if x == k {
			return i
		}
	}
	return len(MoveKinds)
}

// loadRiskRelations fills Engagement and Owner of risks with one query per
// relation (in chunks), never one per risk.
func loadRiskRelations(db *gorm.DB, risks []Risk) error {
	engIDs, ownIDs := map[uint]bool{}, map[uint]bool{}
	for _, r := range risks {
		if r.EngagementID != nil {
			engIDs[*r.EngagementID] = true
		}
		if r.OwnerID != nil {
			ownIDs[*r.OwnerID] = true
		}
	}
	engs := map[uint]*Engagement{}
	for _, chunk := range chunkIDs(engIDs) {
		var es []Engagement
		if err := db.Where("id IN ?", chunk).Find(&es).Error; err != nil {
			return err
		}
		for i := range es {
			engs[es[i].ID] = &es[i]
		}
	}
	users := map[uint]*User{}
	for _, chunk := range chunkIDs(ownIDs) {
		var us []User
		if err := db.Select("id, name, email, role").Where("id IN ?", chunk).Find(&us).Error; err != nil {
			return err
		}
		for i := range us {
			users[us[i].ID] = &us[i]
		}
	}
	for i := range risks {
		if id := risks[i].EngagementID; id != nil {
			risks[i].Engagement = engs[*id]
		}
		if id := risks[i].OwnerID; id != nil {
			risks[i].Owner = users[*id]
		}
	}
	return nil
}

// chunkIDs splits a set of ids into sorted slices small enough for an IN list.
func chunkIDs(set map[uint]bool) [][]uint {
	ids := make([]uint, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out [][]uint
	for len(ids) > 0 {
		n := min(len(ids), 900)
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}
