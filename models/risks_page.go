package models

// Keyset paging of the live register. A page is a seek into the index of its
// sort order (migration 8) and a walk of 50 entries, whatever its depth: the
// page after a row continues from that row's sort key, the page before walks
// the order backwards from it, and a page asked for by number is counted from
// the nearer end (the last page is the first rows of the reversed order). Only
// a jump straight to a page in the middle skips rows, and it skips them in the
// index. The past (as-at view) is a replay in a derived table, not indexed: it
// pages with OFFSET, as it has to be built whole anyway.
//
// Cursors are risk ids (?after=ID, ?before=ID): a link stays short and
// shareable, and the key is read back from the row, so a cursor can never
// inject a value.

import (
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// RiskPage is one page of the register and where it sits.
type RiskPage struct {
	Rows             []Risk
	Page, Last       int // the page's number (1-based) and the last page's
	HasPrev, HasNext bool
}

// FirstID and LastID are the cursors of the links to the previous and next pages.
func (p RiskPage) FirstID() uint { return p.edge(0) }

// LastID is the id of the last row shown (0 on an empty page).
func (p RiskPage) LastID() uint { return p.edge(len(p.Rows) - 1) }

func (p RiskPage) edge(i int) uint {
	if i < 0 || i >= len(p.Rows) {
		return 0
	}
	return p.Rows[i].ID
}

// orderScanAbove is the number of matching risks above which SQLite is told to
// walk the sort order's index (checking the filters on each entry) rather than
// gather the matches through a filter's index and sort them, which reads every
// match's row (~3 µs each). At 250,000 risks a page's walk reads about
// 50 × 250,000 / matches index entries (mostly the index alone: it covers the
// status and category): ~12,500 at 1,000 matches, a few milliseconds either way.
const orderScanAbove = 1000

// keySegment is a stretch of a sort order: rows sorted by cols then id. A
// nullable key (next review, engagement, owner) splits the order in two: the
// rows with the key, then (or first) those without it, by id.
type keySegment struct {
	join  string   // a table the key needs ("users o"), joined on on
	on    string   // the join's condition
	where string   // the condition of the stretch
	cols  []string // key columns before risks.id
	index string   // the SQLite index of this order
	// always: SQLite is given the index whatever the number of matches.
	always bool
}

// sortSegments returns the segments of f's sort in order, and whether it runs
// descending.
func (f RiskFilter) sortSegments(sqlite bool) ([]keySegment, bool) {
	desc := f.Dir == "desc"
	var vals keySegment
	nullable := true
	switch f.Sort {
	case "ref":
		vals, nullable = keySegment{cols: []string{"risks.ref"}, index: "risks_ref"}, false
	case "title":
		vals, nullable = keySegment{cols: []string{"risks.title"}, index: "risks_order_title"}, false
	case "category":
		vals, nullable = keySegment{cols: []string{"risks.category"}, index: "risks_order_category"}, false
	case "inherent":
		vals, nullable = keySegment{cols: []string{"risks.inherent_score"}, index: "risks_order_inherent"}, false
	case "status":
		vals, nullable = keySegment{cols: []string{"risks.status"}, index: "risks_order_status"}, false
	case "raised":
		vals, nullable = keySegment{cols: []string{"risks.raised_on"}, index: "risks_order_raised"}, false
	case "review":
		vals = keySegment{where: "risks.next_review IS NOT NULL", cols: []string{"risks.next_review"}, index: "risks_order_review"}
	case "engagement":
		// Engagements walked by code, each one's risks by id.
		vals = keySegment{join: "engagements e", on: "e.id = risks.engagement_id", cols: []string{"e.code"}, index: "risks_order_engagement"}
	case "owner":
		// Names repeat: owners walked by name and id, each one's risks by id.
		vals = keySegment{join: "users o", on: "o.id = risks.owner_id", cols: []string{"o.name", "o.id"}, index: "risks_order_owner"}
	default:
		vals, nullable = keySegment{cols: []string{"risks.residual_score", "risks.inherent_score"}, index: "risks_order_residual"}, false
		desc = f.Dir != "asc"
	}
	if !nullable {
		return []keySegment{vals}, desc
	}
	nulls := keySegment{where: map[string]string{"review": "risks.next_review IS NULL",
		"engagement": "risks.engagement_id IS NULL", "owner": "risks.owner_id IS NULL"}[f.Sort]}
	if f.Sort == "review" && f.Status == "" {
		// Implied by the live filter; written out (a literal) so that the
		// partial index risks_live_unreviewed serves the stretch.
		nulls.where += " AND risks.status <> 'closed'"
		nulls.index, nulls.always = "risks_live_unreviewed", true
	}
	// SQLite sorts NULL lowest, PostgreSQL highest: each database keeps its own
	// order, as the OFFSET pages and the export do.
	if sqlite != desc {
		return []keySegment{nulls, vals}, desc
	}
	return []keySegment{vals, nulls}, desc
}

// cursorKey reads the sort key of risk id: the segment it is in and the values
// of that segment's columns, then its id.
func (f RiskFilter) cursorKey(db *gorm.DB, segs []keySegment, id uint) (int, []any, error) {
	var k struct {
		ID                           uint
		Ref, Title, Category, Status string
		InherentScore, ResidualScore int
		NextReview, RaisedOn         Date
		Code, Name                   *string
		OwnerID                      *uint
	}
	err := db.Table("risks").Select(`risks.id, risks.ref, risks.title, risks.category, risks.status,
		risks.inherent_score, risks.residual_score, risks.next_review, risks.raised_on, e.code, o.name, risks.owner_id`).
		Joins("LEFT JOIN engagements e ON e.id = risks.engagement_id").Joins("LEFT JOIN users o ON o.id = risks.owner_id").
		Where("risks.id = ?", id).Take(&k).Error
	if err != nil {
		return 0, nil, err
	}
	var vals []any
	null := false
	switch f.Sort {
	case "ref":
		vals = []any{k.Ref}
	case "title":
		vals = []any{k.Title}
	case "category":
		vals = []any{k.Category}
	case "inherent":
		vals = []any{k.InherentScore}
	case "status":
		vals = []any{k.Status}
	case "raised":
		vals = []any{k.RaisedOn}
	case "review":
		vals, null = []any{k.NextReview}, k.NextReview.IsZero()
	case "engagement":
		null = k.Code == nil
		if !null {
			vals = []any{*k.Code}
		}
	case "owner":
		null = k.Name == nil || k.OwnerID == nil
		if !null {
			vals = []any{*k.Name, *k.OwnerID}
		}
	default:
		vals = []any{k.ResidualScore, k.InherentScore}
	}
	for i, s := range segs {
		if (len(s.cols) == 0) == null {
			if null {
				vals = nil
			}
			return i, append(vals, k.ID), nil
		}
	}
	return 0, nil, errors.New("risk cursor: no segment for the key")
}

// segment is the FROM of a segment's query, with its condition. With walk set
// (SQLite, many matches), the query walks the index of the order, the joined
// table first for the engagement and owner sorts (CROSS JOIN fixes SQLite's
// join order): SQLite would otherwise gather the matches and sort them.
func (f RiskFilter) segment(db *gorm.DB, seg keySegment, walk bool) *gorm.DB {
	var q *gorm.DB
	switch {
	case walk && seg.join != "":
		q = db.Table(seg.join + " CROSS JOIN risks INDEXED BY " + seg.index + " ON " + seg.on)
	case walk && seg.index != "":
		q = db.Table("risks INDEXED BY " + seg.index)
	case seg.join != "":
		q = db.Table("risks").Joins("JOIN " + seg.join + " ON " + seg.on)
	default:
		q = db.Table("risks")
	}
	if seg.where != "" {
		q = q.Where(seg.where)
	}
	return q
}

// segmentRows reads up to limit rows of one segment in order (reversed when
// desc), after key when set, skipping offset, as ids.
func (f RiskFilter) segmentRows(db *gorm.DB, s RiskSettings, today Date, seg keySegment, desc, scan bool, key []any, offset, limit int) ([]uint, error) {
	q := f.apply(f.segment(db, seg, (scan || seg.always) && IsSQLite(db)), s, today, true)
	cols := append(slices.Clone(seg.cols), "risks.id")
	op, dir := " > ", " ASC"
	if desc {
		op, dir = " < ", " DESC"
	}
	if key != nil {
		// The leading column's bound lets the database seek to it even
		// when the row value spans two tables (engagement, owner sorts).
		q = q.Where(cols[0]+op[:2]+"= ?", key[0])
		q = q.Where("("+strings.Join(cols, ", ")+")"+op+"("+strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+")", key...)
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c + dir
	}
	var ids []uint
	err := q.Order(strings.Join(order, ", ")).Offset(offset).Limit(limit).Pluck("risks.id", &ids).Error
	return ids, err
}

// walk reads up to limit ids along segs (reversed when back), starting after
// key in segment from (at the start of segs when key is nil), skipping offset.
func (f RiskFilter) walk(db *gorm.DB, s RiskSettings, today Date, segs []keySegment, desc, back, scan bool, from int, key []any, offset, limit int) ([]uint, error) {
	order := make([]int, 0, len(segs))
	for i := range segs {
		order = append(order, i)
	}
	if back {
		slices.Reverse(order)
		desc = !desc
	}
	var out []uint
	started := key == nil
	for _, i := range order {
		if !started {
			if i != from {
				continue
			}
			started = true
		} else {
			key = nil
		}
		if f.VendorID != 0 && segs[i].where == "risks.engagement_id IS NULL" {
			continue // a vendor's risks all have an engagement
		}
		if offset > 0 && i != order[len(order)-1] {
			// Skip a whole segment by its count, so OFFSET never crosses one
			// (the last one needs no count: the offset falls in it).
			var n int64
			if err := f.apply(f.segment(db, segs[i], segs[i].always && IsSQLite(db)), s, today, true).Count(&n).Error; err != nil {
				return nil, err
			}
			if int64(offset) >= n {
				offset -= int(n)
				continue
			}
		}
		ids, err := f.segmentRows(db, s, today, segs[i], desc, scan, key, offset, limit-len(out))
		if err != nil {
			return nil, err
		}
		offset = 0
		if out = append(out, ids...); len(out) >= limit {
			break
		}
	}
	return out, nil
}

// PageRisks reads the page of the register f asks for, total being the number
// of matching risks (TallyRisks): the page after f.After or before f.Before
// (keyset), else page f.Page (clamped to the pages there are), counted from the
// nearer end. The rows of a live page hold registerColumns, with the
// engagement's code and name and the owner's name; PerPage 0 (every row) and
// the past read whole rows.
func PageRisks(ctx context.Context, db *gorm.DB, s RiskSettings, today Date, f RiskFilter, total int64) (RiskPage, error) {
	db = db.WithContext(shortReads(db, ctx, f))
	per := f.PerPage
	p := RiskPage{Page: 1, Last: 1}
	if per > 0 && total > 0 {
		p.Last = int((total + int64(per) - 1) / int64(per))
	}
	p.Page = min(max(f.Page, 1), p.Last)
	if !f.AsAt.IsZero() || per == 0 {
		f.Page = p.Page
		err := f.ordered(db, s, today, false).Find(&p.Rows).Error
		if err == nil {
			err = loadRiskRelations(db, p.Rows)
		}
		p.HasPrev, p.HasNext = p.Page > 1, p.Page < p.Last
		return p, err
	}
	sqlite := IsSQLite(db)
	segs, desc := f.sortSegments(sqlite)
	scan := total > orderScanAbove
	var ids []uint
	var err error
	cursor := func(id uint) (int, []any, bool, error) {
		seg, key, err := f.cursorKey(db, segs, id)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, nil, false, nil // a stale link: fall back to the page number
		}
		return seg, key, err == nil, err
	}
	switch {
	case f.After != 0:
		seg, key, ok, cerr := cursor(f.After)
		if cerr != nil {
			return p, cerr
		}
		if ok {
			if ids, err = f.walk(db, s, today, segs, desc, false, scan, seg, key, 0, per+1); err != nil {
				return p, err
			}
			p.Page = min(max(f.Page, 2), p.Last)
			p.HasPrev, p.HasNext = true, len(ids) > per
			return p, f.load(db, &p, ids[:min(len(ids), per)])
		}
	case f.Before != 0:
		seg, key, ok, cerr := cursor(f.Before)
		if cerr != nil {
			return p, cerr
		}
		if ok {
			if ids, err = f.walk(db, s, today, segs, desc, true, scan, seg, key, 0, per+1); err != nil {
				return p, err
			}
			if len(ids) > per { // else fewer than a page before it: show the first page
				slices.Reverse(ids[:per])
				p.Page = min(max(f.Page, 2), p.Last)
				p.HasPrev, p.HasNext = true, true
				return p, f.load(db, &p, ids[:per])
			}
			p.Page = 1
		}
	}
	p.HasPrev, p.HasNext = p.Page > 1, p.Page < p.Last
	fromStart := (p.Page - 1) * per
	end := min(int64(p.Page*per), total)
	fromEnd := int(total - end)
	if fromEnd < fromStart {
		ids, err = f.walk(db, s, today, segs, desc, true, scan, 0, nil, fromEnd, int(end)-fromStart)
		slices.Reverse(ids)
	} else {
		ids, err = f.walk(db, s, today, segs, desc, false, scan, 0, nil, fromStart, per)
	}
	if err != nil {
		return p, err
	}
	return p, f.load(db, &p, ids)
}

// registerColumns are the columns a register row shows or acts on (its
// quick actions included): a page of 50 rows reads nothing else, neither the
// long texts nor the levels behind the scores, the response, the dates raised
// and of acceptance expiry, or the timestamps. Dates are read as text on
// SQLite (see dateColumn).
func registerColumns(db *gorm.DB) string {
	return `id, engagement_id, ref, title, category, inherent_score, residual_score, owner_id, status, ` +
		dateColumn(db, "next_review") + ", " + dateColumn(db, "closed_on") + ", closed_reason, accepted_by, version"
}

// dateColumn reads a DATE column as Date scans it best. On SQLite that is its
// text, YYYY-MM-DD: the driver would otherwise turn every DATE value into a
// time.Time by trying its timestamp layouts one after another, a quarter of the
// CPU of reading a page of risks and most of an export's. PostgreSQL sends
// dates as dates (as text their form would depend on its DateStyle).
func dateColumn(db *gorm.DB, col string) string {
	if !IsSQLite(db) {
		return col
	}
	return "CAST(" + col + " AS TEXT) AS " + col[strings.LastIndex(col, ".")+1:]
}

// shortReads is the context of a page's reads. On SQLite a context that can be
// cancelled makes the driver fetch every row on a goroutine of its own (to
// interrupt a long query); the live register's statements walk an index for at
// most a few thousand entries and cannot run long, so they do without. The
// past (a replay of the history) and a search (a common word can match much
// of the register) keep the request's context, so that they stop when the
// browser goes away.
func shortReads(db *gorm.DB, ctx context.Context, f RiskFilter) context.Context {
	if IsSQLite(db) && f.AsAt.IsZero() && f.MovedSince.IsZero() && len(riskPhrases(f.Q)) == 0 {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// load fills p.Rows with the risks of ids, in that order (registerColumns),
// with their engagement's id, code and name and their owner's name.
func (f RiskFilter) load(db *gorm.DB, p *RiskPage, ids []uint) error {
	p.Rows = nil
	if len(ids) == 0 {
		return nil
	}
	var rows []Risk
	if err := db.Select(registerColumns(db)).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return err
	}
	byID := make(map[uint]Risk, len(rows))
	engIDs, ownIDs := map[uint]bool{}, map[uint]bool{}
	for _, r := range rows {
		byID[r.ID] = r
		if r.EngagementID != nil {
			engIDs[*r.EngagementID] = true
		}
		if r.OwnerID != nil {
			ownIDs[*r.OwnerID] = true
		}
	}
	var engs []Engagement
	var users []User
	if len(engIDs) > 0 {
		if err := db.Select("id, code, name").Where("id IN ?", chunkIDs(engIDs)[0]).Find(&engs).Error; err != nil {
			return err
		}
	}
	if len(ownIDs) > 0 {
		if err := db.Select("id, name, email, role").Where("id IN ?", chunkIDs(ownIDs)[0]).Find(&users).Error; err != nil {
			return err
		}
	}
	eng := make(map[uint]*Engagement, len(engs))
	for i := range engs {
		eng[engs[i].ID] = &engs[i]
	}
	own := make(map[uint]*User, len(users))
	for i := range users {
		own[users[i].ID] = &users[i]
	}
	p.Rows = make([]Risk, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			continue
		}
		if r.EngagementID != nil {
			r.Engagement = eng[*r.EngagementID]
		}
		if r.OwnerID != nil {
			r.Owner = own[*r.OwnerID]
		}
		p.Rows = append(p.Rows, r)
	}
	return nil
}
