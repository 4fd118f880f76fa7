package register

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"portfolio/models"
)

// RiskExportRow is a risk with what an export prints of its relations: the
// engagement's code (how an import names it) and the owner's name and email
// (how an import resolves the owner).
type RiskExportRow struct {
	models.Risk
	EngagementCode string
	OwnerName      string
	OwnerEmail     string
}

// exportColumns are the columns EachRisk reads, in scan order (dates: see dateColumn).
func exportColumns(db *gorm.DB) string {
	return `risks.id, risks.engagement_id, risks.ref, risks.title, risks.description, risks.category,
 risks.inherent_likelihood, risks.inherent_impact, risks.inherent_score, risks.residual_likelihood, risks.residual_impact,
 risks.residual_score, risks.response, risks.mitigation, risks.owner_id, risks.status, ` + dateColumn(db, "risks.next_review") + ", " +
		dateColumn(db, "risks.raised_on") + `, ` + dateColumn(db, "risks.closed_on") + `, risks.closed_reason, risks.accepted_by,
 risks.accept_justification, ` + dateColumn(db, "risks.accept_expiry") + `, risks.version, e.code, o.name, o.email`
}

// EachRisk streams every risk matching f (all pages, in the register's order)
// to fn: an export of 100,000 risks never holds them all in memory. The live
// register is read as its order (the matching ids, one short query) and then
// its rows by id, exportChunk at a time, each a short read of its own: one
// cursor held open for as long as a client takes to download the export kept
// SQLite from checkpointing its log, which grew by gigabytes under writes. The rows and their order are those of the moment the export began
// (nothing is deleted, so no row is lost); a row changed meanwhile is printed
// as it is when its chunk is read. A register as at a day (history replayed
// in one statement) streams from one cursor. fn returning an error stops it.
func EachRisk(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter, fn func(RiskExportRow) error) error {
	f.Page, f.PerPage = 1, 0
	if !f.AsAt.IsZero() {
		return scanRisks(ctx, db, f.ordered(db, s, today, true).Select(exportColumns(db)), nil, fn)
	}
	var ids []uint
	if err := f.ordered(db.WithContext(ctx), s, today, true).Select("risks.id").Scan(&ids).Error; err != nil {
		return err
	}
	for start := 0; start < len(ids); start += exportChunk {
		chunk := ids[start:min(start+exportChunk, len(ids))]
		q := db.Table("risks").Joins("LEFT JOIN engagements e ON e.id = risks.engagement_id").
			Joins("LEFT JOIN users o ON o.id = risks.owner_id").Select(exportColumns(db)).Where("risks.id IN ?", chunk)
		if err := scanRisks(ctx, db, q, chunk, fn); err != nil {
			return err
		}
	}
	return nil
}

// exportChunk is how many risks an export reads at a time.
var exportChunk = 5000

// scanRisks reads q's rows (exportColumns) to fn: in the order of ids when
// given (q reads just those), as q orders them otherwise.
func scanRisks(ctx context.Context, db *gorm.DB, q *gorm.DB, ids []uint, fn func(RiskExportRow) error) error {
	qctx := ctx
	if models.IsSQLite(db) {
		// Not cancellable, so that the driver does not fetch each of the
		// rows on a goroutine of its own; the loop checks ctx instead.
		qctx = context.WithoutCancel(ctx)
	}
	rows, err := q.WithContext(qctx).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var byID map[uint]RiskExportRow
	if ids != nil {
		byID = make(map[uint]RiskExportRow, len(ids))
	}
	for n := 0; rows.Next(); n++ {
		if n%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var r RiskExportRow
		var code, name, email sql.NullString
		if err := rows.Scan(&r.ID, &r.EngagementID, &r.Ref, &r.Title, &r.Description, &r.Category,
			&r.InherentLikelihood, &r.InherentImpact, &r.InherentScore, &r.ResidualLikelihood, &r.ResidualImpact,
			&r.ResidualScore, &r.Response, &r.Mitigation, &r.OwnerID, &r.Status, &r.NextReview, &r.RaisedOn,
			&r.ClosedOn, &r.ClosedReason, &r.AcceptedBy, &r.AcceptJustification, &r.AcceptExpiry, &r.Version,
			&code, &name, &email); err != nil {
			return err
		}
		r.EngagementCode, r.OwnerName, r.OwnerEmail = code.String, name.String, email.String
		if byID != nil {
			byID[r.ID] = r
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close() // the chunk's read ends before its rows are written out
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}
