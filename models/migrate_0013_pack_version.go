package models

// Migration 13: the data version (migration 9) also moves with every table
// the quarterly review pack reads that it did not cover, so that a pack built
// once is served until a write could change it (the portfolio's took 4–5 s at
// 10,000 engagements): the governance reviews and their actions (decisions,
// commentary), lessons, phase changes, service levels, the published packs,
// and the cost records and SLA results themselves (their kept totals moved it
// already, but not a corrected vendor fee or actual that leaves them alone,
// which the pack prints as a credit or a breach). The scale seed sets these
// triggers aside for its load like the others (seed_upkeep.go).
func init() {
	register(migration{13, "the data version covers what the review pack reads", dataVersionTriggers(packVersionTables)})
}

// packVersionTables are the tables migration 13 adds to the data version.
// Migration 13 has shipped with this list: a table added later needs a
// migration of its own.
var packVersionTables = []string{
	"governance_reviews", "review_actions", "lessons", "phase_changes", "service_levels", "published_packs",
	"cost_records", "sla_measurements",
}
