package handlers_test

import (
	"strings"
	"testing"

	"portfolio/models"
)

// The transfers view lists the upcoming BOT transfers with readiness, days to
// go, the latest gate and the red flags; the filter and export agree with it.
func TestTransfersPage(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		today := models.DateOf(e.now)
		sum, err := models.SummariseTransfers(t.Context(), e.db, today)
		if err != nil || sum.Upcoming == 0 || sum.RedFlags == 0 {
			t.Fatalf("demo transfers %+v, %v", sum, err)
		}
		c := e.client()
		c.login(models.RoleExecutive)
		doc := c.get("/transfers").Doc(t)
		if n := doc.Find(`[data-testid="transfer-row"]`).Length(); int64(n) != min(sum.Upcoming, 25) {
			t.Errorf("%d rows, want %d", n, sum.Upcoming)
		}
		if n := doc.Find(`[data-testid="red-flag"]`).Length(); int64(n) != sum.RedFlags {
			t.Errorf("%d red flags shown, want %d", n, sum.RedFlags)
		}
		if doc.Find(`nav a[href="/transfers"]`).Length() == 0 {
			t.Error("Transfers is not in the navigation")
		}
		r := c.htmx("/transfers?risk=1")
		if !isPartial(r, "transfers-table") {
			t.Fatal("the filter's htmx request did not get the partial")
		}
		if n := r.Doc(t).Find(`[data-testid="transfer-row"]`).Length(); int64(n) != sum.RedFlags {
			t.Errorf("red flags only: %d rows, want %d", n, sum.RedFlags)
		}
		csv := c.get("/transfers/export?format=csv&risk=1")
		if lines := strings.Split(strings.TrimSpace(csv.Body), "\n"); int64(len(lines)-1) != sum.RedFlags || !strings.HasSuffix(strings.TrimSpace(lines[1]), "yes") {
			t.Errorf("export: %d rows for %d red flags\n%s", len(lines)-1, sum.RedFlags, csv.Body)
		}
	})
}
