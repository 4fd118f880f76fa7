package models

// SetRefreshBatch makes health refreshes, the server's own too, commit every
// n engagements until the returned function restores the sizes (compiled
// into tests only), so that a small portfolio exercises the refresh across
// several batches.
func SetRefreshBatch(n int) (restore func()) {
	old, oldBackground := refreshBatch, backgroundRefreshBatch
	refreshBatch, backgroundRefreshBatch = n, n
	return func() { refreshBatch, backgroundRefreshBatch = old, oldBackground }
}
