package models

// Migration 5: optimistic locking where the forms of service levels and BOT
// transfers need it, and full-text search of the lessons library.
//
// Search is dialect-specific (no portable SQL exists), so those statements are
// marked for one database (see forDialect):
//   - SQLite: an FTS4 table over the lessons table (external content, so the text
//     is stored once) kept in sync by triggers. FTS5 would rank with bm25, but
//     mattn/go-sqlite3 compiles it only with the sqlite_fts5 build tag, which a
//     plain `go run`/`go test` does not pass; FTS4 is compiled in by default.
//     Triggers rather than the write functions keep the index true for every
//     writer (forms, the demo and scale seeds, imports), so it cannot drift.
//     Words are matched by prefix (see searchTerms), so the unicode61 tokenizer
//     without stemming pairs with PostgreSQL's 'simple' configuration: both
//     databases find the same lessons for the same words.
//   - PostgreSQL: a GIN expression index over the weighted document that
//     LessonSearchDocPG names; queries repeat that exact expression to use it.
func init() { register(migration{5, "sla and transfer versions, lesson search", migration5}) }

const migration5 = `
ALTER TABLE sla_measurements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transfer_gates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transfer_gates ADD COLUMN updated_at {{ts}};
CREATE INDEX lessons_author ON lessons (author_id);
CREATE INDEX lessons_risk ON lessons (risk_id);

-- sqlite only
CREATE VIRTUAL TABLE lessons_fts USING fts4(content="lessons", title, what_happened, lesson, tags, tokenize=unicode61);
-- sqlite only
CREATE TRIGGER lessons_fts_bu BEFORE UPDATE OF title, what_happened, lesson, tags ON lessons BEGIN DELETE FROM lessons_fts WHERE docid = old.id; END;
-- sqlite only
CREATE TRIGGER lessons_fts_bd BEFORE DELETE ON lessons BEGIN DELETE FROM lessons_fts WHERE docid = old.id; END;
-- sqlite only
CREATE TRIGGER lessons_fts_au AFTER UPDATE OF title, what_happened, lesson, tags ON lessons BEGIN INSERT INTO lessons_fts (docid, title, what_happened, lesson, tags) VALUES (new.id, new.title, new.what_happened, new.lesson, new.tags); END;
-- sqlite only
CREATE TRIGGER lessons_fts_ai AFTER INSERT ON lessons BEGIN INSERT INTO lessons_fts (docid, title, what_happened, lesson, tags) VALUES (new.id, new.title, new.what_happened, new.lesson, new.tags); END;
-- sqlite only
INSERT INTO lessons_fts (lessons_fts) VALUES ('rebuild');

-- postgres only
CREATE INDEX lessons_search ON lessons USING gin ((` + LessonSearchDocPG + `));
`

// LessonSearchDocPG is the PostgreSQL text-search document of a lesson: the
// title weighs most (A), the lesson and tags next (B), the story least (C).
// The GIN index of migration 5 is built on exactly this expression.
const LessonSearchDocPG = `setweight(to_tsvector('simple', title), 'A') || ` +
	`setweight(to_tsvector('simple', lesson || ' ' || replace(tags, ',', ' ')), 'B') || ` +
	`setweight(to_tsvector('simple', what_happened), 'C')`
