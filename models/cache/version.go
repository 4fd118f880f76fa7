package cache

import (
	"context"
	"sync"
)

// versionReads reads the data version for requests. On a database server the
// read is a round trip, much of what a page served from the cache costs; so
// with shared, requests share reads: one that comes while a read is under way
// waits for the next read, which begins as that one ends and answers every
// request that came meanwhile. Each request is thus answered by a read begun
// after it came, which sees every write committed before it came, as its own
// read would. (singleflight would join the read under way, begun before the
// request came, and could miss a write committed in between.)
type versionReads struct {
	read   func(context.Context) (Version, error)
	shared bool

	mu      sync.Mutex
	running bool
	next    *versionRead // the read the requests coming now will share
}

type versionRead struct {
	done chan struct{}
	v    Version
	err  error
}

func (r *versionReads) get(ctx context.Context) (Version, error) {
	if !r.shared {
		return r.read(ctx)
	}
	r.mu.Lock()
	if r.next == nil {
		r.next = &versionRead{done: make(chan struct{})}
	}
	call := r.next
	start := !r.running
	if start {
		r.running, r.next = true, nil
	}
	r.mu.Unlock()
	if start {
		r.run(call)
	}
	select {
	case <-call.done:
		return call.v, call.err
	case <-ctx.Done():
		return Version{}, ctx.Err()
	}
}

// run reads for call, then starts the read of the requests that came
// meanwhile, if any, on a goroutine of its own (this one has a request to answer).
func (r *versionReads) run(call *versionRead) {
	// Shared by every waiting request: none of them may cancel it.
	call.v, call.err = r.read(context.Background())
	close(call.done)
	r.mu.Lock()
	next := r.next
	r.next = nil
	r.running = next != nil
	r.mu.Unlock()
	if next != nil {
		go r.run(next)
	}
}
