package migrations

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed *.sql
var files embed.FS

// Dialect names a database the app runs on.
type Dialect string

// The databases the app runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

var dialects = []Dialect{SQLite, Postgres}

// Migration is one version of the schema: the statements each database runs.
type Migration struct {
	Version int
	Name    string // as schema_migrations records it
	files   map[Dialect]string
	stmts   map[Dialect][]string
}

// Statements are what the migration runs on database d, in order: comments
// dropped, placeholders filled in, only the statements meant for d.
func (m Migration) Statements(d Dialect) []string { return m.stmts[d] }

// File names the file holding the migration's SQL for database d.
func (m Migration) File(d Dialect) string { return m.files[d] }

// All returns the embedded migrations in version order, or everything wrong
// with the files. The result is shared: callers must not change it.
func All() ([]Migration, error) { return embedded() }

var embedded = sync.OnceValues(func() ([]Migration, error) { return load(files) })

// neverUsed are the versions no migration ever had: migration 5 followed 1.
var neverUsed = []int{2, 3, 4}

// shippedNames are the names schema_migrations recorded for the migrations
// written in Go before they became files; fresh databases record them too, so
// every database reads the same. A later migration is recorded under its
// file's name: 0017_risk_owners.sql as "risk owners".
var shippedNames = map[int]string{
	1:  "initial schema",
	5:  "sla and transfer versions, lesson search",
	6:  "cost aggregate covering indexes",
	7:  "aggregates kept on write, dashboard indexes",
	8:  "risk register paging, counts and search",
	9:  "data version",
	10: "live risk cells read from risk_cells; risk_cell_totals dropped",
	11: "indexes of risks moved between engagements and of risks by creation",
	12: "the register kept as at each quarter's end",
	13: "the data version covers what the review pack reads",
	14: "published packs have versions and corrections",
	15: "the health probe writes its own row",
	16: "the data version covers mitigation actions and gates",
}

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)(?:\.(sqlite|postgres))?\.sql$`)

type file struct {
	name    string
	slug    string
	dialect Dialect // "" when both databases run it
	text    string
}

// load reads and checks every migration file of fsys.
func load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var errs []error
	byVersion := map[int][]file{}
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			errs = append(errs, fmt.Errorf("%s: a migration is named NNNN_name.sql, or NNNN_name.sqlite.sql and NNNN_name.postgres.sql", e.Name()))
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v, _ := strconv.Atoi(m[1])
		byVersion[v] = append(byVersion[v], file{e.Name(), m[2], Dialect(m[3]), strings.ReplaceAll(string(b), "\r\n", "\n")})
	}
	if len(byVersion) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no migration files"))
	}

	versions := slices.Sorted(maps.Keys(byVersion))
	var out []Migration
	for _, v := range versions {
		m, err := migration(v, byVersion[v])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	if len(versions) > 0 {
		errs = append(errs, checkSequence(versions, byVersion)...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("migrations: %w", errors.Join(errs...))
	}
	return out, nil
}

// checkSequence reports versions out of the sequence 1, 5, 6, 7 …
func checkSequence(versions []int, byVersion map[int][]file) []error {
	var errs []error
	for _, v := range versions {
		if v < 1 || slices.Contains(neverUsed, v) {
			errs = append(errs, fmt.Errorf("%s: version %d is not to be used; number a new migration after the last", byVersion[v][0].name, v))
		}
	}
	for v := 1; v < versions[len(versions)-1]; v++ {
		if _, ok := byVersion[v]; !ok && !slices.Contains(neverUsed, v) {
			errs = append(errs, fmt.Errorf("version %d is missing: versions follow one another without gaps", v))
		}
	}
	return errs
}

// migration makes version v of its files: one both databases run, or one per database.
func migration(v int, group []file) (Migration, error) {
	slices.SortFunc(group, func(a, b file) int { return strings.Compare(a.name, b.name) })
	m := Migration{Version: v, files: map[Dialect]string{}, stmts: map[Dialect][]string{}}
	var names []string
	for _, f := range group {
		names = append(names, f.name)
		if f.slug != group[0].slug {
			return m, fmt.Errorf("%s: version %d has files of two names", strings.Join(names, ", "), v)
		}
	}
	switch {
	case len(group) == 1 && group[0].dialect == "":
	case len(group) == 2 && group[0].dialect != "" && group[1].dialect != "":
	case len(group) == 1:
		return m, fmt.Errorf("%s: a file per database needs its twin for the other database", group[0].name)
	default:
		return m, fmt.Errorf("%s: version %d is either one NNNN_name.sql or a .sqlite.sql and .postgres.sql pair", strings.Join(names, ", "), v)
	}
	for _, f := range group {
		n := 0
		for _, d := range dialects {
			if f.dialect != "" && f.dialect != d {
				continue
			}
			stmts, err := statements(f.text, d, f.dialect != "")
			if err != nil {
				return m, fmt.Errorf("%s: %w", f.name, err)
			}
			m.files[d], m.stmts[d] = f.name, stmts
			n += len(stmts)
		}
		if n == 0 {
			return m, fmt.Errorf("%s: no statements", f.name)
		}
	}
	m.Name = shippedNames[v]
	if m.Name == "" {
		m.Name = strings.ReplaceAll(group[0].slug, "_", " ")
	}
	return m, nil
}

// markers start a line that puts the next statement on one database alone.
var markers = map[string]Dialect{"-- sqlite only": SQLite, "-- postgres only": Postgres}

var errMarker = errors.New("a marker (-- sqlite only, -- postgres only) goes on the line right before a statement")

func marker(line string) (Dialect, bool) {
	for prefix, d := range markers {
		if strings.HasPrefix(strings.TrimSpace(line), prefix) {
			return d, true
		}
	}
	return "", false
}

// statements cuts a file's script into the statements database d runs. The
// lines of comments go; a marker line stays with the statement it starts.
func statements(script string, d Dialect, perDatabase bool) ([]string, error) {
	var kept []string
	for _, line := range strings.Split(script, "\n") {
		if _, ok := marker(line); ok {
			if perDatabase {
				return nil, fmt.Errorf("%q in a file for one database", strings.TrimSpace(line))
			}
		} else if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		kept = append(kept, line)
	}
	var out []string
	for _, stmt := range splitSQL(strings.Join(kept, "\n")) {
		only, marked := marker(stmt)
		if marked {
			_, stmt, _ = strings.Cut(stmt, "\n")
			stmt = strings.TrimSpace(stmt)
		}
		if stmt == "" {
			return nil, errMarker
		}
		for _, line := range strings.Split(stmt, "\n") {
			if _, ok := marker(line); ok {
				return nil, errMarker
			}
		}
		stmt = Expand(d, stmt)
		if i := strings.Index(stmt, "{{"); i >= 0 {
			return nil, fmt.Errorf("unknown placeholder in %q", stmt[i:min(len(stmt), i+12)])
		}
		if !marked || only == d {
			out = append(out, stmt)
		}
	}
	return out, nil
}

// splitSQL cuts a script at the semicolons that end its lines.
func splitSQL(script string) []string {
	var out []string
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var placeholders = map[Dialect]*strings.Replacer{
	SQLite:   strings.NewReplacer("{{pk}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{ts}}", "TIMESTAMP"),
	Postgres: strings.NewReplacer("{{pk}}", "BIGSERIAL PRIMARY KEY", "{{ts}}", "TIMESTAMPTZ"),
}

// Expand fills in the placeholders {{pk}} and {{ts}} for database d.
func Expand(d Dialect, sql string) string { return placeholders[d].Replace(sql) }
