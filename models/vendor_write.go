package models

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// VendorFields are the fields of a vendor's profile and scorecard an
// administrator edits; each change to one is a history row.
var VendorFields = []string{"Name", "Country", "DeliveryLocations", "Tier", "Expertise", "TrackRecord",
	"FinancialStability", "CulturalFit", "SecurityPosture", "ReferencesChecked", "Notes"}

// VendorTiers are the partner tiers: 1 strategic, 2 preferred, 3 approved.
var VendorTiers = []int{1, 2, 3}

func checkVendorName(tx *gorm.DB, v *Vendor) error {
	var n int64
	if err := tx.Model(&Vendor{}).Where("LOWER(name) = ? AND id <> ?", strings.ToLower(v.Name), v.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ruleErr("name", "Another vendor is called %s.", v.Name)
	}
	return nil
}

// CreateVendor stores a new vendor and its creation in the history.
func CreateVendor(ctx context.Context, db *gorm.DB, v *Vendor, userID *uint) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := checkVendorName(tx, v); err != nil {
			return err
		}
		v.ID, v.Version, v.Archived = 0, 1, false
		if err := tx.Create(v).Error; err != nil {
			return err
		}
		return RecordChanges(tx, Created("vendor", v.ID, userID, NowOf(tx), v, VendorFields...))
	})
}

// UpdateVendor writes an edit of a vendor if it is still at version; ErrStale when someone saved first.
func UpdateVendor(ctx context.Context, db *gorm.DB, id uint, version int, in Vendor, userID *uint) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old Vendor
		if err := tx.First(&old, id).Error; err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		in.ID = id
		if err := checkVendorName(tx, &in); err != nil {
			return err
		}
		cols := map[string]any{}
		for _, f := range VendorFields {
			cols[naming.ColumnName("", f)] = fieldValue(in, f)
		}
		if err := UpdateVersioned(tx, &Vendor{}, id, version, cols); err != nil {
			return err
		}
		return RecordChanges(tx, Diff("vendor", id, userID, NowOf(tx), old, in, VendorFields...))
	})
}

// SetVendorArchived archives (or restores) a vendor at version. Nothing is
// deleted: an archived vendor leaves the lists and the choices for new
// engagements, and keeps its engagements and history. A vendor with active
// engagements cannot be archived.
func SetVendorArchived(ctx context.Context, db *gorm.DB, id uint, version int, archived bool, userID *uint) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old Vendor
		if err := tx.First(&old, id).Error; err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		if old.Archived == archived {
			return nil
		}
		if archived {
			var n int64
			if err := tx.Model(&Engagement{}).Where("vendor_id = ? AND closed_on IS NULL", id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return ruleErr("_form", "%s has %d active engagements; close them or move them to another vendor first.", old.Name, n)
			}
		}
		if err := UpdateVersioned(tx, &Vendor{}, id, version, map[string]any{"archived": archived}); err != nil {
			return err
		}
		next := old
		next.Archived = archived
		changes := Diff("vendor", id, userID, NowOf(tx), old, next, "Archived")
		for i := range changes {
			changes[i].Action = map[bool]string{true: "archive", false: "restore"}[archived]
		}
		return RecordChanges(tx, changes)
	})
}
