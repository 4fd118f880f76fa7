package models

// Migration 17: the history (changes) moves the data version too. Every change
// row is written beside a write of a table that moves it already, but the
// register as at a day and the review pack read the history, and a cached
// read must not rest on that promise: the test of the cache's parts checks
// that every table they read has its trigger.
func init() {
	register(migration{17, "the data version covers the history", dataVersionTriggers([]string{"changes"})})
}
