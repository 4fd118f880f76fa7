package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"portfolio/views/layouts"
)

func TestCRC32Combine(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 100, 4096, 100_003} {
		a, b := make([]byte, r.IntN(5000)), make([]byte, n)
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), len(b)); got != want {
			t.Errorf("combine with %d bytes: %08x, want %08x", n, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]bool{"": false, "gzip": true, "gzip, deflate, br": true, "br;q=1.0, gzip;q=0.8": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "identity": false, "*": true, "deflate, GZIP": true} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", h)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", h, got, want)
		}
	}
}

// A cached body in this request's chrome reads the same compressed or not,
// as one gzip member, and the same as the page rendered whole; an htmx
// request for the part gets the body alone.
func TestRenderBody(t *testing.T) {
	t.Parallel()
	body := bodyOf([]byte(strings.Repeat(`<tr><td class="num">12,345</td><td>Bogotá · Wrocław · ₹</td></tr>`, 3000)))
	chrome := layouts.Chrome{Title: "Dashboard", Active: "dashboard", CSRF: "token-123", Flashes: []layouts.Flash{{Kind: "success", Text: "Saved."}}}
	var whole bytes.Buffer
	if err := layouts.Cached(chrome, body.String()).Render(t.Context(), &whole); err != nil {
		t.Fatal(err)
	}
	serve := func(header map[string]string, partial bool) *httptest.ResponseRecorder {
		e := echo.New()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		if err := RenderBody(e.NewContext(req, rec), http.StatusOK, chrome, body, partial); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	plain := serve(nil, false)
	if plain.Body.String() != whole.String() || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("the plain page differs from the page rendered whole (%d bytes, %d)", plain.Body.Len(), whole.Len())
	}
	for _, tc := range []struct {
		name    string
		header  map[string]string
		partial bool
		want    string
	}{
		{"page", map[string]string{"Accept-Encoding": "gzip"}, true, whole.String()},
		{"htmx part", map[string]string{"Accept-Encoding": "gzip", "HX-Request": "true"}, true, body.String()},
		{"boosted", map[string]string{"Accept-Encoding": "gzip", "HX-Request": "true", "HX-Boosted": "true"}, true, whole.String()},
	} {
		rec := serve(tc.header, tc.partial)
		if rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s: headers %v", tc.name, rec.Header())
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		zr.Multistream(false) // one member, as every browser reads
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: the gzip body differs from the plain one (%d bytes, want %d)", tc.name, len(got), len(tc.want))
		}
		if rest, _ := io.ReadAll(rec.Body); len(rest) != 0 {
			t.Errorf("%s: %d bytes after the gzip member", tc.name, len(rest))
		}
		if rec.Body.Len() > len(tc.want)/3 {
			t.Errorf("%s: %d bytes compressed of %d", tc.name, rec.Body.Len(), len(tc.want))
		}
	}
}

// TestGzipStreamOfAnyChrome: chrome of any length (a long flash: more than one
// stored block; none at all) and an empty body make one valid gzip member
// holding exactly the page.
func TestGzipStreamOfAnyChrome(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 0xffff, 0x10000, 200_000} {
		prefix := bytes.Repeat([]byte("<p>x</p>"), n/8+1)[:n]
		for _, body := range []string{"", "<main>the body</main>"} {
			for _, suffix := range []string{"", "</body></html>"} {
				var out bytes.Buffer
				gzipStream(&out, prefix, bodyOf([]byte(body)), []byte(suffix))
				zr, err := gzip.NewReader(&out)
				if err != nil {
					t.Fatalf("chrome of %d: %v", n, err)
				}
				zr.Multistream(false)
				got, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("chrome of %d, body %q, suffix %q: %v", n, body, suffix, err)
				}
				if want := string(prefix) + body + suffix; string(got) != want || out.Len() != 0 {
					t.Errorf("chrome of %d, body %q, suffix %q: %d bytes back, want %d; %d left over", n, body, suffix, len(got), len(want), out.Len())
				}
			}
		}
	}
}

// BenchmarkBodyDeflate compresses a body the size of a register page (50 rows,
// about 70 KB), as every page rendered afresh is.
func BenchmarkBodyDeflate(b *testing.B) {
	var sb strings.Builder
	for i := range 50 {
		fmt.Fprintf(&sb, `<tr id="risk-%d" class="band-%d"><td><a href="/risks/%d">R-%05d</a></td><td>Vendor lock-in on the %d service desk</td>`+
			`<td class="num">%d</td><td class="num">%d</td><td><span class="chip">Financial</span></td><td>owner %d</td><td><time datetime="2026-%02d-%02d">%d %s 2026</time></td>`+
			`<td><form method="post" action="/risks/%d/status"><select name="status"><option>open</option><option>mitigating</option><option>closed</option></select></form></td></tr>`,
			i, i%4, 1000+i*37, 1000+i*37, i*13, i%25+1, i%16+1, i%9, i%12+1, i%28+1, i%28+1, "Dec", 1000+i*37)
		sb.WriteString(strings.Repeat(`<td class="note">`+strings.Repeat("mitigation step ", 40)+`</td>`, 1))
	}
	html := []byte(sb.String())
	b.SetBytes(int64(len(html)))
	for b.Loop() {
		bodyOf(html)
	}
}
