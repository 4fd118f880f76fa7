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
// to fn, one row at a time from the database cursor: an export of 100,000 risks
// never holds them all in memory. fn returning an error stops the stream.
func EachRisk(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter, fn func(RiskExportRow) error) error {
	qctx := ctx
	if models.IsSQLite(db) {
		// Not cancellable, so that the driver does not fetch each of the
		// rows on a goroutine of its own; the loop checks ctx instead.
		qctx = context.WithoutCancel(ctx)
	}
	db = db.WithContext(qctx)
	f.Page, f.PerPage = 1, 0
	rows, err := f.ordered(db, s, today, true).Select(exportColumns(db)).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
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
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
