package handlers

import (
	"time"

	"portfolio/models"
)

// SetPackParts makes a part of the portfolio's review pack hold size
// engagements and cut its portfolio-wide lists to rows, until the returned
// function restores both (compiled into tests only).
func SetPackParts(size, rows int) (restore func()) {
	oldSize, oldRows := packPartSize, packListCap
	packPartSize, packListCap = size, rows
	return func() { packPartSize, packListCap = oldSize, oldRows }
}

// SetPartsPerYield makes a build ahead of the review pack give way every n
// parts it renders until the returned function restores the count (compiled
// into tests only).
func SetPartsPerYield(n int) (restore func()) {
	old := partsPerYield
	partsPerYield = n
	return func() { partsPerYield = old }
}

// SetPackAheadEvery makes BuildReviewPackAhead look at the data version every
// d until the returned function restores the interval (compiled into tests
// only).
func SetPackAheadEvery(d time.Duration) (restore func()) {
	old := packAheadEvery
	packAheadEvery = d
	return func() { packAheadEvery = old }
}

// SetYield makes a's background work give way through y instead of the
// server's Yield (compiled into tests only).
func (a *App) SetYield(y models.Yield) { a.yield = y }

// PackAsked reports whether a request has asked for the portfolio's pack
// since the last build ahead began (compiled into tests only).
func (a *App) PackAsked() bool { return a.packAhead.asked.Load() }
