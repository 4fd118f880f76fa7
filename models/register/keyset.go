package register

// The keyset walk behind PageRisks: a sort order as segments (a nullable key
// splits it in two), the key of a cursor row, and the walk along the segments
// from a key, forwards or backwards, with an offset for pages by number.

import (
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"

	"portfolio/models"
)

// orderScanAbove is the number of matching risks above which SQLite is told to
// walk the sort order's index (checking the filters on each entry) rather than
// gather the matches through a filter's index and sort them, which reads every
// match's row. At 250,000 risks a page's walk reads about 50 × 250,000 /
// matches index entries (mostly the index alone: it covers the status and
// category): ~12,500 at 1,000 matches, where the two ways cost about the same.
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
		NextReview, RaisedOn         models.Date
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
func (f RiskFilter) segmentRows(db *gorm.DB, s models.RiskSettings, today models.Date, seg keySegment, desc, scan bool, key []any, offset, limit int) ([]uint, error) {
	q := f.apply(f.segment(db, seg, (scan || seg.always) && models.IsSQLite(db)), s, today, true)
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
func (f RiskFilter) walk(db *gorm.DB, s models.RiskSettings, today models.Date, segs []keySegment, desc, back, scan bool, from int, key []any, offset, limit int) ([]uint, error) {
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
			if err := f.apply(f.segment(db, segs[i], segs[i].always && models.IsSQLite(db)), s, today, true).Count(&n).Error; err != nil {
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
