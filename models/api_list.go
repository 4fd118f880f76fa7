package models

import (
	"context"

	"gorm.io/gorm"
)

// ListAfter reads up to limit rows of T whose id is greater than after, in id
// order: the JSON API's pages, which continue from the last id a page gave
// (rows are never deleted, so a walk meets each row once). where holds
// column = value conditions (nil: none); preload names associations to load.
func ListAfter[T any](ctx context.Context, db *gorm.DB, after uint, limit int, where map[string]any, preload ...string) ([]T, error) {
	var out []T
	q := db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit)
	if len(where) > 0 {
		q = q.Where(where)
	}
	for _, p := range preload {
		q = q.Preload(p)
	}
	return out, q.Find(&out).Error
}

// ByIDs reads the rows of T with the given ids, in that order (missing ones left out).
func ByIDs[T any](ctx context.Context, db *gorm.DB, ids []uint, idOf func(T) uint, preload ...string) ([]T, error) {
	var rows []T
	if len(ids) == 0 {
		return rows, nil
	}
	q := db.WithContext(ctx).Where("id IN ?", ids)
	for _, p := range preload {
		q = q.Preload(p)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	at := make(map[uint]T, len(rows))
	for _, r := range rows {
		at[idOf(r)] = r
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if r, ok := at[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}
