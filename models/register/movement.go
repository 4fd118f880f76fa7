package register

// What moved in the register between two dates: new, escalated, de-escalated,
// closed and reopened risks, read from the as-at reconstruction (asat.go).

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"

	"portfolio/models"
)

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
	Risk       models.Risk // as it stood at To, with Engagement and Owner
	Kinds      []string    // one or two of MoveKinds (a risk raised and closed in the window is new and closed)
	FromScore  int         // residual score at From (0 when new)
	ToScore    int         // residual score at To
	FromStatus string      // "" when new
	ToStatus   string
}

// Is reports whether the move is of a kind.
func (m RiskMove) Is(kind string) bool { return slices.Contains(m.Kinds, kind) }

// MovementReport is what moved in the register between From and To (end of
// each day, UTC), most severe first (residual score at To, then ref).
type MovementReport struct {
	From, To models.Date
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

// movementQuery is a SELECT of the risks of a scope that moved between the end
// of day from and the end of day to: id, the score and status at from, and a
// flag per kind; with its arguments.
func movementQuery(db *gorm.DB, from, to models.Date, sc asAtScope) (string, []any) {
	if narrowMovement && sc.engagementID == 0 && !sc.portfolioWide && sc.ids == nil { // else the scope's own set is the smaller
		sc.changedFrom, sc.changedTo = EndOfDay(from), EndOfDay(to)
	}
	t, targs := riskAsAtQuery(db, to, sc, "status", "residual_score")
	f, fargs := riskAsAtQuery(db, from, sc, "status", "residual_score")
	return `SELECT t.id AS id, f.residual_score AS from_score, f.status AS from_status,
 CASE WHEN f.id IS NULL THEN 1 ELSE 0 END AS is_new,
 CASE WHEN f.id IS NOT NULL AND t.status <> 'closed' AND f.status <> 'closed' AND t.residual_score > f.residual_score THEN 1 ELSE 0 END AS is_escalated,
 CASE WHEN f.id IS NOT NULL AND t.status <> 'closed' AND f.status <> 'closed' AND t.residual_score < f.residual_score THEN 1 ELSE 0 END AS is_deescalated,
 CASE WHEN t.status = 'closed' AND (f.id IS NULL OR f.status <> 'closed') THEN 1 ELSE 0 END AS is_closed,
 CASE WHEN f.id IS NOT NULL AND f.status = 'closed' AND t.status <> 'closed' THEN 1 ELSE 0 END AS is_reopened
FROM (` + t + `) t LEFT JOIN (` + f + `) f ON f.id = t.id
WHERE f.id IS NULL OR (t.status = 'closed') <> (f.status = 'closed')
 OR (t.status <> 'closed' AND t.residual_score <> f.residual_score)`, append(targs, fargs...)
}

// narrowMovement says whether a movement report replays only the risks that
// can have moved (asAtScope). A variable for the tests, which check that the
// narrowing changes nothing.
var narrowMovement = true

// movedSince restricts a query (risks aliased "risks", as at to) to the risks
// that moved since from, of a kind ("" for any).
func movedSince(q *gorm.DB, f RiskFilter, from, to models.Date, kind string) *gorm.DB {
	sql, args := movementQuery(q, from, to, scopeOf(f))
	sub := q.Session(&gorm.Session{NewDB: true}).Raw(sql, args...)
	cond := "risks.id IN (SELECT m.id FROM (?) m"
	switch kind {
	case MoveNew, MoveEscalated, MoveDeescalated, MoveClosed, MoveReopened:
		cond += " WHERE m.is_" + strings.ReplaceAll(kind, "-", "") + " = 1"
	}
	return q.Where(cond+")", sub)
}

// movementScope is f reduced to what selects risks for a movement report.
func movementScope(f RiskFilter, to models.Date) RiskFilter {
	return RiskFilter{EngagementID: f.EngagementID, PortfolioWide: f.PortfolioWide, VendorID: f.VendorID,
		OwnerID: f.OwnerID, Category: f.Category, Q: f.Q, Status: "all", AsAt: to}
}

// movementJoin is the scope's risks as at to, joined to what moved as "m":
// of the risks of ids only, when ids is not nil.
func movementJoin(db *gorm.DB, from, to models.Date, f RiskFilter, ids []uint) *gorm.DB {
	scope := movementScope(f, to)
	sc := scopeOf(scope)
	if narrowMovement {
		sc.ids = ids
	}
	mvSQL, mvArgs := movementQuery(db, from, to, sc)
	mv := db.Session(&gorm.Session{NewDB: true}).Raw(mvSQL, mvArgs...)
	return scope.apply(riskTableAsAt(db, to, sc), models.RiskSettings{}, to, false).Joins("JOIN (?) m ON m.id = risks.id", mv)
}

// MoveFlags are the movement query's columns of one moved risk (exported so
// that the ORM scans the struct that embeds it).
type MoveFlags struct {
	FromScore                                               *int
	FromStatus                                              *string
	IsNew, IsEscalated, IsDeescalated, IsClosed, IsReopened int
}

const moveColumns = "m.from_score, m.from_status, m.is_new, m.is_escalated, m.is_deescalated, m.is_closed, m.is_reopened"

// move builds the RiskMove of a risk as at To with these flags.
func (f MoveFlags) move(r models.Risk) RiskMove {
	m := RiskMove{Risk: r, ToScore: r.ResidualScore, ToStatus: r.Status}
	if f.FromScore != nil {
		m.FromScore = *f.FromScore
	}
	if f.FromStatus != nil {
		m.FromStatus = *f.FromStatus
	}
	for i, on := range []int{f.IsNew, f.IsEscalated, f.IsDeescalated, f.IsClosed, f.IsReopened} {
		if on == 1 {
			m.Kinds = append(m.Kinds, MoveKinds[i])
		}
	}
	return m
}

// Movement reports what moved in the register between the end of day from and
// the end of day to, among the risks f selects by scope (engagement,
// portfolio-wide, vendor, owner, category, search; its status, band, flag and
// paging fields are ignored): risks new in the window, escalated and
// de-escalated (residual score, live at both dates), closed and reopened. Each
// move carries the risk as it stood at to, brief (riskBriefColumns). The review
// pack prints this; a register page uses MovementCounts and MovesOf, which cost less.
func Movement(ctx context.Context, db *gorm.DB, from, to models.Date, f RiskFilter) (MovementReport, error) {
	rep := MovementReport{From: from, To: to}
	err := EachMove(ctx, db, from, to, f, func(m RiskMove) error {
		rep.Moves = append(rep.Moves, m)
		return nil
	})
	return rep, err
}

// EachMove calls fn with each move of Movement, in its order, as it is read
// (the review pack counts 46,000 moves a quarter at 10,000 engagements and
// keeps a few).
func EachMove(ctx context.Context, db *gorm.DB, from, to models.Date, f RiskFilter, fn func(RiskMove) error) error {
	rows, err := movementJoin(db.WithContext(ctx), from, to, f, nil).
		Joins("LEFT JOIN engagements e ON e.id = risks.engagement_id").Joins("LEFT JOIN users o ON o.id = risks.owner_id").
		Select(riskBriefColumns + ", " + moveColumns).Order("risks.residual_score DESC, risks.ref").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	brief := newBriefScanner()
	for rows.Next() {
		var m MoveFlags
		r, err := brief.scan(rows, &m.FromScore, &m.FromStatus, &m.IsNew, &m.IsEscalated, &m.IsDeescalated, &m.IsClosed, &m.IsReopened)
		if err != nil {
			return err
		}
		if err := fn(m.move(r)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// riskBriefColumns are what a report shows of a risk (the review pack, the
// movement): its reference, title, category, status, residual levels and
// score, engagement (id and code, as "e") and owner (id and name, as "o").
const riskBriefColumns = `risks.id, risks.ref, risks.title, risks.category, risks.status, risks.residual_score,
	risks.residual_likelihood, risks.residual_impact, risks.engagement_id, e.code, risks.owner_id, o.name`

// briefScanner scans riskBriefColumns row by row. The rows of one report
// share one Engagement and one User per id: a copy per risk would make the
// review pack's memory grow with the register rather than the portfolio.
type briefScanner struct {
	engs  map[uint]*models.Engagement
	users map[uint]*models.User
}

func newBriefScanner() *briefScanner {
	return &briefScanner{engs: map[uint]*models.Engagement{}, users: map[uint]*models.User{}}
}

// scan scans riskBriefColumns, then extra, from the current row.
func (s *briefScanner) scan(rows *sql.Rows, extra ...any) (models.Risk, error) {
	var r models.Risk
	var eng, own sql.NullInt64
	var code, owner sql.NullString
	dest := append([]any{&r.ID, &r.Ref, &r.Title, &r.Category, &r.Status, &r.ResidualScore, &r.ResidualLikelihood,
		&r.ResidualImpact, &eng, &code, &own, &owner}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	if eng.Valid {
		id := uint(eng.Int64)
		r.EngagementID = &id
		if code.Valid {
			if s.engs[id] == nil {
				s.engs[id] = &models.Engagement{ID: id, Code: code.String}
			}
			r.Engagement = s.engs[id]
		}
	}
	if own.Valid {
		id := uint(own.Int64)
		r.OwnerID = &id
		if owner.Valid {
			if s.users[id] == nil {
				s.users[id] = &models.User{ID: id, Name: owner.String}
			}
			r.Owner = s.users[id]
		}
	}
	return r, nil
}

// MovementCounts counts the moves of each kind (MoveKinds) between the end of
// day from and the end of day to among f's scope, in one grouped query.
func MovementCounts(ctx context.Context, db *gorm.DB, from, to models.Date, f RiskFilter) (map[string]int, error) {
	var c struct{ New, Escalated, Deescalated, Closed, Reopened int }
	err := movementJoin(db.WithContext(ctx), from, to, f, nil).Select(`COALESCE(SUM(m.is_new), 0) AS new,
		COALESCE(SUM(m.is_escalated), 0) AS escalated, COALESCE(SUM(m.is_deescalated), 0) AS deescalated,
		COALESCE(SUM(m.is_closed), 0) AS closed, COALESCE(SUM(m.is_reopened), 0) AS reopened`).Scan(&c).Error
	return map[string]int{MoveNew: c.New, MoveEscalated: c.Escalated, MoveDeescalated: c.Deescalated,
		MoveClosed: c.Closed, MoveReopened: c.Reopened}, err
}

// MovesOf says how each of the given risks moved between the end of day from
// and the end of day to (absent: it did not move): a register page's badges.
// Each move's Risk holds only its id, score and status at to.
func MovesOf(ctx context.Context, db *gorm.DB, from, to models.Date, f RiskFilter, ids []uint) (map[uint]RiskMove, error) {
	out := map[uint]RiskMove{}
	if len(ids) == 0 {
		return out, nil
	}
	type row struct {
		ID            uint
		ResidualScore int
		Status        string
		MoveFlags
	}
	var rows []row
	err := movementJoin(db.WithContext(ctx), from, to, f, ids).Where("risks.id IN ?", ids).
		Select("risks.id, risks.residual_score, risks.status, " + moveColumns).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.MoveFlags.move(models.Risk{ID: r.ID, ResidualScore: r.ResidualScore, Status: r.Status})
	}
	return out, err
}

// loadRiskRelations fills Engagement and Owner of risks with one query per
// relation (in chunks), never one per risk.
func loadRiskRelations(db *gorm.DB, risks []models.Risk) error {
	engIDs, ownIDs := map[uint]bool{}, map[uint]bool{}
	for _, r := range risks {
		if r.EngagementID != nil {
			engIDs[*r.EngagementID] = true
		}
		if r.OwnerID != nil {
			ownIDs[*r.OwnerID] = true
		}
	}
	engs := map[uint]*models.Engagement{}
	for _, chunk := range chunkIDs(engIDs) {
		var es []models.Engagement
		if err := db.Where("id IN ?", chunk).Find(&es).Error; err != nil {
			return err
		}
		for i := range es {
			engs[es[i].ID] = &es[i]
		}
	}
	users := map[uint]*models.User{}
	for _, chunk := range chunkIDs(ownIDs) {
		var us []models.User
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

// EachBrief calls fn with each risk f selects (as at f.AsAt when set), in
// f's order, brief (riskBriefColumns: what a report shows), as it is read:
// a large register held whole would be hundreds of megabytes. An error from
// fn stops it.
func EachBrief(db *gorm.DB, s models.RiskSettings, f RiskFilter, fn func(models.Risk) error) error {
	today := f.AsAt
	if today.IsZero() {
		today = models.TodayOf(db)
	}
	rows, err := f.ordered(db, s, today, true).Select(riskBriefColumns).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	brief := newBriefScanner()
	for rows.Next() {
		r, err := brief.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
