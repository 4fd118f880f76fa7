package models

import "context"

// Yield is how the server's own background work (the health refresh, the
// register's quarter-end snapshots, the review pack built ahead) gives way
// to the people using the app: the work runs in small batches, one job at a
// time, and calls its Yield between two batches. The server's Yield returns
// once no request has been served for a moment, or after a short bounded
// wait so that the work still finishes under constant load
// (web.Server.Yield); it returns an error, which stops the work, once the
// work should end.
type Yield func(ctx context.Context) error

// Wait gives way once, between two batches: y's answer, or only ctx's error
// for a nil Yield (work that someone is waiting for runs straight through).
func (y Yield) Wait(ctx context.Context) error {
	if y == nil {
		return ctx.Err()
	}
	return y(ctx)
}
