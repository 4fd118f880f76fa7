package models

import (
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// A record's history is stored as it happened, a row per field changed, with
// ids for people, vendors and engagements (the as-at replays read those). As
// people read it, a record's creation is one entry, not a row per initial
// value, and an id is the name it stands for ("Owner: Priya Raman → Tomás
// Novak", not "owner_id: 2 → 7").

// idNames are the history fields that hold an id, by the table of the names.
var idNames = map[string]string{
	"owner_id": "users", "manager_id": "users", "author_id": "users", "user_id": "users", "decided_by": "users",
	"vendor_id": "vendors", "engagement_id": "engagements",
}

// readable makes changes (newest first) read as people read them: each
// creation folded into its first row, ids turned into names.
func readable(db *gorm.DB, changes []Change) ([]Change, error) {
	out := changes
	ids := map[string]map[string]bool{}
	for _, ch := range out {
		table := idNames[ch.Field]
		if table == "" {
			continue
		}
		if ids[table] == nil {
			ids[table] = map[string]bool{}
		}
		for _, v := range []string{ch.Old, ch.New} {
			if v != "" {
				ids[table][v] = true
			}
		}
	}
	names := map[string]map[string]string{}
	for table, set := range ids {
		keys := make([]uint64, 0, len(set))
		for k := range set {
			if n, err := strconv.ParseUint(k, 10, 64); err == nil {
				keys = append(keys, n)
			}
		}
		if len(keys) == 0 {
			continue
		}
		col := "name"
		if table == "engagements" {
			col = "code"
		}
		var rows []struct{ ID, Name string }
		if err := db.Table(table).Select("CAST(id AS TEXT) AS id, "+col+" AS name").Where("id IN ?", keys).Scan(&rows).Error; err != nil {
			return nil, err
		}
		names[table] = map[string]string{}
		for _, r := range rows {
			names[table][r.ID] = r.Name
		}
	}
	for i := range out {
		ch := &out[i]
		if m := names[idNames[ch.Field]]; m != nil {
			ch.Old, ch.New = nameOr(m, ch.Old), nameOr(m, ch.New)
		}
	}
	return foldCreations(out), nil
}

func nameOr(names map[string]string, id string) string {
	if n, ok := names[id]; ok && id != "" {
		return n
	}
	return id
}

// foldCreations folds the rows of each record's creation (its header row and
// one row per initial value, written at one moment) into a single entry whose
// New lists the initial values.
func foldCreations(changes []Change) []Change {
	type key struct {
		entity string
		id     uint
	}
	var out []Change
	first := map[key]int{} // the creation's entry in out
	values := map[key][]string{}
	for _, ch := range changes {
		if ch.Action != ActionCreate {
			out = append(out, ch)
			continue
		}
		k := key{ch.Entity, ch.EntityID}
		if _, ok := first[k]; !ok {
			head := ch
			head.Field, head.Old, head.New = "", "", ""
			first[k] = len(out)
			out = append(out, head)
		}
		if ch.Field != "" && ch.New != "" {
			values[k] = append(values[k], FieldLabel(ch.Field)+": "+ch.New)
		}
	}
	for k, i := range first {
		v := values[k]
		// Rows are newest first and a creation's rows were written in field
		// order with ids ascending: read them back in that order.
		for a, b := 0, len(v)-1; a < b; a, b = a+1, b-1 {
			v[a], v[b] = v[b], v[a]
		}
		out[i].New = strings.Join(v, " · ")
	}
	return out
}

// FieldLabel names a history field for people: "residual_score" → "Residual
// score", "owner_id" → "Owner".
func FieldLabel(field string) string {
	f := strings.ReplaceAll(strings.TrimSuffix(field, "_id"), "_", " ")
	if f == "" {
		return f
	}
	return strings.ToUpper(f[:1]) + f[1:]
}
