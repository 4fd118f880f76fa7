package handlers_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Handlers parse, call models and render: none imports GORM, and none
// queries the database handle itself (ARCHITECTURE: the one data seam).
func TestHandlersDoNotTouchGORM(t *testing.T) {
	t.Parallel()
	query := regexp.MustCompile(`\b(db|tx)\.(WithContext|Where|First|Find|Model|Raw|Exec|Transaction|Joins|Preload|Select|Table|Create|Save|Delete|Update|Updates|UpdateColumns|Order|Limit|Count|Scan|Pluck|Take|Rows|Session|Scopes)\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		checked++
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, "gorm.io/") {
				t.Errorf("%s imports %s: handlers call models, which hold every query", name, path)
			}
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if query.MatchString(line) {
				t.Errorf("%s:%d queries the database itself: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked < 30 {
		t.Fatalf("checked %d handler files: the walk found too few to prove anything", checked)
	}
}
