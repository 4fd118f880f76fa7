-- Partnership health surveys: one an engagement a quarter, each dimension
-- scored 1–5 with an optional comment, versioned like every record a form
-- edits; and the risks they suggest (a fall of a point or more, a score of
-- 2 or less), each accepted into the register or dismissed by a manager.
-- The dashboard's cooling partnerships read both, so they move the data
-- version (migration 9).

CREATE TABLE partnership_surveys (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), quarter TEXT NOT NULL,
  communication INTEGER NOT NULL, cultural_fit INTEGER NOT NULL, service_quality INTEGER NOT NULL,
  responsiveness INTEGER NOT NULL, innovation INTEGER NOT NULL, control_autonomy INTEGER NOT NULL,
  communication_note TEXT NOT NULL DEFAULT '', cultural_fit_note TEXT NOT NULL DEFAULT '', service_quality_note TEXT NOT NULL DEFAULT '',
  responsiveness_note TEXT NOT NULL DEFAULT '', innovation_note TEXT NOT NULL DEFAULT '', control_autonomy_note TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX partnership_surveys_quarter ON partnership_surveys (engagement_id, quarter);

CREATE TABLE survey_suggestions (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), quarter TEXT NOT NULL, dimension TEXT NOT NULL,
  reason TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'suggested', risk_id BIGINT REFERENCES risks(id),
  decided_by BIGINT REFERENCES users(id), decided_at {{ts}}, created_at {{ts}} NOT NULL);
CREATE UNIQUE INDEX survey_suggestions_dimension ON survey_suggestions (engagement_id, quarter, dimension);
CREATE INDEX survey_suggestions_status ON survey_suggestions (status);

CREATE TRIGGER data_version_partnership_surveys_insert AFTER INSERT ON partnership_surveys BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_partnership_surveys_update AFTER UPDATE ON partnership_surveys BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_partnership_surveys_delete AFTER DELETE ON partnership_surveys BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_survey_suggestions_insert AFTER INSERT ON survey_suggestions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_survey_suggestions_update AFTER UPDATE ON survey_suggestions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_survey_suggestions_delete AFTER DELETE ON survey_suggestions BEGIN UPDATE data_version SET n = n + 1; END;
