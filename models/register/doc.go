// Package register reads the risk register: filters and sorts (RiskFilter),
// the tally and heat maps of a filter, its pages (by number, seeking from the
// cached ends of the pages before, or by cursor), the register as it stood at
// the end of a past day (replayed from the history, or read from the
// snapshots taken of each quarter's end), what moved between two days, the
// options of its filter selects and its export. Cache holds what these reads
// derive at the data version. Writes of risks are models' (the one audited
// write); this package only reads.
package register
