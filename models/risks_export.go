package models

import (
	"context"

	"gorm.io/gorm"
)

// RiskExportRow is a risk with what an export prints of its relations: the
// engagement's code (how an import names it) and the owner's name and email
// (how an import resolves the owner).
type RiskExportRow struct {
	Risk
	EngagementCode string
	OwnerName      string
	OwnerEmail     string
}

// EachRisk streams every risk matching f (all pages, in the register's order)
// to fn, one row at a time from the database cursor: an export of 100,000 risks
// never holds them all in memory. fn returning an error stops the stream.
func EachRisk(ctx context.Context, db *gorm.DB, s RiskSettings, today Date, f RiskFilter, fn func(RiskExportRow) error) error {
	db = db.WithContext(ctx)
	f.Page, f.PerPage = 1, 0
	rows, err := f.ordered(db, s, today).
		Select("risks.*, e.code AS engagement_code, o.name AS owner_name, o.email AS owner_email").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r RiskExportRow
		if err := db.ScanRows(rows, &r); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
