package models

// RegisteredMigrations lists the versions registered, in order, for the
// external migration tests (compiled into tests only).
func RegisteredMigrations() []int {
	out := make([]int, len(migrations))
	for i, m := range migrations {
		out[i] = m.Version
	}
	return out
}
