package register

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
	"database/sql"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"

	"portfolio/models"
)

// RiskPage is one page of the register and where it sits.
type RiskPage struct {
	Rows             []models.Risk
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

// PageRisks reads the page of the register f asks for, total being the number
// of matching risks (TallyRisks): the page after f.After or before f.Before
// (keyset), else page f.Page (clamped to the pages there are), counted from the
// nearer end. The rows of a live page hold what a row shows (see load); PerPage
// 0 (every row) and the past read whole rows. Cache.Page also seeks a
// page by number in the middle of the register.
func PageRisks(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter, total int64) (RiskPage, error) {
	return pageRisks(ctx, db, s, today, f, total, nil)
}

// pageEndsFunc gives the ends of every page of f in its sort order (see
// pageEnds), or none when a page by number is to count from the nearer end.
// With cachedOnly set it gives them only if they are cached (no reading).
type pageEndsFunc func(db *gorm.DB, segs []keySegment, desc, scan, cachedOnly bool) (pageIndex, error)

func pageRisks(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter, total int64, ends pageEndsFunc) (RiskPage, error) {
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
	sqlite := models.IsSQLite(db)
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
	if deep := min(fromStart, fromEnd) > pageEndsAbove*per; ends != nil && p.Page > 1 {
		// Deep in the register, or wherever the ends are at hand: seek from the
		// end of the page before, as a Next link does, rather than skip every
		// entry before it (near the last page, counting the entries after it
		// would read every match of the filter).
		x, err := ends(db, segs, desc, scan, !deep)
		if err != nil {
			return p, err
		}
		if lo := (p.Page - 1) * per; lo < len(x.ids) {
			return p, f.load(db, &p, x.ids[lo:min(lo+per, len(x.ids))])
		}
		if i := p.Page - 2; i < len(x.ends) {
			if ids, err = f.walk(db, s, today, segs, desc, false, scan, x.ends[i].seg, x.ends[i].key, 0, per); err != nil {
				return p, err
			}
			return p, f.load(db, &p, ids)
		}
		// No ends (the first page by number of f at this version), or fewer
		// than the total says (read after a write the total was not): count.
	}
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

// dateColumn reads a DATE column as Date scans it best. On SQLite that is its
// text, YYYY-MM-DD: the driver would otherwise turn every DATE value into a
// time.Time by trying its timestamp layouts one after another, for every date
// of every row of a page or an export. PostgreSQL sends
// dates as dates (as text their form would depend on its DateStyle).
func dateColumn(db *gorm.DB, col string) string {
	if !models.IsSQLite(db) {
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
	if models.IsSQLite(db) && f.AsAt.IsZero() && f.MovedSince.IsZero() && len(riskPhrases(f.Q)) == 0 {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// load fills p.Rows with the risks of ids, in that order, with the columns a
// register row shows (the acceptance's expiry among them, flagged once past)
// — not the long texts, the levels behind the scores, the
// response, the other dates, the closure and acceptance (its quick actions
// read the whole risk when opened: risks.quick) or the timestamps — and their
// engagement's id and code and their owner's id and name: one statement
// joining the three tables, scanned column by column (a statement per table
// and GORM's reflection per field were most of the cost of reading a page;
// what is left is mostly the driver's few calls into SQLite per column).
func (f RiskFilter) load(db *gorm.DB, p *RiskPage, ids []uint) error {
	p.Rows = nil
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.Raw(`SELECT risks.id, risks.engagement_id, risks.ref, risks.title, risks.category, risks.inherent_score,
		risks.residual_score, risks.owner_id, risks.status, `+dateColumn(db, "risks.next_review")+`, `+dateColumn(db, "risks.accept_expiry")+`, risks.version, e.code, o.name
		FROM risks LEFT JOIN engagements e ON e.id = risks.engagement_id LEFT JOIN users o ON o.id = risks.owner_id
		WHERE risks.id IN ?`, ids).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	at := make(map[uint]int, len(ids)) // where each id goes on the page
	for i, id := range ids {
		at[id] = i
	}
	p.Rows = make([]models.Risk, len(ids))
	var eng, own sql.NullInt64
	var code, owner sql.NullString
	var r models.Risk
	found := 0
	for rows.Next() {
		r = models.Risk{}
		if err := rows.Scan(&r.ID, &eng, &r.Ref, &r.Title, &r.Category, &r.InherentScore, &r.ResidualScore, &own, &r.Status,
			&r.NextReview, &r.AcceptExpiry, &r.Version, &code, &owner); err != nil {
			return err
		}
		if eng.Valid {
			id := uint(eng.Int64)
			r.EngagementID = &id
			r.Engagement = &models.Engagement{ID: id, Code: code.String}
		}
		if own.Valid {
			id := uint(own.Int64)
			r.OwnerID = &id
			r.Owner = &models.User{ID: id, Name: owner.String}
		}
		if i, ok := at[r.ID]; ok {
			p.Rows[i] = r
			found++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if found < len(ids) { // a risk gone since its id was read: close the gaps
		p.Rows = slices.DeleteFunc(p.Rows, func(r models.Risk) bool { return r.ID == 0 })
	}
	return nil
}
