package models

import (
	"context"
	"sort"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// What an import's rows refer to, read before its rows are checked, a few
// statements for the whole file (keys in chunks: a statement's parameters are
// bounded).

// importChunk is how many keys one statement of an import's reads names.
const importChunk = 500

// chunks splits keys, sorted, into importChunk-sized groups.
func chunks(keys []string) [][]string {
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	var out [][]string
	for len(keys) > 0 {
		n := min(len(keys), importChunk)
		out = append(out, keys[:n])
		keys = keys[n:]
	}
	return out
}

// EngagementsByCode reads the engagements with the codes (id, code, name, currency).
func EngagementsByCode(ctx context.Context, db *gorm.DB, codes []string) ([]Engagement, error) {
	var out []Engagement
	for _, chunk := range chunks(codes) {
		var es []Engagement
		if err := db.WithContext(ctx).Select("id, code, name, currency").Where("code IN ?", chunk).Find(&es).Error; err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

// RisksByRef reads the risks with the references, each with its engagement
// and its owner's id and name (a stored owner may be disabled).
func RisksByRef(ctx context.Context, db *gorm.DB, refs []string) ([]Risk, error) {
	var out []Risk
	owner := func(q *gorm.DB) *gorm.DB { return q.Select("id", "name") }
	for _, chunk := range chunks(refs) {
		var rs []Risk
		if err := db.WithContext(ctx).Preload("Engagement").Preload("Owner", owner).Where("ref IN ?", chunk).Find(&rs).Error; err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// ManagedAmong are those of the engagements ids that userID manages.
func ManagedAmong(ctx context.Context, db *gorm.DB, userID uint, ids []uint) ([]uint, error) {
	var out []uint
	err := db.WithContext(ctx).Model(&Engagement{}).Scopes(ManagedBy(userID)).Where("engagements.id IN ?", ids).Pluck("engagements.id", &out).Error
	return out, err
}

// CostRecordsIn reads the engagements' records of the months.
func CostRecordsIn(ctx context.Context, db *gorm.DB, engagementIDs []uint, months []Date) ([]CostRecord, error) {
	keys := make([]string, len(months))
	for i, m := range months {
		keys[i] = m.String()
	}
	var out []CostRecord
	for _, chunk := range chunks(keys) {
		ms := make([]Date, len(chunk))
		for i, k := range chunk {
			ms[i], _ = ParseDate(k)
		}
		var recs []CostRecord
		if err := db.WithContext(ctx).Where("engagement_id IN ? AND month IN ?", engagementIDs, ms).Find(&recs).Error; err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// InTransaction runs fn in one transaction: an import's all-or-nothing write.
func InTransaction(ctx context.Context, db *gorm.DB, fn func(tx *DB) error) error {
	return sqlstore.Write(ctx, db, fn)
}
