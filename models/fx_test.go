package models_test

import (
	"testing"

	"portfolio/models"
)

// Rates are exact decimals, stored as typed without padding; anything a
// spreadsheet might misread is refused rather than guessed.
func TestParseRate(t *testing.T) {
	t.Parallel()
	ok := map[string]string{"1.0825": "1.0825", "1.10": "1.1", "0.011345": "0.011345", ".5": "0.5", "007.50": "7.5", "2": "2", " 1.2 ": "1.2",
		"0.0000000001": "0.0000000001"}
	for in, want := range ok {
		got, err := models.ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0.000", "-1.1", "1,5", "1e3", "1.2.3", "abc", "1.12345678901", "123456789", "+1"} {
		if got, err := models.ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) = %q, want an error", in, got)
		}
	}
}

// Each model's lifecycle runs in order, and ends.
func TestNextPhase(t *testing.T) {
	t.Parallel()
	cases := []struct{ model, phase, want string }{
		{models.ModelBOT, "Selection", "Build"}, {models.ModelBOT, "Operate", "Transfer"}, {models.ModelBOT, "Transfer", "Transferred"},
		{models.ModelBOT, "Transferred", ""}, {models.ModelITO, "Transition", "Run"}, {models.ModelITO, "Exit", "Ended"},
		{models.ModelITO, "Ended", ""}, {models.ModelITO, "Build", ""},
	}
	for _, c := range cases {
		if got := models.NextPhase(c.model, c.phase); got != c.want {
			t.Errorf("NextPhase(%s, %s) = %q, want %q", c.model, c.phase, got, c.want)
		}
	}
}
