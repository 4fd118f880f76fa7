package models

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// lessonFields are the Lesson fields every write records.
var lessonFields = []string{"Title", "WhatHappened", "Lesson", "Outcome", "Phase", "Category", "EngagementID",
	"Tower", "Tags", "LearnedOn", "RiskID"}

// NormaliseTags trims each comma-separated tag, drops empty and repeated ones
// (case-insensitively, the first spelling kept) and joins them with ", ".
func NormaliseTags(s string) string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		t = strings.Join(strings.Fields(t), " ")
		if k := strings.ToLower(t); t != "" && !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

// CreateLesson adds a lesson to the library with the history of its creation.
func CreateLesson(ctx context.Context, db *gorm.DB, w Actor, l *Lesson) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		l.ID, l.Version, l.Archived, l.AuthorID = 0, 1, false, w.UserID
		l.Engagement, l.Author = nil, nil
		l.CreatedAt, l.UpdatedAt = w.stamp(tx), w.stamp(tx)
		return createTracked(tx, w, EntityLesson, l, func() uint { return l.ID }, nil, append(lessonFields, "AuthorID")...)
	})
}

// UpdateLesson edits a lesson if it is still at version (ErrStale otherwise).
func UpdateLesson(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, next Lesson) (Lesson, error) {
	var old Lesson
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		next.Engagement, next.Author = nil, nil
		old, err = updateTracked(tx, w, EntityLesson, id, version, &next, nil, lessonFields...)
		return err
	})
	return old, err
}

// SetLessonArchived archives a lesson (it leaves the library and the engagement
// pages but keeps its history) or restores it.
func SetLessonArchived(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, archived bool) (Lesson, error) {
	var old Lesson
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if err = tx.First(&old, id).Error; err != nil {
			return err
		}
		next := old
		next.Archived = archived
		old, err = updateTracked(tx, w, EntityLesson, id, version, &next, nil, "Archived")
		return err
	})
	return old, err
}
