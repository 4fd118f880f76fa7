package models_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// survey is a survey of every dimension at score, with some changed.
func survey(e uint, q string, score int, set map[string]int) models.Survey {
	s := models.Survey{EngagementID: e, Quarter: q, Communication: score, CulturalFit: score, ServiceQuality: score,
		Responsiveness: score, Innovation: score, ControlAutonomy: score}
	for k, v := range set {
		switch k {
		case "communication":
			s.Communication = v
		case "cultural_fit":
			s.CulturalFit = v
		case "innovation":
			s.Innovation = v
		}
	}
	return s
}

// A survey suggests a risk for each dimension that fell a point or more
// since the engagement's survey before, and each scored 2 or less;
// accepting one adds a risk of its category to the register, owned by who
// accepted it; dismissing one keeps it dismissed when the survey is saved
// again; a partnership whose latest survey has suggestions is cooling.
func TestSurveySuggestions(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		db.Exec("DELETE FROM survey_suggestions")
		db.Exec("DELETE FROM partnership_surveys")
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		uid := uint(1)
		if _, err := models.SaveSurvey(ctx, db, &uid, dbtest.Now(), survey(e.ID, "2026-Q2", 4, nil), 0); err != nil {
			t.Fatal(err)
		}
		if sg, _ := models.OpenSuggestions(ctx, db, e.ID); len(sg) != 0 {
			t.Fatalf("a survey of 4s suggests %+v", sg)
		}
		// Communication 4 → 3 (a fall), cultural fit 4 → 2 (a fall, and low), innovation 4 → 5.
		q3, err := models.SaveSurvey(ctx, db, &uid, dbtest.Now(), survey(e.ID, "2026-Q3", 4, map[string]int{"communication": 3, "cultural_fit": 2, "innovation": 5}), 0)
		if err != nil {
			t.Fatal(err)
		}
		sg, _ := models.OpenSuggestions(ctx, db, e.ID)
		if len(sg) != 2 || sg[0].Dimension != "communication" || sg[0].Reason != "fell from 4 to 3 since 2026-Q2" ||
			sg[1].Dimension != "cultural_fit" || sg[1].Reason != "fell from 4 to 2 since 2026-Q2" {
			t.Fatalf("suggestions: %+v", sg)
		}
		cool, n, err := models.CoolingPartnerships(ctx, db, 10)
		if err != nil || n != 1 || cool[0].EngagementID != e.ID || cool[0].Open != 2 ||
			cool[0].Why != "Communication fell from 4 to 3 since 2026-Q2; Cultural fit fell from 4 to 2 since 2026-Q2" {
			t.Fatalf("cooling: %+v (%d), %v", cool, n, err)
		}
		// 4+3+2+4+5+4 = 22 over 6, against 24 over 6: a fall of a third of a point.
		if d := cool[0].Change; d > -0.33 || d < -0.34 {
			t.Errorf("the average's change: %.4f, want -0.333", d)
		}

		act := models.Actor{UserID: &uid, At: dbtest.Now(), Settings: s}
		risk, err := models.DecideSuggestion(ctx, db, act, sg[1].ID, true)
		if err != nil {
			t.Fatal(err)
		}
		var stored models.Risk
		db.First(&stored, risk.ID)
		if stored.Category != "Cultural & organisational fit" || stored.OwnerID == nil || *stored.OwnerID != uid || stored.EngagementID == nil ||
			*stored.EngagementID != e.ID || stored.NextReview.IsZero() {
			t.Fatalf("the accepted risk: %+v", stored)
		}
		if _, err := models.DecideSuggestion(ctx, db, act, sg[1].ID, true); !errors.Is(err, models.ErrSuggestionDecided) {
			t.Errorf("accepting twice: %v", err)
		}
		if _, err := models.DecideSuggestion(ctx, db, act, sg[0].ID, false); err != nil {
			t.Fatal(err)
		}
		// Saved again (a comment added): the decided ones stay decided, none is suggested anew.
		again := survey(e.ID, "2026-Q3", 4, map[string]int{"communication": 3, "cultural_fit": 2, "innovation": 5})
		again.CommunicationNote = "Weekly calls dropped."
		if _, err := models.SaveSurvey(ctx, db, &uid, dbtest.Now(), again, q3.Version); err != nil {
			t.Fatal(err)
		}
		if sg, _ := models.OpenSuggestions(ctx, db, e.ID); len(sg) != 0 {
			t.Errorf("decided suggestions came back: %+v", sg)
		}
		if _, err := models.SaveSurvey(ctx, db, &uid, dbtest.Now(), again, q3.Version); !errors.Is(err, models.ErrStale) {
			t.Errorf("a stale save: %v", err)
		}
		// The accepted one still marks the partnership cooling; the dismissed one does not count.
		if cool, _, _ := models.CoolingPartnerships(ctx, db, 10); len(cool) != 1 || cool[0].Open != 0 {
			t.Errorf("cooling after the decisions: %+v", cool)
		}
		// A low score alone, with no survey before, is suggested too.
		var other models.Engagement
		db.Where("closed_on IS NULL AND id <> ?", e.ID).Order("id").First(&other)
		if _, err := models.SaveSurvey(ctx, db, &uid, dbtest.Now(), survey(other.ID, "2026-Q3", 3, map[string]int{"innovation": 1}), 0); err != nil {
			t.Fatal(err)
		}
		if sg, _ := models.OpenSuggestions(ctx, db, other.ID); len(sg) != 1 || sg[0].Reason != "scored 1" {
			t.Errorf("a first survey with a 1: %+v", sg)
		}
	})
}

// A quarter saved after a later one (a survey recorded late) works out the
// later one's suggestions again, against it; a re-save keeps the ids of the
// suggestions still made.
func TestSurveyBackfill(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		db.Exec("DELETE FROM survey_suggestions")
		db.Exec("DELETE FROM partnership_surveys")
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		// 2026-Q3 first: communication 3, nothing before it, nothing suggested.
		q3, err := models.SaveSurvey(ctx, db, nil, dbtest.Now(), survey(e.ID, "2026-Q3", 3, nil), 0)
		if err != nil {
			t.Fatal(err)
		}
		if sg, _ := models.OpenSuggestions(ctx, db, e.ID); len(sg) != 0 {
			t.Fatalf("a first survey of 3s suggests %+v", sg)
		}
		// 2026-Q2 recorded late, at 4: every dimension of 2026-Q3 fell a point.
		if _, err := models.SaveSurvey(ctx, db, nil, dbtest.Now(), survey(e.ID, "2026-Q2", 4, nil), 0); err != nil {
			t.Fatal(err)
		}
		sg, _ := models.OpenSuggestions(ctx, db, e.ID)
		if len(sg) != len(models.SurveyDimensions) || sg[0].Quarter != "2026-Q3" || sg[0].Reason != "fell from 4 to 3 since 2026-Q2" {
			t.Fatalf("2026-Q3's suggestions after 2026-Q2 was recorded late: %+v", sg)
		}
		// 2026-Q3 corrected: communication back to 4. Its suggestion goes, the others keep their ids.
		fixed := survey(e.ID, "2026-Q3", 3, map[string]int{"communication": 4})
		if _, err := models.SaveSurvey(ctx, db, nil, dbtest.Now(), fixed, q3.Version); err != nil {
			t.Fatal(err)
		}
		after, _ := models.OpenSuggestions(ctx, db, e.ID)
		if len(after) != len(models.SurveyDimensions)-1 || after[0].ID != sg[1].ID {
			t.Errorf("after the correction: %+v (was %+v)", after, sg)
		}
		for _, x := range after {
			if x.Dimension == "communication" {
				t.Error("communication, back to 4, is still suggested")
			}
		}
	})
}

// A vendor's partnership health in a quarter is the mean of its
// engagements' survey averages: (4×6 + 2×6) / 12 = 3.0; a quarter without a
// survey has none.
func TestVendorSurveyTrend(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		db.Exec("DELETE FROM survey_suggestions")
		db.Exec("DELETE FROM partnership_surveys")
		var v models.Vendor
		db.Order("id").First(&v)
		var es []models.Engagement
		db.Where("vendor_id <> ?", v.ID).Order("id").Limit(2).Find(&es)
		db.Model(&models.Engagement{}).Where("id IN ?", []uint{es[0].ID, es[1].ID}).Update("vendor_id", v.ID)
		for i, score := range []int{4, 2} {
			if _, err := models.SaveSurvey(ctx, db, nil, dbtest.Now(), survey(es[i].ID, "2026-Q3", score, nil), 0); err != nil {
				t.Fatal(err)
			}
		}
		trend, err := models.VendorSurveyTrend(ctx, db, v.ID, []string{"2026-Q2", "2026-Q3"})
		if err != nil {
			t.Fatal(err)
		}
		if len(trend) != 2 || trend[0].Surveys != 0 || trend[1].Surveys != 2 || trend[1].Average != 3.0 {
			t.Errorf("the vendor's trend: %+v", trend)
		}
	})
}

// A survey's fall suggests a risk of the relationship: every dimension's
// category is one of the two the issue names, and a category of the register.
func TestSurveyCategories(t *testing.T) {
	t.Parallel()
	for _, d := range models.SurveyDimensions {
		if d.Category != "Cultural & organisational fit" && d.Category != "Communication & coordination" || !slices.Contains(models.RiskCategories, d.Category) {
			t.Errorf("%s suggests a risk of category %q", d.Label, d.Category)
		}
	}
}
