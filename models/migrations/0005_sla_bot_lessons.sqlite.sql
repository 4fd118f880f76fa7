-- Optimistic locking (a version column) where the forms of SLA results and BOT
-- transfer gates need it, and full-text search of the lessons library.
--
-- Search has no portable SQL, hence a file per database. SQLite: an FTS4 table
-- over lessons (external content, so the text is stored once) kept in sync by
-- triggers. FTS5 would rank with bm25, but mattn/go-sqlite3 compiles it only with
-- the sqlite_fts5 build tag, which a plain `go run`/`go test` does not pass; FTS4
-- is compiled in by default. Triggers rather than the write functions keep the
-- index true for every writer (forms, the seeds, imports), so it cannot drift.
-- Words are matched by prefix (searchTerms), so the unicode61 tokenizer without
-- stemming pairs with PostgreSQL's 'simple' configuration: both databases find
-- the same lessons for the same words.

ALTER TABLE sla_measurements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transfer_gates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE transfer_gates ADD COLUMN updated_at TIMESTAMP;
CREATE INDEX lessons_author ON lessons (author_id);
CREATE INDEX lessons_risk ON lessons (risk_id);

CREATE VIRTUAL TABLE lessons_fts USING fts4(content="lessons", title, what_happened, lesson, tags, tokenize=unicode61);
CREATE TRIGGER lessons_fts_bu BEFORE UPDATE OF title, what_happened, lesson, tags ON lessons BEGIN DELETE FROM lessons_fts WHERE docid = old.id; END;
CREATE TRIGGER lessons_fts_bd BEFORE DELETE ON lessons BEGIN DELETE FROM lessons_fts WHERE docid = old.id; END;
CREATE TRIGGER lessons_fts_au AFTER UPDATE OF title, what_happened, lesson, tags ON lessons BEGIN INSERT INTO lessons_fts (docid, title, what_happened, lesson, tags) VALUES (new.id, new.title, new.what_happened, new.lesson, new.tags); END;
CREATE TRIGGER lessons_fts_ai AFTER INSERT ON lessons BEGIN INSERT INTO lessons_fts (docid, title, what_happened, lesson, tags) VALUES (new.id, new.title, new.what_happened, new.lesson, new.tags); END;
INSERT INTO lessons_fts (lessons_fts) VALUES ('rebuild');
