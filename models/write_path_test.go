package models_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestOneWritePath fails when the app's source opens a write transaction of
// its own: writes go through sqlstore.Write, which on SQLite commits the
// writes waiting together (a transaction opened beside it would queue for
// the writer connection outside the groups). A transaction inside one
// (tx.Transaction, a savepoint) is fine; the migrations run before the app
// serves, and the load harness writes its snapshots alone. Tests are exempt.
func TestOneWritePath(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..")
	ownTx := regexp.MustCompile(`\.Transaction\(|\.Begin\(\)`)
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name != ".." && strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		switch {
		case !strings.HasSuffix(rel, ".go"), strings.HasSuffix(rel, "_test.go"),
			rel == "models/sqlstore/group.go", rel == "models/migrate.go", strings.HasPrefix(rel, "cmd/portfolio-load/"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if ownTx.MatchString(line) && !strings.Contains(line, "tx.Transaction(") {
				found = append(found, rel+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("a write transaction outside sqlstore.Write:\n%s", strings.Join(found, "\n"))
	}
}
