package models

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// The "manages this engagement" rule, in one place: a manager manages the
// engagements they lead (engagements.manager_id) and those they are assigned
// to (engagement_managers). Every query of it is ManagedBy (or managesSQL
// where a statement is written by hand), every check ManagesEngagement.

// managesSQL is the rule as a condition on the engagements aliased e, for
// the user the SQL expression user names (a named parameter or a column).
func managesSQL(e, user string) string {
	return "(" + e + ".manager_id = " + user + " OR " + e + ".id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = " + user + "))"
}

// ManagedBy scopes a query over the engagements table to those userID manages.
func ManagedBy(userID uint) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		return q.Where(managesSQL("engagements", "@manager"), sql.Named("manager", userID))
	}
}

// ManagesEngagement reports whether a user is the lead or an assigned manager of an engagement.
func ManagesEngagement(ctx context.Context, db *gorm.DB, userID, engagementID uint) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Engagement{}).Scopes(ManagedBy(userID)).Where("engagements.id = ?", engagementID).Count(&n).Error
	return n > 0, err
}

// ManagedEngagements lists the engagements userID manages, as lead or
// co-manager, by code: a user's page, the register's row actions and the
// risk form's engagement choices.
func ManagedEngagements(ctx context.Context, db *gorm.DB, userID uint) ([]Engagement, error) {
	var out []Engagement
	err := db.WithContext(ctx).Model(&Engagement{}).Select("id", "code", "name").Scopes(ManagedBy(userID)).Order("code").Find(&out).Error
	return out, err
}

// Rights say whose records the signed-in user may change: admins every one,
// managers those of the engagements they manage (ManagedEngagements, read
// once for a page), executives none. May is the rule's one check in memory,
// as ManagesEngagement is in the database.
type Rights struct {
	Admin       bool
	Editor      bool          // a manager or an admin
	Engagements map[uint]bool // the engagements a manager manages
}

// May reports whether the user may change a record of the engagement
// (nil: a portfolio-wide one, which only admins change).
func (r Rights) May(engagementID *uint) bool {
	if r.Admin {
		return true
	}
	return r.Editor && engagementID != nil && r.Engagements[*engagementID]
}
