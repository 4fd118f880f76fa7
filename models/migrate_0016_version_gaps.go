package models

// Migration 16: the mitigation actions and the transfer gates move the data
// version too. Every other table a page reads did; a value kept at the data
// version that read one of these (a risk's actions, an engagement's gate
// decisions) would have stayed stale after their writes.
func init() {
	register(migration{16, "the data version covers mitigation actions and gates", dataVersionTriggers([]string{"mitigation_actions", "transfer_gates"})})
}
