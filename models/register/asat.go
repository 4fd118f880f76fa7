package register

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
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"portfolio/models"
)

// EndOfDay is the first instant after day d (UTC): the cut-off of "as at d".
func EndOfDay(d models.Date) time.Time { return d.AddDays(1).Time }

// replayCol is a risk column the history can roll back, and how a history text
// of it reads back into the column's type.
type replayCol struct{ name, kind string } // kind: text, int, id, date

var (
	replayOnce sync.Once
	replayCols []replayCol
)

// riskReplayColumns derives the columns from RiskHistoryFields and the Risk
// struct, so that what writers record and what is replayed cannot drift apart.
func riskReplayColumns() []replayCol {
	replayOnce.Do(func() {
		t := reflect.TypeOf(models.Risk{})
		for _, f := range models.RiskHistoryFields {
			sf, _ := t.FieldByName(f)
			kind := "text"
			switch sf.Type {
			case reflect.TypeOf(0):
				kind = "int"
			case reflect.TypeOf((*uint)(nil)):
				kind = "id"
			case reflect.TypeOf(models.Date{}):
				kind = "date"
			}
			replayCols = append(replayCols, replayCol{schema.NamingStrategy{}.ColumnName("", f), kind})
		}
	})
	return replayCols
}

// asAtScope narrows a replay to the risks that can match a filter's engagement
// scope: those in it now, plus any moved between engagements since the cut-off
// (a superset; the filter itself then decides on the values of the day). One
// engagement's register as at a date then costs its own history, not the
// portfolio's.
//
// A movement report of the whole register narrows both of its replays to the
// risks that can have moved between its two cut-offs: those changed or
// created between them (a risk with neither is the same at both), a tenth of
// the register in a quarter. (An engagement's own set is smaller still: there
// the second set only costs its reading.)
type asAtScope struct {
	engagementID  uint
	portfolioWide bool
	changedFrom   time.Time // with changedTo: only the risks changed or created in [changedFrom, changedTo)
	changedTo     time.Time
	ids           []uint // when not nil, only these risks (a register page's movement badges)
	idFrom, idTo  uint   // when idTo > 0, only the risks with ids in [idFrom, idTo) (a snapshot's batch)
	live          bool   // replay from the live rows, not from a snapshot (a snapshot's batch)
}

func scopeOf(f RiskFilter) asAtScope {
	return asAtScope{engagementID: f.EngagementID, portfolioWide: f.PortfolioWide}
}

// candidates are the SQL sets of risk ids the scope may hold (a risk must be
// in each), with their arguments.
func (sc asAtScope) candidates(cut time.Time) (sets []string, args [][]any) {
	moved := "SELECT entity_id FROM changes WHERE entity = 'risk' AND field = 'engagement_id' AND at >= ?"
	switch {
	case sc.portfolioWide:
		sets, args = append(sets, "SELECT id FROM risks WHERE engagement_id IS NULL UNION "+moved), append(args, []any{cut})
	case sc.engagementID != 0:
		sets, args = append(sets, "SELECT id FROM risks WHERE engagement_id = ? UNION "+moved), append(args, []any{sc.engagementID, cut})
	}
	if sc.ids != nil {
		sets, args = append(sets, "SELECT id FROM risks WHERE id IN ?"), append(args, []any{sc.ids})
	}
	if !sc.changedTo.IsZero() {
		sets = append(sets, "SELECT entity_id FROM changes WHERE entity = 'risk' AND at >= ? AND at < ? UNION SELECT id FROM risks WHERE created_at >= ? AND created_at < ?")
		args = append(args, []any{sc.changedFrom, sc.changedTo, sc.changedFrom, sc.changedTo})
	}
	return sets, args
}

// riskAsAtQuery is a SELECT giving every risk of the scope as it stood at the
// end of day d, with the columns of risks (or, when only names some, the id
// and those), and its arguments. It starts from the nearest snapshot on or
// after d (snapshot.go) when there is one, else from the live rows.
func riskAsAtQuery(db *gorm.DB, d models.Date, sc asAtScope, only ...string) (string, []any) {
	cut := EndOfDay(d)
	var base models.Date
	fromSnapshot := false
	if !sc.live {
		base, fromSnapshot = snapshotBase(db, d)
	}
	var cols []replayCol
	var texts, narrow []string
	for _, c := range riskReplayColumns() {
		if only != nil && !slices.Contains(only, c.name) {
			continue
		}
		cols = append(cols, c)
		if isText(c.name) {
			texts = append(texts, c.name)
		} else {
			narrow = append(narrow, c.name)
		}
	}
	live := !fromSnapshot || only == nil || len(texts) > 0 // the live rows are read
	id := "r.id"
	if !live {
		id = "s.risk_id"
	}
	sets, setArgs := sc.candidates(cut)
	changesWhere, idWhere := "", ""
	var changesArgs, idArgs []any
	for i, set := range sets {
		changesWhere += " AND entity_id IN (" + set + ")"
		changesArgs = append(changesArgs, setArgs[i]...)
		idWhere += " AND " + id + " IN (" + set + ")"
		idArgs = append(idArgs, setArgs[i]...)
	}
	if sc.idTo > 0 { // a range, so that both tables are read by their index on it
		changesWhere += " AND entity_id >= ? AND entity_id < ?"
		changesArgs = append(changesArgs, sc.idFrom, sc.idTo)
		idWhere += " AND " + id + " >= ? AND " + id + " < ?"
		idArgs = append(idArgs, sc.idFrom, sc.idTo)
	}

	// The changes to roll back: from the live rows, every change since the
	// cut-off; from a snapshot, the changes between the cut-off and that day's
	// end, and the texts' since the cut-off (the snapshot has none).
	const changed = "SELECT entity_id, field, old, at, id FROM changes WHERE entity = 'risk' AND action <> 'create'"
	var parts []string
	var partArgs []any
	switch {
	case !fromSnapshot && only == nil:
		parts, partArgs = []string{changed + " AND field <> '' AND at >= ?" + changesWhere}, append([]any{cut}, changesArgs...)
	case !fromSnapshot:
		parts, partArgs = []string{changed + " AND field IN " + fieldList(append(texts, narrow...)) + " AND at >= ?" + changesWhere}, append([]any{cut}, changesArgs...)
	default:
		if len(texts) > 0 {
			parts = append(parts, changed+" AND field IN "+fieldList(texts)+" AND at >= ?"+changesWhere)
			partArgs = append(append(partArgs, cut), changesArgs...)
		}
		if len(narrow) > 0 && base.After(d) {
			parts = append(parts, changed+" AND field IN "+fieldList(narrow)+" AND at >= ? AND at < ?"+changesWhere)
			partArgs = append(append(partArgs, cut, EndOfDay(base)), changesArgs...)
		}
	}

	var pivot, expr strings.Builder
	value := map[string]string{}
	for _, c := range cols {
		from := "r." + c.name
		if fromSnapshot && !isText(c.name) {
			from = "s." + c.name
		}
		if len(parts) == 0 {
			value[c.name] = from
			continue
		}
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
			if !models.IsSQLite(db) {
				old = "CAST(" + old + " AS DATE)"
			}
		}
		value[c.name] = "CASE WHEN x.h_" + c.name + " = 1 THEN " + old + " ELSE " + from + " END"
	}
	// A live risk has no closed date or reason: history written before closures
	// recorded them (and the seed's) would otherwise leave them on a reopened risk.
	if status, ok := value["status"]; ok {
		if v, ok := value["closed_on"]; ok {
			value["closed_on"] = "CASE WHEN " + status + " = 'closed' THEN " + v + " END"
		}
		if v, ok := value["closed_reason"]; ok {
			value["closed_reason"] = "CASE WHEN " + status + " = 'closed' THEN " + v + " ELSE '' END"
		}
	}
	for _, c := range cols {
		expr.WriteString(",\n " + value[c.name] + " AS " + c.name)
	}
	if only == nil {
		expr.WriteString(", r.version, r.created_at, r.updated_at")
	}

	var q strings.Builder
	var args []any
	q.WriteString("SELECT " + id + " AS id" + expr.String())
	switch {
	case !fromSnapshot:
		q.WriteString("\nFROM risks r")
	case live:
		q.WriteString("\nFROM risks r JOIN risk_snapshots s ON s.day = ? AND s.risk_id = r.id")
		args = append(args, base)
	default:
		q.WriteString("\nFROM risk_snapshots s")
	}
	if len(parts) > 0 {
		q.WriteString(` LEFT JOIN (
 SELECT entity_id` + pivot.String() + `
 FROM (SELECT entity_id, field, old, ROW_NUMBER() OVER (PARTITION BY entity_id, field ORDER BY at, id) AS rn
  FROM (` + strings.Join(parts, "\n UNION ALL ") + `) c0) c
 WHERE rn = 1 GROUP BY entity_id
) x ON x.entity_id = ` + id)
		args = append(args, partArgs...)
	}
	switch {
	case live:
		q.WriteString("\nWHERE r.created_at < ?")
		args = append(args, cut)
	case base.After(d): // the risks created since the cut-off are in the snapshot, not in d
		q.WriteString("\nWHERE s.day = ? AND s.risk_id NOT IN (SELECT id FROM risks WHERE created_at >= ? AND created_at < ?)")
		args = append(args, base, cut, EndOfDay(base))
	default:
		q.WriteString("\nWHERE s.day = ?")
		args = append(args, base)
	}
	q.WriteString(idWhere)
	return q.String(), append(args, idArgs...)
}

// riskTableAsAt is the risks table as at the end of day d, aliased "risks",
// holding at least the risks of the scope.
func riskTableAsAt(db *gorm.DB, d models.Date, sc asAtScope) *gorm.DB {
	sql, args := riskAsAtQuery(db, d, sc)
	return db.Table("(?) AS risks", db.Session(&gorm.Session{NewDB: true}).Raw(sql, args...))
}

// RegisterAsAt returns every risk of the register matching f as it stood at the
// end of day (UTC), ordered like the register (f.Sort, f.Dir; by residual score
// by default), with Engagement and Owner loaded. f.Status "" means the risks live
// on that day, "all" includes those closed by then. Paging applies when
// f.PerPage > 0. The review pack prints this; the register page shows it for
// ?as_at=YYYY-MM-DD.
func RegisterAsAt(ctx context.Context, db *gorm.DB, s models.RiskSettings, day models.Date, f RiskFilter) ([]models.Risk, error) {
	f.AsAt = day
	rows, _, err := ListRisks(ctx, db, s, day, f)
	return rows, err
}

// asAtOrder is the ids of every risk f selects as at f.AsAt, in f's order:
// what is cached of a past day's register (Cache), from which any of its
// pages is a slice.
func (f RiskFilter) asAtOrder(db *gorm.DB, s models.RiskSettings, today models.Date) ([]uint, error) {
	f.PerPage = 0
	var ids []uint
	err := f.ordered(db, s, today, false).Select("risks.id").Pluck("risks.id", &ids).Error
	return ids, err
}

// asAtOrderRead reads asAtOrder as a cached page index, to the end whoever
// asked for it first goes away.
func (f RiskFilter) asAtOrderRead(db *gorm.DB, s models.RiskSettings, today models.Date) func(context.Context) (pageIndex, error) {
	return func(ctx context.Context) (pageIndex, error) {
		ids, err := f.asAtOrder(db.WithContext(ctx), s, today)
		return pageIndex{ids: ids}, err
	}
}

// asAtPage is page f.Page of a past day's register whose ids in order are
// ids (asAtOrder), total being how many risks it has: the page's risks as
// they stood, replayed alone (a few changes, not the register's), with their
// engagement and owner.
func (f RiskFilter) asAtPage(db *gorm.DB, ids []uint, total int64) (RiskPage, error) {
	per := f.PerPage
	p := RiskPage{Page: 1, Last: 1}
	if total > 0 {
		p.Last = int((total + int64(per) - 1) / int64(per))
	}
	p.Page = min(max(f.Page, 1), p.Last)
	p.HasPrev, p.HasNext = p.Page > 1, p.Page < p.Last
	lo := min((p.Page-1)*per, len(ids))
	page := ids[lo:min(lo+per, len(ids))]
	if len(page) == 0 {
		return p, nil
	}
	var rows []models.Risk
	if err := riskTableAsAt(db, f.AsAt, asAtScope{ids: page}).Select("risks.*").Find(&rows).Error; err != nil {
		return p, err
	}
	at := make(map[uint]int, len(page))
	for i, id := range page {
		at[id] = i
	}
	p.Rows = make([]models.Risk, len(page))
	for _, r := range rows {
		if i, ok := at[r.ID]; ok {
			p.Rows[i] = r
		}
	}
	p.Rows = slices.DeleteFunc(p.Rows, func(r models.Risk) bool { return r.ID == 0 })
	return p, loadRiskRelations(db, p.Rows)
}
