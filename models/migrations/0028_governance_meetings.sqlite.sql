-- Governance meetings: steering committees, service reviews and QBRs of an
-- engagement, each with its date, attendees and decisions, versioned like
-- every record a form edits; and the actions agreed at them, each with its
-- owner, due date and status (open, done, or dropped with the reason), also
-- versioned, so that the pack can print each as it stood at its quarter's
-- end (from the history). The quarter is not stored: it follows the date
-- and the fiscal year, as everything else does. The review pack reads both,
-- so they move the data version (migration 9).

CREATE TABLE governance_meetings (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), kind TEXT NOT NULL, held_on DATE NOT NULL,
  attendees TEXT NOT NULL DEFAULT '', decisions TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX governance_meetings_engagement ON governance_meetings (engagement_id, held_on);
CREATE INDEX governance_meetings_held_on ON governance_meetings (held_on);

CREATE TABLE meeting_actions (
  id {{pk}}, meeting_id BIGINT NOT NULL REFERENCES governance_meetings(id), engagement_id BIGINT NOT NULL REFERENCES engagements(id),
  action TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '', due DATE NOT NULL, status TEXT NOT NULL DEFAULT 'open',
  dropped_reason TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX meeting_actions_meeting ON meeting_actions (meeting_id);
CREATE INDEX meeting_actions_engagement ON meeting_actions (engagement_id, status, due);
CREATE INDEX meeting_actions_open ON meeting_actions (status, due);

CREATE TRIGGER data_version_governance_meetings_insert AFTER INSERT ON governance_meetings BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_governance_meetings_update AFTER UPDATE ON governance_meetings BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_governance_meetings_delete AFTER DELETE ON governance_meetings BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_meeting_actions_insert AFTER INSERT ON meeting_actions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_meeting_actions_update AFTER UPDATE ON meeting_actions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_meeting_actions_delete AFTER DELETE ON meeting_actions BEGIN UPDATE data_version SET n = n + 1; END;
