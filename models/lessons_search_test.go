package models_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

func addLessons(t *testing.T, db *gorm.DB, w models.Actor, ls ...models.Lesson) []models.Lesson {
	t.Helper()
	for i := range ls {
		if ls[i].LearnedOn.IsZero() {
			ls[i].LearnedOn = models.D(2026, 1, 1+i)
		}
		if err := models.CreateLesson(context.Background(), db, w, &ls[i]); err != nil {
			t.Fatal(err)
		}
	}
	return ls
}

func titles(ls []models.Lesson) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Title
	}
	return out
}

// Full-text search finds lessons by word prefix on both databases, ranks a
// title match first, respects the filters, ignores archived lessons, follows
// edits, and treats query syntax in the input as plain words.
func TestLessonSearch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := write(models.D(2026, 11, 21))
		e := fixture(t, db, models.ModelBOT, "BOT-L")
		ls := addLessons(t, db, w,
			models.Lesson{Title: "Exit assistance priced at signature", Lesson: "Fix the price of exit support in the contract.",
				WhatHappened: "The vendor could not charge a premium.", Outcome: "went well", Phase: "contracting", Category: "Financial", Tags: "exit, pricing"},
			models.Lesson{Title: "Shadowing plan slipped", Lesson: "Agree contracts for key people before shadowing starts.",
				WhatHappened: "Two leads resigned.", Outcome: "went wrong", Phase: "build/transition", Category: "Transition & knowledge transfer", Tags: "people", EngagementID: &e.ID},
			models.Lesson{Title: "Contract renewals need a calendar", Lesson: "Track every renewal date centrally.",
				Outcome: "went wrong", Phase: "operate", Category: "Financial", Tags: "renewal"},
			models.Lesson{Title: "Unrelated lesson", Lesson: "Nothing about the word.", Outcome: "went well", Phase: "operate", Category: "Service quality"},
		)
		search := func(f models.LessonFilter) []string {
			t.Helper()
			f.Page, f.PerPage = 1, 25
			rows, total, err := models.ListLessons(ctx, db, f)
			if err != nil {
				t.Fatalf("search %+v: %v", f, err)
			}
			if int(total) != len(rows) {
				t.Fatalf("search %+v: total %d, rows %d", f, total, len(rows))
			}
			return titles(rows)
		}
		// "contracts" finds "contract" and "contracts" by prefix; the title match ranks first.
		got := search(models.LessonFilter{Q: "Contracts"})
		if len(got) != 3 || got[0] != "Contract renewals need a calendar" {
			t.Fatalf("contracts: %q", got)
		}
		if got := search(models.LessonFilter{Q: "contr"}); len(got) != 3 {
			t.Errorf("prefix contr: %q", got)
		}
		if got := search(models.LessonFilter{Q: "exit premium"}); len(got) != 1 || got[0] != ls[0].Title {
			t.Errorf("every word must match: %q", got)
		}
		if got := search(models.LessonFilter{Q: "contract", Phase: "operate"}); len(got) != 1 || got[0] != ls[2].Title {
			t.Errorf("phase filter: %q", got)
		}
		if got := search(models.LessonFilter{Q: "contract", EngagementID: e.ID}); len(got) != 1 || got[0] != ls[1].Title {
			t.Errorf("engagement filter: %q", got)
		}
		if got := search(models.LessonFilter{Q: "contract", Outcome: "went wrong", Category: "Financial"}); len(got) != 1 || got[0] != ls[2].Title {
			t.Errorf("outcome and category filters: %q", got)
		}
		for _, q := range []string{`"contract`, `contract*) OR (`, `title:contract NEAR/2 -x`, `'; DROP TABLE lessons; --`, `&|!:*`} {
			search(models.LessonFilter{Q: q}) // must not fail
		}
		if got := search(models.LessonFilter{Q: "renewal NOT"}); len(got) != 0 {
			t.Errorf("NOT is a word, not an operator: %q", got)
		}

		// An edit re-indexes the lesson; archiving removes it from the library.
		next := ls[3]
		next.Title = "Knowledge base grew by hand"
		if _, err := models.UpdateLesson(ctx, db, w, ls[3].ID, 1, next); err != nil {
			t.Fatal(err)
		}
		if got := search(models.LessonFilter{Q: "knowledge base"}); len(got) != 1 || got[0] != next.Title {
			t.Errorf("after edit: %q", got)
		}
		if got := search(models.LessonFilter{Q: "unrelated"}); len(got) != 0 {
			t.Errorf("old title still found: %q", got)
		}
		if _, err := models.SetLessonArchived(ctx, db, w, ls[2].ID, 1, true); err != nil {
			t.Fatal(err)
		}
		if got := search(models.LessonFilter{Q: "contract"}); len(got) != 2 {
			t.Errorf("archived lesson still listed: %q", got)
		}
		// Without words the library is newest first.
		if got := search(models.LessonFilter{}); len(got) != 3 || got[0] != next.Title {
			t.Errorf("no query: %q", got)
		}
	})
}

// The demo library is indexed as it is seeded (the SQLite triggers fire for bulk inserts too).
func TestLessonSearchOverDemo(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			rows, total, err := models.ListLessons(context.Background(), db, models.LessonFilter{Q: "attrition", Page: 1, PerPage: 10})
			if err != nil || total == 0 {
				t.Fatalf("attrition: %d, %v", total, err)
			}
			if rows[0].Title != "Reference calls exposed attrition the proposal did not mention" {
				t.Errorf("best match %q", rows[0].Title)
			}
		})
	}
}
