package handlers_test

// The register as the load harness asks for it, signed in as an executive and
// as a manager, on SQLite and PostgreSQL:
//
//	PORTFOLIO_BENCH_SCALE=4000 go test ./handlers -run '^$' -bench RiskRegisterLoad -benchtime 40x

import (
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// registerBenchDB is the scale portfolio on a kind of database (on PostgreSQL
// in the schema bench_register).
func registerBenchDB(b *testing.B, kind string) *gorm.DB {
	if kind == "sqlite" {
		return scaleDB(b)
	}
	return pgScaleDB(b, "bench_register")
}

// BenchmarkRiskRegisterLoad is the register as the load harness measures it:
// signed in as an executive (no quick actions) or a manager (quick actions on
// the rows of the engagements they manage), the filtered and sorted register at
// its first page, its middle page asked for by number, the page after that one
// through its Next link, and its last page; on SQLite, and on PostgreSQL when
// PORTFOLIO_TEST_POSTGRES_URL is set. cpu-ms/op is the CPU the process (server
// and client; not PostgreSQL's) spent per request. Each page is asked for
// again and again (from what the app caches, as long as nothing is written),
// and after a write each time (after-write: read and rendered afresh).
func BenchmarkRiskRegisterLoad(b *testing.B) {
	for _, kind := range dbtest.Kinds() {
		for _, role := range []string{models.RoleExecutive, models.RoleManager} {
			registerLoad(b, kind, role)
		}
	}
}

// registerLoad runs the register's load benchmarks on a database of kind,
// signed in as role.
func registerLoad(b *testing.B, kind, role string) {
	db := registerBenchDB(b, kind)
	c := newBenchClientOn(b, db, role)
	first, _ := c.get(b, registerFilter, nil)
	lastURL := pagerLink(first, "last")
	lastN, _ := strconv.Atoi(regexp.MustCompile(`page=(\d+)`).FindStringSubmatch(lastURL)[1])
	middle := registerFilter + "&page=" + strconv.Itoa(max(lastN/2, 1))
	mid, _ := c.get(b, middle, nil)
	for _, tc := range []struct{ name, path string }{
		{"first", registerFilter},
		{"middle-by-number", middle},
		{"next-link", pagerLink(mid, "next")},
		{"last", lastURL},
	} {
		// cached: the page asked for again; rendered-afresh: a page not cached (a unique
		// parameter, as the load harness's), its filter's tally and page ends
		// cached; after-write: nothing cached applies.
		for _, mode := range []string{"", "/rendered-afresh", "/after-write"} {
			name := kind + "/" + role + "/" + tc.name + mode
			b.Run(name, func(b *testing.B) {
				var bytes int64
				cpu := cpuTime()
				i := 0
				for b.Loop() {
					path := tc.path
					switch mode {
					case "/after-write":
						bumpVersion(b, db)
					case "/rendered-afresh":
						i++
						path += "&fresh=" + strconv.Itoa(i)
					}
					_, bytes = c.get(b, path, nil)
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
				b.SetBytes(bytes)
			})
		}
	}
	b.Run(kind+"/"+role+"/version-bump-alone", func(b *testing.B) {
		for b.Loop() {
			bumpVersion(b, db)
		}
	})
}

// bumpVersion moves the data version as a write would (it writes nothing
// else), so that the next request finds nothing it may reuse: "after-write"
// is a request's cost right after a write, which includes this statement
// (version-bump-alone).
func bumpVersion(b *testing.B, db *gorm.DB) {
	if err := db.Exec("UPDATE data_version SET n = n + 1 WHERE shard = 0").Error; err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time this process has used (user and system): on a
// machine shared with other work, the CPU a request costs (server and client
// here) is steadier than the time it takes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
