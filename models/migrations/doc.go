// Package migrations is the database schema's history: numbered .sql files,
// embedded in the binary, that models.Migrate applies in order, each in its own
// transaction, recording each version in schema_migrations.
//
// A file is named NNNN_name.sql when both databases run the same SQL, or
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql (both required) when they
// differ. NNNN is the version: versions follow one another without gaps (2–4
// were never used). In a file:
//   - a statement ends with a semicolon at the end of a line, so inside a
//     trigger or function body keep semicolons off line ends (see 0008);
//   - lines starting with -- are comments and are not sent to the database,
//     except a line "-- sqlite only" or "-- postgres only" right before a
//     statement, which runs that statement on that database alone (for a line
//     or two; where much differs, write a file per database);
//   - {{pk}} becomes the database's auto-incrementing primary key, {{ts}} its
//     timestamp type.
//
// To add a migration, add the next version's file(s) with a header comment
// saying why, and run go test ./models/...: All checks the files when the app
// starts. Never edit a migration that has shipped; add another. Every
// migration so far is SQL; a backfill SQL cannot express would need the runner
// to grow a Go hook.
package migrations
