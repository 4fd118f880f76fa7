package models_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// A record's history reads as people read it: its creation is one entry
// listing the initial values, and a change of owner names the people.
func TestHistoryIsReadable(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var users []models.User
		db.Where("role = ?", models.RoleManager).Order("id").Limit(2).Find(&users)
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		act := models.Actor{At: dbtest.Now(), Settings: s}
		r := models.Risk{EngagementID: &e.ID, Title: "Readable history", Category: models.RiskCategories[0], InherentLikelihood: 3, InherentImpact: 3,
			ResidualLikelihood: 2, ResidualImpact: 2, Response: "reduce", Status: models.StatusOpen, OwnerID: &users[0].ID}
		if err := models.CreateRisk(ctx, db, act, &r); err != nil {
			t.Fatal(err)
		}
		r.OwnerID = &users[1].ID
		act.At = act.At.Add(60e9)
		if _, err := models.UpdateRisk(ctx, db, act, &r); err != nil {
			t.Fatal(err)
		}
		h, err := models.RiskHistory(ctx, db, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		creates, owner := 0, false
		for _, ch := range h {
			if ch.Action == models.ActionCreate {
				creates++
				if !strings.Contains(ch.New, "Title: Readable history") || !strings.Contains(ch.New, "Owner: "+users[0].Name) {
					t.Errorf("the creation entry lists %q", ch.New)
				}
			}
			if ch.Field == "owner_id" {
				owner = ch.Old == users[0].Name && ch.New == users[1].Name
				if !owner {
					t.Errorf("owner change reads %q → %q, want the names", ch.Old, ch.New)
				}
			}
		}
		if creates != 1 || !owner {
			t.Errorf("%d creation entries (want 1), owner change found: %v, in %d entries", creates, owner, len(h))
		}
	})
}
