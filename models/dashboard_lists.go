package models

import (
	"gorm.io/gorm"
)

// The dashboard's short lists. Each is one query that reads the first rows of
// an index range (migration 7) and selects only the columns the dashboard
// shows, with the engagement, owner or readiness joined in: at a glance of
// 10,000 engagements a preload per list, or every column of every row, costs
// more than the lists themselves. The rows carry those columns only. The
// "IS NULL" conditions are the partial indexes' own, written out so that both
// databases' planners match them.

// topRisks lists the n live risks with the highest residual, then inherent
// score, soonest review first, with the engagement's id and code and the
// owner's name.
func topRisks(db *gorm.DB, n int) ([]Risk, error) {
	var rows []struct {
		Risk
		EngCode   *string
		OwnerName *string
	}
	err := db.Table("risks").
		Select(`risks.id, risks.ref, risks.title, risks.engagement_id, risks.owner_id, risks.status,
			risks.inherent_score, risks.residual_score, risks.next_review, e.code AS eng_code, o.name AS owner_name`).
		Joins("LEFT JOIN engagements e ON e.id = risks.engagement_id").
		Joins("LEFT JOIN users o ON o.id = risks.owner_id").
		Where("risks.status <> ?", StatusClosed).
		Order("risks.residual_score DESC, risks.inherent_score DESC, risks.next_review, risks.id").Limit(n).
		Scan(&rows).Error
	out := make([]Risk, len(rows))
	for i, r := range rows {
		out[i] = r.Risk
		if r.EngagementID != nil && r.EngCode != nil {
			out[i].Engagement = &Engagement{ID: *r.EngagementID, Code: *r.EngCode}
		}
		if r.OwnerID != nil && r.OwnerName != nil {
			out[i].Owner = &User{ID: *r.OwnerID, Name: *r.OwnerName}
		}
	}
	return out, err
}

// needsAttention lists up to n active engagements by severity: red before
// amber, and within a colour the one with more reasons first (the reasons
// are stored a line each), then by code. Each colour is read apart, in the
// order of its index (attentionQuery); the reds alone usually fill the list.
func needsAttention(db *gorm.DB, n int) ([]Engagement, error) {
	var out []Engagement
	for _, h := range []string{Red, Amber} {
		var rows []Engagement
		if err := attentionQuery(db, h, n-len(out)).Find(&rows).Error; err != nil {
			return nil, err
		}
		if out = append(out, rows...); len(out) == n {
			break
		}
	}
	return out, nil
}

// attentionQuery reads the first n open engagements of health h, those with
// the most reasons first, then by code, in the order of the index
// engagements_attention_order (migration 36), whose expression attentionOrder
// repeats word for word: the database uses an index on an expression only
// for the same expression.
func attentionQuery(db *gorm.DB, h string, n int) *gorm.DB {
	return db.Select("id, code, name, health, health_reasons").Where("health = ? AND closed_on IS NULL", h).
		Order(attentionOrder(db) + " DESC, code").Limit(n)
}

// attentionOrder is the number of lines of an engagement's health reasons,
// less one: the more reasons, the higher.
func attentionOrder(db *gorm.DB) string {
	if IsSQLite(db) {
		return "(LENGTH(health_reasons) - LENGTH(REPLACE(health_reasons, CHAR(10), '')))"
	}
	return "(LENGTH(health_reasons) - LENGTH(REPLACE(health_reasons, CHR(10), '')))"
}

// upcomingBOTTransfers lists the next n BOT transfers planned from 90 days ago
// on (not yet transferred, not closed) with their readiness, and how many
// there are in all.
func upcomingBOTTransfers(db *gorm.DB, today Date, n int) ([]Transfer, int64, error) {
	var rows []struct {
		Engagement
		Got, Total *int
	}
	var all int64
	if err := db.Table("engagements").Where("engagements.model = ? AND engagements.planned_transfer >= ? AND engagements.actual_transfer IS NULL AND engagements.closed_on IS NULL",
		ModelBOT, today.AddDays(-90)).Count(&all).Error; err != nil {
		return nil, 0, err
	}
	err := db.Table("engagements").
		Select(`engagements.id, engagements.code, engagements.name, engagements.phase, engagements.planned_transfer,
			(SELECT SUM(weight * status) FROM readiness_items r WHERE r.engagement_id = engagements.id) AS got,
			(SELECT SUM(weight) * 2 FROM readiness_items r WHERE r.engagement_id = engagements.id) AS total`).
		Where("engagements.model = ? AND engagements.planned_transfer >= ? AND engagements.actual_transfer IS NULL AND engagements.closed_on IS NULL",
			ModelBOT, today.AddDays(-90)).
		Order("engagements.planned_transfer").Limit(n).Scan(&rows).Error
	out := make([]Transfer, len(rows))
	for i, r := range rows {
		out[i].Engagement = r.Engagement
		if r.Total != nil && *r.Total > 0 && r.Got != nil {
			out[i].Readiness, out[i].HasReadiness = 100*float64(*r.Got)/float64(*r.Total), true
		}
	}
	return out, all, err
}

// dueMilestones lists the n open milestones planned up to a day (late ones
// first), with their engagement's id and code, and how many there are in all.
func dueMilestones(db *gorm.DB, upTo Date, n int) ([]Milestone, int64, error) {
	var rows []struct {
		Milestone
		EngCode string
	}
	var all int64
	if err := db.Table("milestones").Where("milestones.actual IS NULL AND milestones.planned <= ?", upTo).Count(&all).Error; err != nil {
		return nil, 0, err
	}
	err := db.Table("milestones").
		Select("milestones.id, milestones.engagement_id, milestones.name, milestones.is_key, milestones.planned, milestones.actual, e.code AS eng_code").
		Joins("JOIN engagements e ON e.id = milestones.engagement_id").
		Where("milestones.actual IS NULL AND milestones.planned <= ?", upTo).
		Order("milestones.planned, milestones.id").Limit(n).Scan(&rows).Error
	out := make([]Milestone, len(rows))
	for i, r := range rows {
		out[i] = r.Milestone
		out[i].Engagement = &Engagement{ID: r.EngagementID, Code: r.EngCode}
	}
	return out, all, err
}
