-- ITO exit readiness: each ITO engagement's exit checklist (exit plan agreed,
-- data return tested, documentation current, knowledge held in-house,
-- licences and assets transferable, termination assistance priced), the BOT
-- transfer checklist's twin in a table of its own, so that no BOT figure
-- (transfers, health, the pack) ever counts it. Versioned like every record a
-- form edits; one row an area, so that two checklists created at once are one.
-- Its writes move the data version (migration 9), as every table a page may
-- cache does.

CREATE TABLE exit_readiness_items (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), area TEXT NOT NULL, weight INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX exit_readiness_items_area ON exit_readiness_items (engagement_id, area);

CREATE TRIGGER data_version_exit_readiness_items AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON exit_readiness_items FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
