package models

import (
	"context"
	"strings"

	"gorm.io/gorm"
)

// The small reads the pages make of one record or a list of choices: handlers
// read through these and never query the database themselves.

// DB is the database handle the app opens (Open) and handlers pass to
// models; they never query it themselves (a test in handlers checks).
type DB = gorm.DB

// First reads the record of type T with id (gorm.ErrRecordNotFound, a 404,
// when there is none), loading the named associations.
func First[T any](ctx context.Context, db *gorm.DB, id uint, preload ...string) (T, error) {
	var r T
	q := db.WithContext(ctx)
	for _, p := range preload {
		q = q.Preload(p)
	}
	err := q.First(&r, id).Error
	return r, err
}

// EngagementByCode finds an engagement's id, code and name by its code (ok
// false when no engagement has it).
func EngagementByCode(ctx context.Context, db *gorm.DB, code string) (e Engagement, ok bool, err error) {
	err = db.WithContext(ctx).Select("id, code, name").Where("code = ?", code).Limit(1).Find(&e).Error
	return e, e.ID != 0, err
}

// EngagementChoices lists every engagement's id, code and name by code, for a
// form's select; when there are more than max, none, and tooMany (the form
// then asks for a code to be typed).
func EngagementChoices(ctx context.Context, db *gorm.DB, max int) (out []Engagement, tooMany bool, err error) {
	db = db.WithContext(ctx)
	var n int64
	if err := db.Model(&Engagement{}).Count(&n).Error; err != nil {
		return nil, false, err
	}
	if n > int64(max) {
		return nil, true, nil
	}
	err = db.Select("id, code, name").Order("code").Find(&out).Error
	return out, false, err
}

// VendorChoices lists vendors' ids and names by name: the live ones, and
// keep (a filter's archived vendor) as well; all of them when all.
func VendorChoices(ctx context.Context, db *gorm.DB, keep uint, all bool) ([]Vendor, error) {
	var out []Vendor
	q := db.WithContext(ctx).Select("id, name").Order("name")
	if !all {
		q = q.Where("NOT archived OR id = ?", keep)
	}
	err := q.Find(&out).Error
	return out, err
}

// UserEnabled reports whether id is an enabled user (someone a record can be given to).
func UserEnabled(ctx context.Context, db *gorm.DB, id uint) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&User{}).Where("id = ? AND disabled = ?", id, false).Count(&n).Error
	return n > 0, err
}

// RiskRow reads a risk with its engagement and owner joined, in one statement.
func RiskRow(ctx context.Context, db *gorm.DB, id uint) (Risk, error) {
	var r Risk
	err := db.WithContext(ctx).Joins("Engagement").Joins("Owner").First(&r, id).Error
	return r, err
}

// MitigationsOf lists a risk's mitigation actions with their owners, by due date.
func MitigationsOf(ctx context.Context, db *gorm.DB, riskID uint) ([]MitigationAction, error) {
	var out []MitigationAction
	err := db.WithContext(ctx).Preload("Owner").Where("risk_id = ?", riskID).Order("due, id").Find(&out).Error
	return out, err
}

// FirstCostMonth is the earliest month with a cost record (zero when none).
func FirstCostMonth(ctx context.Context, db *gorm.DB) (Date, error) {
	var first Date
	err := db.WithContext(ctx).Model(&CostRecord{}).Select("MIN(month)").Scan(&first).Error
	return first, err
}

// PublishedQuarters are the published portfolio packs' latest versions, by quarter.
func PublishedQuarters(ctx context.Context, db *gorm.DB) (map[string]PublishedPack, error) {
	var rows []PublishedPack
	if err := db.WithContext(ctx).Select("id, quarter, published_by, published_at, version, reason").
		Where("engagement_id IS NULL").Order("quarter, version").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]PublishedPack{}
	for _, r := range rows {
		out[r.Quarter] = r // the later version replaces the earlier
	}
	return out, nil
}

// LatestSettingChange is the newest change of a setting, with its author (ok
// false when it was never changed).
func LatestSettingChange(ctx context.Context, db *gorm.DB, key string) (c Change, ok bool, err error) {
	err = db.WithContext(ctx).Preload("User").Where("entity = ? AND field = ?", "setting", key).
		Order("at DESC, id DESC").Limit(1).Find(&c).Error
	return c, c.ID != 0, err
}

// PhaseMoves are an engagement's lifecycle moves in order, and the names of
// the people who made them, by id.
func PhaseMoves(ctx context.Context, db *gorm.DB, engagementID uint) ([]PhaseChange, map[uint]string, error) {
	db = db.WithContext(ctx)
	var moves []PhaseChange
	if err := db.Where("engagement_id = ?", engagementID).Order("changed_on, id").Find(&moves).Error; err != nil {
		return nil, nil, err
	}
	var users []User
	if err := db.Select("id, name").Where("id IN (SELECT user_id FROM phase_changes WHERE engagement_id = ? AND user_id IS NOT NULL)", engagementID).
		Find(&users).Error; err != nil {
		return nil, nil, err
	}
	names := map[uint]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return moves, names, nil
}

// EachRow streams a query's rows into fn, one scanned T at a time, never
// holding the whole result (an export of the whole register).
func EachRow[T any](q *gorm.DB, fn func(T) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := q.ScanRows(rows, &v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CostExportRow is a cost record with its engagement's code and name, as exported.
type CostExportRow struct {
	CostRecord
	Code, EngagementName string
}

// EachCostRecord streams the cost records of a slice of the portfolio (an
// engagement, a vendor, a tower: zero values leave a filter out), by
// engagement code and month.
func EachCostRecord(ctx context.Context, db *gorm.DB, engagementID, vendorID uint, tower string, fn func(CostExportRow) error) error {
	q := db.WithContext(ctx).Table("cost_records").
		Joins("JOIN engagements e ON e.id = cost_records.engagement_id").
		Select("cost_records.*, e.code AS code, e.name AS engagement_name").Order("e.code, cost_records.month")
	if engagementID != 0 {
		q = q.Where("e.id = ?", engagementID)
	}
	if vendorID != 0 {
		q = q.Where("e.vendor_id = ?", vendorID)
	}
	if tower != "" {
		q = q.Where("e.tower = ?", tower)
	}
	return EachRow(q, fn)
}

// EngagementExportRow is an engagement with its vendor's and manager's names, as exported.
type EngagementExportRow struct {
	Engagement
	VendorName, ManagerName string
}

// EachEngagement streams the engagements f selects (every page), by code.
func EachEngagement(ctx context.Context, db *gorm.DB, f EngagementFilter, fn func(EngagementExportRow) error) error {
	q := f.Scope(db.WithContext(ctx).Model(&Engagement{}).Joins(`JOIN vendors "Vendor" ON "Vendor".id = engagements.vendor_id`)).
		Joins("LEFT JOIN users m ON m.id = engagements.manager_id").
		Select(`engagements.*, "Vendor".name AS vendor_name, m.name AS manager_name`).Order("engagements.code")
	return EachRow(q, fn)
}

// CostRecordOf reads one of an engagement's cost records (not found, a 404,
// when the id is another engagement's).
func CostRecordOf(ctx context.Context, db *gorm.DB, engagementID, id uint) (CostRecord, error) {
	var r CostRecord
	err := db.WithContext(ctx).Where("id = ? AND engagement_id = ?", id, engagementID).First(&r).Error
	return r, err
}

// ManagerChoices lists the enabled users who may manage an engagement
// (managers and admins), by name.
func ManagerChoices(ctx context.Context, db *gorm.DB) ([]User, error) {
	var out []User
	err := db.WithContext(ctx).Select("id, name, role").Where("role IN ? AND NOT disabled", []string{RoleManager, RoleAdmin}).
		Order("name").Find(&out).Error
	return out, err
}

// EngagementManagers lists an engagement's further managers (beyond its lead), by name.
func EngagementManagers(ctx context.Context, db *gorm.DB, engagementID uint) ([]User, error) {
	var out []User
	err := db.WithContext(ctx).Select("id, name").Where("id IN (SELECT user_id FROM engagement_managers WHERE engagement_id = ?)", engagementID).
		Order("name").Find(&out).Error
	return out, err
}

// EngagementByCodeFold finds an engagement by its code in any case (ok false
// when none has it).
func EngagementByCodeFold(ctx context.Context, db *gorm.DB, code string) (e Engagement, ok bool, err error) {
	err = db.WithContext(ctx).Select("id, code, name, tower, phase").Where("LOWER(code) = ?", strings.ToLower(code)).Limit(1).Find(&e).Error
	return e, e.ID != 0, err
}

// RiskByRef finds a risk's id, reference and title by its reference in any
// case (ok false when none has it).
func RiskByRef(ctx context.Context, db *gorm.DB, ref string) (r Risk, ok bool, err error) {
	err = db.WithContext(ctx).Select("id, ref, title").Where("LOWER(ref) = ?", strings.ToLower(ref)).Limit(1).Find(&r).Error
	return r, r.ID != 0, err
}

// Find reads the record of type T with id, if there is one (ok false when not).
func Find[T any](ctx context.Context, db *gorm.DB, id uint) (r T, ok bool, err error) {
	res := db.WithContext(ctx).Limit(1).Find(&r, id)
	return r, res.RowsAffected > 0, res.Error
}

// EscapeLike escapes LIKE wildcards so user text matches literally.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
