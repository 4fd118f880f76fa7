package handlers

import "testing"

// The column types of the fixed exports line up with their headers (one
// missing would shift every type after it onto the wrong column).
func TestExportTypesMatchHeaders(t *testing.T) {
	t.Parallel()
	if len(riskTypes) != len(riskColumns) {
		t.Errorf("%d risk types for %d columns", len(riskTypes), len(riskColumns))
	}
	if got := len(costTypes("USD")); got != len(costColumns) {
		t.Errorf("%d cost types for %d columns", got, len(costColumns))
	}
	for i, name := range costColumns {
		money := costTypes("USD")[i].kind == kindMoney
		if name == "Currency" || name == "Savings type" || name == "Rate" || name == "Version" || name == "Quarter" {
			if money {
				t.Errorf("cost column %q is typed as an amount", name)
			}
		}
	}
}
