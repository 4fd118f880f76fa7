package handlers

import "testing"

// A formula can start nowhere in an exported cell: not at its start, nor after
// a character a spreadsheet may split the cell at; import takes the
// apostrophes back out, so a file round-trips.
func TestNeutraliseEveryFormulaStart(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Budget;=1+1":        "Budget;'=1+1",
		"=HYPERLINK(\"x\")":  "'=HYPERLINK(\"x\")",
		"a,+1|@SUM(A1)\t-2":  "a,'+1|'@SUM(A1)\t'-2",
		"-12.50":             "-12.50",
		"Plain text; no sum": "Plain text; no sum",
		"it's = fine":        "it's = fine",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
		if back := unneutralise(neutralise(in)); back != in {
			t.Errorf("round trip of %q gives %q", in, back)
		}
	}
}
