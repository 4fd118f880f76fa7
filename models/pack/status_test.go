package pack_test

import (
	"fmt"
	"testing"

	"portfolio/models"
	"portfolio/models/pack"
)

// Up to StatusOnePage engagements are one grid in the pack's order; beyond
// that one grid per tower, towers by name, each in the pack's order (reds first).
func TestStatusGroups(t *testing.T) {
	t.Parallel()
	mk := func(n int) []pack.EngagementPack {
		var es []pack.EngagementPack
		colours := []string{models.Red, models.Amber, models.Green}
		for i := range n {
			// The pack's order: worst first, then by code.
			h := colours[i*3/n]
			es = append(es, pack.EngagementPack{Code: fmt.Sprintf("E-%03d", i), Tower: []string{"Infrastructure", "Cloud", "Help desk"}[i%3],
				Status: &pack.PackStatus{Health: h}})
		}
		return es
	}
	one := pack.StatusGroups(mk(pack.StatusOnePage))
	if len(one) != 1 || one[0].Tower != "" || len(one[0].Rows) != pack.StatusOnePage || one[0].Rows[0].Code != "E-000" {
		t.Fatalf("%d engagements: %d groups", pack.StatusOnePage, len(one))
	}
	many := pack.StatusGroups(mk(pack.StatusOnePage + 5))
	if len(many) != 3 || many[0].Tower != "Cloud" || many[1].Tower != "Help desk" || many[2].Tower != "Infrastructure" {
		t.Fatalf("groups: %+v", many)
	}
	total := 0
	for _, g := range many {
		total += len(g.Rows)
		rank := map[string]int{models.Red: 0, models.Amber: 1, models.Green: 2}
		for i := 1; i < len(g.Rows); i++ {
			if rank[g.Rows[i-1].Status.Health] > rank[g.Rows[i].Status.Health] {
				t.Errorf("%s: %s (%s) before %s (%s)", g.Tower, g.Rows[i-1].Code, g.Rows[i-1].Status.Health, g.Rows[i].Code, g.Rows[i].Status.Health)
			}
		}
		if g.Rows[0].Status.Health != models.Red {
			t.Errorf("%s does not start with a red", g.Tower)
		}
	}
	if total != pack.StatusOnePage+5 {
		t.Errorf("%d rows in the groups", total)
	}
}
