package dbtest

import (
	"context"
	"net/url"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// Reopen opens a second, independent handle (its own connection pool) on the
// database db talks to, closed when the test ends: what another app instance
// or a command-line process sharing the database would hold.
func Reopen(t testing.TB, db *gorm.DB) *gorm.DB {
	t.Helper()
	target := ""
	if models.IsSQLite(db) {
		var rows []struct {
			Seq        int
			Name, File string
		}
		if err := db.Raw("PRAGMA database_list").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Name == "main" {
				target = r.File
			}
		}
	} else {
		var schema string
		if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(PostgresURL())
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		target = u.String()
	}
	if target == "" {
		t.Fatal("reopen: no database file or schema")
	}
	other, err := sqlstore.Open(context.Background(), target, Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, other)
	return other
}
