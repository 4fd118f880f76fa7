package register

// Pages by number without skipping. A page asked for by its number in the
// middle of the register (?page=154) would skip every index entry before it,
// from the nearer end: thousands per request. Instead one walk of the order
// reads where every page ends (one row in 50, numbered by the database, sent
// as its sort key), and that list is cached under the data version it was read
// at (Cache): page N is then a seek past the end of page N-1, as a
// Next link is, until a write moves the version.

import (
	"strings"

	"gorm.io/gorm"

	"portfolio/models"
)

// pageEndsAbove is how many pages from the nearer end a page by number may be
// and still be counted to (a few hundred index entries at most); deeper pages
// seek from the end of the page before (pageEnds). A variable for the tests,
// which seek every page.
var pageEndsAbove = 4

// pageEnd is the last row of a page: its segment of the order and its sort
// key (see cursorKey).
type pageEnd struct {
	seg int
	key []any
}

// pageIndex is what is cached of a filter's order to serve its pages by number:
// the ids of every matching risk in order when there are at most pageIDsUpTo
// (a page is then a slice of them: no walk at all), else the page ends.
type pageIndex struct {
	ends []pageEnd
	ids  []uint
}

// pageIDsUpTo is the most matches whose ids are cached in order (8 bytes each:
// 160 KB), rather than only where each page ends. A variable for the tests,
// which check both ways.
var pageIDsUpTo int64 = 20000

// readPageIndex reads the index of f's order: its ids when total (the
// filter's count) is small enough, else its page ends.
func (f RiskFilter) readPageIndex(db *gorm.DB, s models.RiskSettings, today models.Date, segs []keySegment, desc, scan bool, total int64) (pageIndex, error) {
	if total > pageIDsUpTo {
		ends, err := f.pageEnds(db, s, today, segs, desc, scan)
		return pageIndex{ends: ends}, err
	}
	ids := make([]uint, 0, total)
	for _, seg := range segs {
		if f.VendorID != 0 && seg.where == "risks.engagement_id IS NULL" {
			continue // a vendor's risks all have an engagement
		}
		part, err := f.segmentRows(db, s, today, seg, desc, scan, nil, 0, -1)
		if err != nil {
			return pageIndex{}, err
		}
		ids = append(ids, part...)
	}
	return pageIndex{ids: ids}, nil
}

// pageEnds reads the ends of the pages of f (f.PerPage rows each) in the order
// of segs, but for the last page's: one statement per segment numbering its
// rows in order on the database (ROW_NUMBER over the order's index on SQLite
// when scan says it is walked, as segmentRows does) and sending every
// PerPage-th, and a count of each segment but the last, which numbers the
// next one's rows on.
func (f RiskFilter) pageEnds(db *gorm.DB, s models.RiskSettings, today models.Date, segs []keySegment, desc, scan bool) ([]pageEnd, error) {
	per := f.PerPage
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	var out []pageEnd
	before := int64(0) // rows in the segments before this one
	for i, seg := range segs {
		if f.VendorID != 0 && seg.where == "risks.engagement_id IS NULL" {
			continue // a vendor's risks all have an engagement
		}
		walk := (scan || seg.always) && models.IsSQLite(db)
		cols := append(append([]string{}, seg.cols...), "risks.id")
		sel := make([]string, len(cols))
		order := make([]string, len(cols))
		outer := make([]string, len(cols))
		for j, c := range cols {
			sel[j] = c + " AS k" + string(rune('0'+j))
			order[j] = c + dir
			outer[j] = "x.k" + string(rune('0'+j))
		}
		inner := f.apply(f.segment(db, seg, walk), s, today, true).
			Select(strings.Join(sel, ", ") + ", ROW_NUMBER() OVER (ORDER BY " + strings.Join(order, ", ") + ") AS rn")
		rows, err := db.Table("(?) AS x", inner).Select(strings.Join(outer, ", ")).
			Where("(x.rn + ?) % ? = 0", before, per).Order("x.rn").Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			h := f.keyHolders(len(seg.cols))
			if err := rows.Scan(h...); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, pageEnd{seg: i, key: keyValues(h)})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if i < len(segs)-1 {
			var n int64
			if err := f.apply(f.segment(db, seg, seg.always && models.IsSQLite(db)), s, today, true).Count(&n).Error; err != nil {
				return nil, err
			}
			before += n
		}
	}
	return out, nil
}

// keyHolders are typed destinations for a sort key of cols columns (none in a
// segment of rows without the key) and the id, as cursorKey types them: a
// seek binds them back, and a date must bind as a Date (a time would compare
// as another text on SQLite).
func (f RiskFilter) keyHolders(cols int) []any {
	var h []any
	if cols > 0 {
		switch f.Sort {
		case "ref", "title", "category", "status", "engagement":
			h = []any{new(string)}
		case "inherent":
			h = []any{new(int)}
		case "raised", "review":
			h = []any{new(models.Date)}
		case "owner":
			h = []any{new(string), new(uint)}
		default:
			h = []any{new(int), new(int)}
		}
	}
	return append(h, new(uint))
}

// keyValues are the values keyHolders were scanned into.
func keyValues(h []any) []any {
	out := make([]any, len(h))
	for i, p := range h {
		switch x := p.(type) {
		case *string:
			out[i] = *x
		case *int:
			out[i] = *x
		case *uint:
			out[i] = *x
		case *models.Date:
			out[i] = *x
		}
	}
	return out
}
