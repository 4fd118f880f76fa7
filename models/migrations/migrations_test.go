package migrations

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The embedded files load: versions 1 and 5 onwards, the shipped ones under
// the names schema_migrations has recorded for them, each with statements for
// both databases.
func TestEmbeddedMigrationsLoad(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 13 || all[0].Version != 1 || all[1].Version != 5 {
		t.Fatalf("loaded %d migrations starting %v", len(all), all[:min(2, len(all))])
	}
	for _, m := range all {
		if want, ok := shippedNames[m.Version]; ok && m.Name != want {
			t.Errorf("migration %d is named %q, schema_migrations holds %q", m.Version, m.Name, want)
		}
		if len(m.Statements(SQLite)) == 0 && len(m.Statements(Postgres)) == 0 {
			t.Errorf("migration %d runs nothing", m.Version)
		}
	}
}

func mapFS(files ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, name := range files {
		fsys[name] = &fstest.MapFile{Data: []byte("CREATE TABLE t" + name[:4] + " (id {{pk}});\n")}
	}
	return fsys
}

// Files that do not make one sequence of versions, each for both databases,
// are refused with a message naming them.
func TestLoadRefusesFilesOutOfOrder(t *testing.T) {
	for _, c := range []struct {
		name  string
		fsys  fstest.MapFS
		error string
	}{
		{"a gap", mapFS("0001_a.sql", "0005_b.sql", "0007_c.sql"), "version 6 is missing"},
		{"a never-used version", mapFS("0001_a.sql", "0003_b.sql", "0005_c.sql"), "0003_b.sql: version 3 is not to be used"},
		{"a version twice", mapFS("0001_a.sql", "0005_b.sql", "0005_c.sql"), "0005_b.sql, 0005_c.sql: version 5 has files of two names"},
		{"one database only", mapFS("0001_a.sql", "0005_b.sqlite.sql"), "0005_b.sqlite.sql: a file per database needs its twin"},
		{"shared and per database", mapFS("0001_a.sql", "0005_b.sql", "0005_b.postgres.sql"), "version 5 is either one NNNN_name.sql or a .sqlite.sql and .postgres.sql pair"},
		{"a misnamed file", mapFS("0001_a.sql", "5_b.sql"), "5_b.sql: a migration is named NNNN_name.sql"},
		{"an empty file", fstest.MapFS{"0001_a.sql": {Data: []byte("-- nothing yet\n")}}, "0001_a.sql: no statements"},
		{"a marker in a per-database file", fstest.MapFS{
			"0001_a.sqlite.sql":   {Data: []byte("-- sqlite only\nSELECT 1;\n")},
			"0001_a.postgres.sql": {Data: []byte("SELECT 1;\n")},
		}, `0001_a.sqlite.sql: "-- sqlite only" in a file for one database`},
		{"a marker inside a statement", fstest.MapFS{"0001_a.sql": {Data: []byte("SELECT\n-- postgres only\n1;\n")}}, "goes on the line right before a statement"},
		{"an unknown placeholder", fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE t (id {{id}});\n")}}, "unknown placeholder"},
		{"nothing", fstest.MapFS{}, "no migration files"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(c.fsys)
			if err == nil || !strings.Contains(err.Error(), c.error) {
				t.Fatalf("load: %v, want an error containing %q", err, c.error)
			}
		})
	}
}

// A migration after the shipped ones is recorded under its file's name.
func TestLoadNamesLaterMigrationsByTheirFiles(t *testing.T) {
	files := []string{"0001_a.sql", "0005_b.sqlite.sql", "0005_b.postgres.sql"}
	for v := 6; v <= 17; v++ {
		files = append(files, fmt.Sprintf("%04d_step.sql", v))
	}
	files[len(files)-1] = "0017_risk_owners.sql"
	all, err := load(mapFS(files...))
	if err != nil {
		t.Fatal(err)
	}
	last := all[len(all)-1]
	if len(all) != 14 || last.Version != 17 || last.Name != "risk owners" || all[1].File(SQLite) != "0005_b.sqlite.sql" {
		t.Fatalf("loaded %d migrations, the last %d %q; 5's SQLite file %q", len(all), last.Version, last.Name, all[1].File(SQLite))
	}
}

// A script is cut at the semicolons that end lines; comment lines go, a marker
// keeps its statement to one database, placeholders become each database's types.
func TestStatements(t *testing.T) {
	script := `-- Why: a header comment.
CREATE TABLE a (id {{pk}}, at {{ts}});

-- sqlite only
CREATE VIRTUAL TABLE a_fts USING fts4(content="a");
-- postgres only
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  RETURN NULL
; END $$;
CREATE TRIGGER a_ai AFTER INSERT ON a BEGIN SELECT 1; END;
`
	for _, c := range []struct {
		d    Dialect
		want []string
	}{
		{SQLite, []string{
			"CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, at TIMESTAMP)",
			`CREATE VIRTUAL TABLE a_fts USING fts4(content="a")`,
			"CREATE TRIGGER a_ai AFTER INSERT ON a BEGIN SELECT 1; END",
		}},
		{Postgres, []string{
			"CREATE TABLE a (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ)",
			"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n  RETURN NULL\n; END $$",
			"CREATE TRIGGER a_ai AFTER INSERT ON a BEGIN SELECT 1; END",
		}},
	} {
		got, err := statements(script, c.d, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n%q\nwant\n%q", c.d, got, c.want)
		}
	}
}
