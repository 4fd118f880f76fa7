package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"portfolio/models"
)

// gunzip decodes a gzip body, failing the test if it is not one.
func gunzip(t *testing.T, body string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body cut short: %v", err)
	}
	return string(b)
}

// A client that accepts gzip gets pages, partials and CSV exports compressed,
// decoding to what a client that does not gets plain; an XLSX export (a zip
// already) and a tiny response are never compressed.
func TestResponsesAreCompressedForClientsThatAcceptIt(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	// The transport must not ask for gzip itself (and decode it out of sight).
	c.http.Transport = &http.Transport{DisableCompression: true}
	c.login(models.RoleExecutive)
	gz := map[string]string{"Accept-Encoding": "gzip, deflate, br"}

	for _, tc := range []struct {
		path string
		hdr  map[string]string
		want string // what the plain body must hold
	}{
		{"/", nil, `<html`},
		{"/risks?sort=ref", nil, `<html`},
		{"/risks?sort=ref", map[string]string{"HX-Request": "true"}, `data-testid=`},
		{"/risks/export?format=csv&status=all&sort=ref", nil, "\n"},
	} {
		plainHdr, gzHdr := map[string]string{}, map[string]string{}
		for k, v := range tc.hdr {
			plainHdr[k], gzHdr[k] = v, v
		}
		for k, v := range gz {
			gzHdr[k] = v
		}
		plain := c.do(http.MethodGet, tc.path, nil, plainHdr)
		zipped := c.do(http.MethodGet, tc.path, nil, gzHdr)
		if plain.StatusCode != http.StatusOK || zipped.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d plain, %d gzip", tc.path, plain.StatusCode, zipped.StatusCode)
		}
		if enc := plain.Header.Get("Content-Encoding"); enc != "" || !strings.Contains(plain.Body, tc.want) {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q, want a plain body holding %q", tc.path, enc, tc.want)
		}
		if enc := zipped.Header.Get("Content-Encoding"); enc != "gzip" {
			t.Fatalf("%s with Accept-Encoding gzip: Content-Encoding %q", tc.path, enc)
		}
		for _, r := range []resp{plain, zipped} {
			if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding (a cache would serve one client the other's bytes)", tc.path, r.Header.Values("Vary"))
			}
		}
		decoded := gunzip(t, zipped.Body)
		if decoded != plain.Body {
			t.Errorf("%s: the gzip body decodes to %d bytes, not the plain %d", tc.path, len(decoded), len(plain.Body))
		}
		if len(zipped.Body)*3 > len(plain.Body) {
			t.Errorf("%s: %d bytes compressed to %d", tc.path, len(plain.Body), len(zipped.Body))
		}
	}

	xlsx := c.do(http.MethodGet, "/risks/export?format=xlsx&status=all", nil, gz)
	if xlsx.StatusCode != http.StatusOK || xlsx.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix([]byte(xlsx.Body), []byte("PK")) {
		t.Errorf("XLSX export: status %d, Content-Encoding %q, starts %q: want the zip as it is", xlsx.StatusCode, xlsx.Header.Get("Content-Encoding"), xlsx.Body[:min(4, len(xlsx.Body))])
	}
	health := c.do(http.MethodGet, "/healthz", nil, gz)
	if health.Header.Get("Content-Encoding") != "" || !strings.Contains(health.Body, `"ok"`) {
		t.Errorf("health probe: Content-Encoding %q, body %q: a tiny body goes out plain", health.Header.Get("Content-Encoding"), health.Body)
	}
}
