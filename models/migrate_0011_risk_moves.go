package models

// Migration 11: the risks moved between engagements, by when. The register as
// at a past day for one engagement (and its movement, and that engagement's
// quarterly review) takes the risks in the engagement now plus any moved
// between engagements since the day (asAtScope.candidates). Found through
// changes_at (entity, at), those are every risk change since the day read one
// by one: 270 ms for a quarter's 600,000 at 10,000 engagements, several times
// per page. Moves between engagements are rare, so a partial index holding
// only them costs writes almost nothing.
func init() {
	register(migration{11, "index of risks moved between engagements", migration11})
}

const migration11 = `
CREATE INDEX changes_risk_moves ON changes (entity, field, at, entity_id) WHERE field = 'engagement_id';
`
