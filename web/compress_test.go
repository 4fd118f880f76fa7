package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models/dbtest"
	"portfolio/web"
)

// gzipGet asks for path with Accept-Encoding: gzip, the transport leaving the body as sent.
func gzipGet(t *testing.T, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s: Content-Encoding %q, want gzip", url, resp.Header.Get("Content-Encoding"))
	}
	return resp
}

// A compressed response streams: what the handler flushes reaches the client
// before the handler goes on (a CSV export of a whole register takes seconds),
// and a small write followed by a large one, which takes the body past the
// compression threshold, is written whole (io.Copy checks the count).
func TestCompressedResponsesStream(t *testing.T) {
	t.Parallel()
	s := web.New(web.Options{DB: dbtest.Open(t, "sqlite"), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SessionKeys: web.KeyPair([]byte("test-session-secret-0123456789abcdef"))})
	firstRead := make(chan struct{})
	line := strings.Repeat("a,b,c,d\n", 250) // 2,000 bytes
	s.Echo.GET("/stream", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, "text/csv")
		c.Response().WriteHeader(http.StatusOK)
		if _, err := io.WriteString(c.Response(), line); err != nil {
			return err
		}
		c.Response().Flush()
		select {
		case <-firstRead:
		case <-time.After(10 * time.Second):
			return nil // the client never saw the first part: it was held back
		}
		_, err := io.WriteString(c.Response(), "end\n")
		return err
	})
	s.Echo.GET("/small-then-large", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, "text/plain")
		if _, err := io.WriteString(c.Response(), "small\n"); err != nil {
			return err
		}
		if _, err := io.Copy(c.Response(), bytes.NewReader(bytes.Repeat([]byte("large\n"), 1000))); err != nil {
			return err
		}
		_, err := io.WriteString(c.Response(), "end\n")
		return err
	})
	srv := httptest.NewServer(s.Echo)
	defer srv.Close()

	resp := gzipGet(t, srv.URL+"/stream")
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(zr)
	got := make([]byte, len(line))
	start := time.Now()
	if _, err := io.ReadFull(br, got); err != nil || string(got) != line {
		t.Fatalf("the first part: %v", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("the first part came after %s: the response was buffered, not streamed", waited)
	}
	close(firstRead)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "end\n" {
		t.Fatalf("the rest: %q, %v", rest, err)
	}

	resp2 := gzipGet(t, srv.URL+"/small-then-large")
	defer resp2.Body.Close()
	zr2, err := gzip.NewReader(resp2.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr2)
	if want := "small\n" + strings.Repeat("large\n", 1000) + "end\n"; err != nil || string(body) != want {
		t.Fatalf("small then large: %d bytes (%v), want %d", len(body), err, len(want))
	}
}
