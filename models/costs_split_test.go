package models

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// sumSplit gives exactly what Sum gives, figure by figure, and records the same
// rates as used and missing, over random months in several currencies (some
// without a rate) and rates of up to ten decimals.
func TestSumSplitEqualsSum(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 2026))
	rateText := []string{"1.0825", "0.011345", "1.17", "0.0000012345", "3", "0.9999999999", "1.2345678901"}
	for round := range 200 {
		var fx []FXRate
		for m := 1; m <= 12; m++ {
			for _, cur := range []string{"USD", "GBP", "JPY"} {
				if r.IntN(6) > 0 { // some months have no rate
					fx = append(fx, FXRate{Currency: cur, Month: D(2026, time.Month(m), 1), Rate: rateText[r.IntN(len(rateText))]})
				}
			}
		}
		var rows []CostSums
		for range r.IntN(60) {
			amount := func() int64 { return r.Int64N(2_000_000_000_00) - 1_000_000_00 }
			typ := SavingsHard
			if r.IntN(3) == 0 {
				typ = SavingsAvoidance
			}
			rows = append(rows, CostSums{Currency: []string{"EUR", "USD", "GBP", "JPY"}[r.IntN(4)], Month: D(2026, time.Month(1+r.IntN(12)), 1),
				SavingsType: typ, Baseline: amount(), VendorFees: amount(), Retained: amount(), OneOff: amount(), Credits: amount(), Planned: amount()})
		}
		slow, fast := NewRates("EUR", fx), NewRates("EUR", fx)
		want, got := Sum(rows, slow), sumSplit(rows, fast)
		for _, typ := range SavingsTypes {
			w, g := want.Of(typ), got.Of(typ)
			if w.Months != g.Months {
				t.Fatalf("round %d %s: %d months, want %d", round, typ, g.Months, w.Months)
			}
			wv, gv := reflect.ValueOf(*w), reflect.ValueOf(*g)
			for i := range wv.NumField() {
				we, ok := wv.Field(i).Interface().(Exact)
				if !ok {
					continue
				}
				ge := gv.Field(i).Interface().(Exact)
				if we.Rat().Cmp(ge.Rat()) != 0 {
					t.Fatalf("round %d %s %s: %s, want %s", round, typ, wv.Type().Field(i).Name, ge.Rat().RatString(), we.Rat().RatString())
				}
			}
		}
		if fmt.Sprint(slow.Used(), slow.Missing()) != fmt.Sprint(fast.Used(), fast.Missing()) {
			t.Fatalf("round %d: rates used %v missing %v, want %v %v", round, fast.Used(), fast.Missing(), slow.Used(), slow.Missing())
		}
	}
}

func BenchmarkSumSplit(b *testing.B) {
	var fx []FXRate
	var rows []CostSums
	for m := 1; m <= 12; m++ {
		for _, cur := range []string{"USD", "GBP", "EUR"} {
			fx = append(fx, FXRate{Currency: cur, Month: D(2026, time.Month(m), 1), Rate: "1.0825"})
			for _, typ := range SavingsTypes {
				rows = append(rows, CostSums{Currency: cur, Month: D(2026, time.Month(m), 1), SavingsType: typ,
					Baseline: 123_456_789_00, VendorFees: 98_765_432_10, Retained: 1_234_567_89, OneOff: 55_555_55, Credits: 12_345_67, Planned: 9_876_543_21})
			}
		}
	}
	rates := NewRates("EUR", fx)
	b.Run("Sum", func(b *testing.B) {
		for b.Loop() {
			Sum(rows, rates)
		}
	})
	b.Run("sumSplit", func(b *testing.B) {
		for b.Loop() {
			sumSplit(rows, rates)
		}
	})
}
