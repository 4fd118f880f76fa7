package models_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/sqlstore"
)

// shippedVersion is the last migration written as Go before migrations became
// .sql files. The golden schemas in testdata were dumped from databases that
// the Go migrations (commit 73b59dd) built up to it; they are a record, never
// to be rewritten: a later migration is compared against nothing here.
const shippedVersion = 16

// Migrating a fresh database up to shippedVersion gives exactly the schema the
// Go migrations gave: every table, column, index, trigger, function and
// constraint, the rows the migrations insert, and the names schema_migrations
// records.
func TestMigrateBuildsTheShippedSchema(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Empty(t, kind)
			if err := models.MigrateUpTo(context.Background(), db, shippedVersion); err != nil {
				t.Fatal(err)
			}
			got := dumpSchema(t, db)
			golden := filepath.Join("testdata", "schema_v16."+kind+".txt")
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := lineDiff(string(want), got); diff != "" {
				t.Errorf("the migrated schema differs from %s (- golden, + now):\n%s", golden, diff)
			}
		})
	}
}

// A SQLite database the Go migrations built (made at commit 73b59dd by Migrate
// and VACUUM INTO, then gzipped) gets nothing from Migrate but the versions
// written since, and its schema is the golden one.
func TestMigrateLeavesAGoMigratedDatabaseAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	gunzip(t, filepath.Join("testdata", "v16-go-migrations.db.gz"), path)
	db, err := sqlstore.Open(ctx, path, dbtest.Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sqlstore.Close(db)
	})
	want, err := os.ReadFile(filepath.Join("testdata", "schema_v16.sqlite.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := lineDiff(string(want), dumpSchema(t, db)); diff != "" {
		t.Fatalf("the Go-migrated database differs from the golden schema (- golden, + database):\n%s", diff)
	}
	applied, err := models.Migrate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var later []int
	for _, v := range models.RegisteredMigrations() {
		if v > shippedVersion {
			later = append(later, v)
		}
	}
	if !slices.Equal(applied, later) {
		t.Fatalf("Migrate applied %v to a database the Go migrations built, want %v", applied, later)
	}
	if len(later) == 0 {
		if diff := lineDiff(string(want), dumpSchema(t, db)); diff != "" {
			t.Fatalf("Migrate changed the schema (- before, + after):\n%s", diff)
		}
	}
}

func gunzip(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// dumpSchema describes a database's schema as sorted text, one object a line,
// with runs of white space made one space.
func dumpSchema(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var lines []string
	add := func(query string) {
		t.Helper()
		rows, err := db.Raw(query).Rows()
		if err != nil {
			t.Fatalf("%v\n%s", err, query)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprint(v)
			}
			lines = append(lines, strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var tables []string
	if models.IsSQLite(db) {
		add(`SELECT 'object', type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master`)
		if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations'`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
	} else {
		add(`SELECT 'column', table_name, column_name, data_type, is_nullable, COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema()`)
		add(`SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`)
		add(`SELECT 'index', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`)
		add(`SELECT 'trigger', tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
			FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)`)
		add(`SELECT 'function', proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = current_schema()::regnamespace`)
		add(`SELECT 'options', relname, array_to_string(reloptions, ',') FROM pg_class
			WHERE relnamespace = current_schema()::regnamespace AND reloptions IS NOT NULL`)
		if err := db.Raw(`SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
	}
	// The rows the migrations themselves insert (the data version's counters).
	for _, tb := range tables {
		var n int64
		if err := db.Table(tb).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			lines = append(lines, fmt.Sprintf("rows | %s | %d", tb, n))
		}
	}
	add(`SELECT 'data_version', SUM(n) FROM data_version`)
	add(`SELECT 'migration', version, name FROM schema_migrations`)

	var schema string
	if !models.IsSQLite(db) {
		if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
	}
	space := regexp.MustCompile(`\s+`)
	for i, l := range lines {
		if !models.IsSQLite(db) {
			l = strings.ReplaceAll(l, schema+".", "")
		}
		lines[i] = strings.TrimSpace(space.ReplaceAllString(l, " "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// lineDiff lists the lines only in want (-) and only in got (+), or "".
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var sb strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			sb.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			sb.WriteString("+ " + l + "\n")
		}
	}
	return sb.String()
}
