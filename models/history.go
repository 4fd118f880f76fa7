package models

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// ErrStale is returned when a record changed since the form was loaded (its version moved on).
var ErrStale = errors.New("the record was changed by someone else")

var naming = schema.NamingStrategy{}

// moneyColumns are history fields shown as decimal amounts rather than minor units.
var moneyColumns = map[string]bool{"baseline": true, "vendor_fees": true, "retained": true, "one_off": true,
	"credits": true, "planned_savings": true, "contract_value": true}

// Diff compares two values of the same struct type field by field and returns a
// change for every listed field (Go field names) whose value differs.
func Diff(entity string, id uint, userID *uint, at time.Time, old, new any, fields ...string) []Change {
	ov, nv := reflect.Indirect(reflect.ValueOf(old)), reflect.Indirect(reflect.ValueOf(new))
	var out []Change
	for _, f := range fields {
		col := naming.ColumnName("", f)
		o, n := FormatValue(col, ov.FieldByName(f).Interface()), FormatValue(col, nv.FieldByName(f).Interface())
		if o != n {
			out = append(out, Change{Entity: entity, EntityID: id, Action: "update", Field: col, Old: o, New: n, UserID: userID, At: at})
		}
	}
	return out
}

// Created records the creation of a record with its initial values of fields.
func Created(entity string, id uint, userID *uint, at time.Time, v any, fields ...string) []Change {
	rv := reflect.Indirect(reflect.ValueOf(v))
	out := []Change{{Entity: entity, EntityID: id, Action: "create", UserID: userID, At: at}}
	for _, f := range fields {
		col := naming.ColumnName("", f)
		if s := FormatValue(col, rv.FieldByName(f).Interface()); s != "" {
			out = append(out, Change{Entity: entity, EntityID: id, Action: "create", Field: col, New: s, UserID: userID, At: at})
		}
	}
	return out
}

// FormatValue writes a field value as history text: dates as ISO, ids as numbers,
// amounts as decimals, absent values as "".
func FormatValue(col string, v any) string {
	switch x := v.(type) {
	case Date:
		return x.String()
	case *uint:
		if x == nil {
			return ""
		}
		return fmt.Sprint(*x)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case int64:
		if moneyColumns[col] {
			return FormatMinor(x, true)
		}
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprint(v)
}

// RecordChanges writes history rows (in the caller's transaction).
func RecordChanges(tx *gorm.DB, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	return tx.Create(&changes).Error
}

// UpdateVersioned writes cols to the row id of model's table if its version is
// still version, and moves the version on; ErrStale when someone saved first.
func UpdateVersioned(tx *gorm.DB, model any, id uint, version int, cols map[string]any) error {
	cols["version"] = gorm.Expr("version + 1")
	res := tx.Model(model).Where("id = ? AND version = ?", id, version).UpdateColumns(cols)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrStale
	}
	return nil
}

// History lists the changes of one record, newest first, with their
// authors, as people read them (readable): its creation one entry, names for ids.
func History(tx *gorm.DB, entity string, id uint) ([]Change, error) {
	var out []Change
	if err := tx.Preload("User").Where("entity = ? AND entity_id = ?", entity, id).Order("at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, err
	}
	return readable(tx, out)
}

// LatestChange is the newest change of a record (with its author), or ok
// false when it has none: what a save merged with someone else's names.
func LatestChange(ctx context.Context, db *gorm.DB, entity string, id uint) (c Change, ok bool, err error) {
	err = db.WithContext(ctx).Preload("User").Where("entity = ? AND entity_id = ?", entity, id).Order("at DESC, id DESC").Limit(1).Find(&c).Error
	return c, c.ID != 0, err
}

// HistoryOf is History with a context.
func HistoryOf(ctx context.Context, db *gorm.DB, entity string, id uint) ([]Change, error) {
	return History(db.WithContext(ctx), entity, id)
}

// LatestChangeAmong is the newest change of any of the records ids of an
// entity (ok false when none has one): a month's results are a record a line.
func LatestChangeAmong(ctx context.Context, db *gorm.DB, entity string, ids []uint) (c Change, ok bool, err error) {
	if len(ids) == 0 {
		return c, false, nil
	}
	err = db.WithContext(ctx).Preload("User").Where("entity = ? AND entity_id IN ?", entity, ids).Order("at DESC, id DESC").Limit(1).Find(&c).Error
	return c, c.ID != 0, err
}
