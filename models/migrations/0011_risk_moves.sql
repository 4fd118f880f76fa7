-- The risks moved between engagements, by when. The register as at a past day
-- for one engagement (and its movement, and that engagement's quarterly review)
-- takes the risks in the engagement now plus any moved between engagements
-- since the day (asAtScope.candidates). Found through changes_at (entity, at),
-- those were every risk change since the day, read one by one. Moves between
-- engagements are rare, so a partial index holding only them costs writes
-- almost nothing.
--
-- And the risks by when they were created: a movement report replays only the
-- risks changed or created between its two days (risks_asat.go).

CREATE INDEX changes_risk_moves ON changes (entity, field, at, entity_id) WHERE field = 'engagement_id';
CREATE INDEX risks_created ON risks (created_at);
