package models_test

import (
	"regexp"
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
	ownTx := regexp.MustCompile(`\.Transaction\(|\.Begin\(\)`)
	found := sourceLines(t, func(rel string) bool {
		return rel == "models/sqlstore/group.go" || rel == "models/migrate.go" || strings.HasPrefix(rel, "cmd/portfolio-load/")
	}, func(line string) bool { return ownTx.MatchString(line) && !strings.Contains(line, "tx.Transaction(") })
	if len(found) > 0 {
		t.Errorf("a write transaction outside sqlstore.Write:\n%s", strings.Join(found, "\n"))
	}
}
