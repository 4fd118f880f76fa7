package models

// SetRefreshBatch makes health refreshes commit every n engagements until the
// returned function restores the size (compiled into tests only), so that a
// small portfolio exercises the refresh across several batches.
func SetRefreshBatch(n int) (restore func()) {
	old := refreshBatch
	refreshBatch = n
	return func() { refreshBatch = old }
}
