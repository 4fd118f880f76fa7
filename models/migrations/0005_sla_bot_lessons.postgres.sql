-- Optimistic locking (a version column) where the forms of SLA results and BOT
-- transfer gates need it, and full-text search of the lessons library.
--
-- Search has no portable SQL, hence a file per database. PostgreSQL: a GIN
-- expression index over the weighted document models.LessonSearchDocPG names
-- (title A, lesson and tags B, story C); queries repeat that exact expression
-- to use the index, and a test checks this file holds it verbatim.

ALTER TABLE sla_measurements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transfer_gates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transfer_gates ADD COLUMN updated_at TIMESTAMPTZ;
CREATE INDEX lessons_author ON lessons (author_id);
CREATE INDEX lessons_risk ON lessons (risk_id);

CREATE INDEX lessons_search ON lessons USING gin ((setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', lesson || ' ' || replace(tags, ',', ' ')), 'B') || setweight(to_tsvector('simple', what_happened), 'C')));
