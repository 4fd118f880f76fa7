-- Each stored settings value gets a version, like every other record a form
-- edits: a settings form saved after someone else's save is merged per field,
-- and answers 409 only where both changed the same field.

ALTER TABLE settings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
