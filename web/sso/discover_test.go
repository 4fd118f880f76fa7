package sso

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Signing out asks for the end-session address while another request waits
// on a provider that does not answer: it is not held up behind that one (no
// lock is held over the network), and gives up with its own context.
func TestEndSessionDoesNotWaitBehindDiscovery(t *testing.T) {
	arrived, release := make(chan struct{}, 4), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		http.NotFound(w, r)
	}))
	defer srv.Close()
	defer close(release)
	c := New(Config{Issuer: srv.URL, ClientID: "portfolio"}, func() time.Time { return time.Unix(0, 0) })
	go func() { _, _, _ = c.Begin(context.Background(), "/") }() // a sign-in, stuck at the provider
	<-arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a request whose time is up
	done := make(chan string)
	go func() { done <- c.EndSessionURL(ctx, "hint", "") }()
	select {
	case got := <-done:
		if got != "" {
			t.Errorf("an end-session address from a provider never read: %q", got)
		}
	case <-time.After(10 * time.Second): // a bound for a failing test, not a measurement
		t.Fatal("EndSessionURL waits behind another request's discovery")
	}
}
