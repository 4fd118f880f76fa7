package models

import (
	"context"
	"strings"

	"gorm.io/gorm"
)

// LessonFilter selects lessons in the library.
type LessonFilter struct {
	Q, Phase, Outcome, Category, Tower string
	EngagementID                       uint
	Page, PerPage                      int
}

// lessonQuery is the library narrowed by a filter, and the order it lists in:
// best match first when searching, else newest first.
func lessonQuery(db *gorm.DB, f LessonFilter) (*gorm.DB, any) {
	q := db.Model(&Lesson{}).Where("NOT lessons.archived")
	if f.Phase != "" {
		q = q.Where("lessons.phase = ?", f.Phase)
	}
	if f.Outcome != "" {
		q = q.Where("lessons.outcome = ?", f.Outcome)
	}
	if f.Category != "" {
		q = q.Where("lessons.category = ?", f.Category)
	}
	if f.Tower != "" {
		q = q.Where("lessons.tower = ?", f.Tower)
	}
	if f.EngagementID != 0 {
		q = q.Where("lessons.engagement_id = ?", f.EngagementID)
	}
	order := any("lessons.learned_on DESC, lessons.id DESC")
	if terms := SearchTerms(f.Q); len(terms) > 0 {
		q, order = lessonSearch(q, terms)
	}
	return q, order
}

// ListLessons returns one page of lessons, ranked by the search words (newest
// first without any), and the number that match.
func ListLessons(ctx context.Context, db *gorm.DB, f LessonFilter) ([]Lesson, int64, error) {
	q, order := lessonQuery(db.WithContext(ctx), f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Lesson
	err := q.Select("lessons.*").Preload("Engagement").Preload("Author").Order(order).
		Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&rows).Error
	return rows, total, err
}

// LessonExportRow is a lesson with the names an export shows.
type LessonExportRow struct {
	Lesson
	EngagementCode string
	AuthorName     string
	RiskRef        string
}

// EachLesson streams every lesson the filter selects, in list order (for exports).
func EachLesson(ctx context.Context, db *gorm.DB, f LessonFilter, fn func(LessonExportRow) error) error {
	q, order := lessonQuery(db.WithContext(ctx), f)
	rows, err := q.Joins("LEFT JOIN engagements le ON le.id = lessons.engagement_id").
		Joins("LEFT JOIN users lu ON lu.id = lessons.author_id").
		Joins("LEFT JOIN risks lr ON lr.id = lessons.risk_id").
		Select("lessons.*, COALESCE(le.code, '') AS engagement_code, COALESCE(lu.name, '') AS author_name, COALESCE(lr.ref, '') AS risk_ref").
		Order(order).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r LessonExportRow
		if err := db.ScanRows(rows, &r); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RelevantLessons are lessons for an engagement's current phase, from any
// engagement in the same tower (or with no tower), its own first.
func RelevantLessons(ctx context.Context, db *gorm.DB, e Engagement, limit int) ([]Lesson, error) {
	var rows []Lesson
	err := db.WithContext(ctx).Preload("Engagement").
		Where("NOT archived AND phase = ? AND (tower = ? OR tower = '')", LessonPhaseOf(e.Phase), e.Tower).
		Order(orderByExpr("CASE WHEN engagement_id = ? THEN 0 ELSE 1 END, learned_on DESC, id DESC", e.ID)).
		Limit(limit).Find(&rows).Error
	return rows, err
}

// TagList splits the comma-separated tags.
func (l Lesson) TagList() []string {
	var out []string
	for _, t := range strings.Split(l.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
