package handlers

// SetPackParts makes a part of the portfolio's review pack hold size
// engagements and cut its portfolio-wide lists to rows, until the returned
// function restores both (compiled into tests only).
func SetPackParts(size, rows int) (restore func()) {
	oldSize, oldRows := packPartSize, packListCap
	packPartSize, packListCap = size, rows
	return func() { packPartSize, packListCap = oldSize, oldRows }
}
