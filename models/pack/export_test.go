package pack

// SetYieldRows makes a pack built in the background give way every n rows
// it reads until the returned function restores the count (compiled into
// tests only), so that the demo portfolio's few thousand rows give way too.
func SetYieldRows(n int) (restore func()) {
	old := yieldRows
	yieldRows = n
	return func() { yieldRows = old }
}

// StatusGroups exports statusGroups to the tests.
var StatusGroups = statusGroups
