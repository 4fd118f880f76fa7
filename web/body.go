package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/klauspost/compress/flate"
	"github.com/labstack/echo/v4"

	"portfolio/views/layouts"
)

// Body is a page's body rendered once and served to many users (the
// dashboard's, the register's pages, the review pack's parts), cached
// compressed only: a large portfolio's review pack is tens of megabytes of
// HTML, which compressed take an eighth of the memory (and of what the garbage
// collector counts toward its next run). A view joins the HTML of its request
// around the body (the chrome: the user's name, CSRF token and flashes; the
// pack's controls) and the compressed body into one gzip stream: a gzip stream
// may be built from DEFLATE runs that each end on a byte boundary and refer to
// nothing before them; the checksum is over the whole page. The HTML around
// goes in stored (uncompressed) blocks: compressing its 2.6 KB cost 20 µs a
// view in BenchmarkDashboardRouter, more than the rest of a cached view, to
// save 1.4 KB. A client that takes no gzip gets the body inflated.
type Body struct {
	deflated []byte // the HTML as a DEFLATE run, sync-flushed: no final block
	crc      uint32 // of the HTML
	size     int    // of the HTML
}

// NewBody renders c and compresses it, at the fastest level: under writes
// the data version moves often, and a body may be served only a few times.
// It renders into a reused buffer: the HTML itself is not kept.
func NewBody(ctx context.Context, c templ.Component) (*Body, error) {
	html := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(html)
	if err := c.Render(ctx, html); err != nil {
		return nil, err
	}
	return bodyOf(html.Bytes()), nil
}

// bodyOf compresses html, which it does not keep.
func bodyOf(html []byte) *Body {
	buf := gzipBuffers.Get().(*bytes.Buffer)
	defer putGzipBuffer(buf)
	fw := deflaters.Get().(*flate.Writer)
	fw.Reset(buf)
	_, _ = fw.Write(html) // writes to a bytes.Buffer do not fail
	_ = fw.Flush()
	fw.Reset(io.Discard) // let go of buf, which goes back to its pool
	deflaters.Put(fw)
	return &Body{deflated: bytes.Clone(buf.Bytes()), crc: crc32.ChecksumIEEE(html), size: len(html)}
}

// deflaters are DEFLATE writers at the fastest level, reused: a new one
// allocates and clears most of a megabyte, which cost several times the
// compressing of a register page (BenchmarkBodyDeflate).
var deflaters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is in range
	return fw
}}

// finalBlock is an empty stored block marked final: it ends a DEFLATE run.
var finalBlock = []byte{1, 0, 0, 0xff, 0xff}

// writeHTML writes the body's HTML, inflated, to w.
func (b *Body) writeHTML(w io.Writer) error {
	fr := flate.NewReader(io.MultiReader(bytes.NewReader(b.deflated), bytes.NewReader(finalBlock)))
	defer fr.Close()
	_, err := io.Copy(w, fr)
	return err
}

// String is the body's HTML.
func (b *Body) String() string {
	var sb strings.Builder
	sb.Grow(b.size)
	_ = b.writeHTML(&sb) // the run is the body's own, whole
	return sb.String()
}

// Slot marks where a cached body goes in the page rendered around it (see
// RenderAround). It holds a NUL, which no rendered text contains (TextOnly
// refuses it in input, and templ writes none).
const Slot = "\x00body\x00"

// RenderBody answers with the cached body in the chrome of this request: the
// whole page, or the body alone for an htmx request that is not boosted
// when partial is true. Headers as Render sets them.
func RenderBody(c echo.Context, status int, chrome layouts.Chrome, body *Body, partial bool) error {
	var page templ.Component
	if !partial || !IsHTMX(c) || IsBoosted(c) {
		page = layouts.Cached(chrome, Slot)
	}
	return RenderAround(c, status, page, body)
}

// RenderAround answers with page, rendered for this request with Slot where
// the cached body goes, and the body in it; with the body alone when page is
// nil. Headers as Render sets them.
func RenderAround(c echo.Context, status int, page templ.Component, body *Body) error {
	var prefix, suffix []byte
	if page != nil {
		buf := renderBuffers.Get().(*bytes.Buffer)
		defer putRenderBuffer(buf)
		if err := page.Render(c.Request().Context(), buf); err != nil {
			return err
		}
		html := buf.Bytes()
		i := bytes.Index(html, []byte(Slot))
		if i < 0 {
			panic("web: the page around a cached body lost its slot")
		}
		prefix, suffix = html[:i], html[i+len(Slot):]
	}
	h := c.Response().Header()
	h.Add("Vary", "HX-Request")
	if CurrentUser(c) != nil {
		h.Set("Cache-Control", "no-store")
	}
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	if !acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(prefix)+body.size+len(suffix)))
		c.Response().WriteHeader(status)
		w := c.Response()
		if _, err := w.Write(prefix); err != nil {
			return err
		}
		if err := body.writeHTML(w); err != nil {
			return err
		}
		_, err := w.Write(suffix)
		return err
	}
	out := gzipBuffers.Get().(*bytes.Buffer)
	defer putGzipBuffer(out)
	gzipStream(out, prefix, body, suffix)
	h.Add("Vary", echo.HeaderAcceptEncoding)
	h.Set(echo.HeaderContentEncoding, "gzip")
	h.Set(echo.HeaderContentLength, strconv.Itoa(out.Len()))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(out.Bytes())
	return err
}

// gzipHeader is a gzip member's header: DEFLATE, no name, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// gzipStream writes prefix, the body and suffix as one gzip member into out.
func gzipStream(out *bytes.Buffer, prefix []byte, body *Body, suffix []byte) {
	out.Write(gzipHeader)
	storedBlocks(out, prefix, false)
	out.Write(body.deflated)
	storedBlocks(out, suffix, true)
	crc := crc32Combine(crc32.ChecksumIEEE(prefix), body.crc, body.size)
	crc = crc32Combine(crc, crc32.ChecksumIEEE(suffix), len(suffix))
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(len(prefix)+body.size+len(suffix)))
	out.Write(trailer[:])
}

// storedBlocks writes p as DEFLATE stored blocks (RFC 1951 3.2.4), starting
// and ending on a byte boundary; final marks the last block as the stream's
// end (an empty one if p is empty).
func storedBlocks(out *bytes.Buffer, p []byte, final bool) {
	for first := true; first || len(p) > 0; first = false {
		n := min(len(p), 0xffff)
		var head [5]byte
		if final && n == len(p) {
			head[0] = 1
		}
		binary.LittleEndian.PutUint16(head[1:], uint16(n))
		binary.LittleEndian.PutUint16(head[3:], ^uint16(n))
		out.Write(head[:])
		out.Write(p[:n])
		p = p[n:]
	}
}

// The compressed pages' buffers, reused.
var gzipBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

// putGzipBuffer returns a buffer to the pool, unless one exceptional page
// grew it past what is worth keeping (as putRenderBuffer).
func putGzipBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	gzipBuffers.Put(b)
}

// acceptsGzip reports a request whose Accept-Encoding takes gzip (or any
// coding), not with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get(echo.HeaderAcceptEncoding), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || strings.HasPrefix(q, "q=0.0") && strings.Trim(q[len("q=0."):], "0") == "" {
			return false
		}
		return true
	}
	return false
}

// crc32Combine is the CRC-32 of a ‖ b from crc(a), crc(b) and len(b), as
// zlib's crc32_combine: the body's checksum is computed once, not re-read on
// every view (hash/crc32 has no combine; this is zlib 1.2.12's method).
func crc32Combine(crcA, crcB uint32, lenB int) uint32 {
	return multModP(x2nModP(lenB, 3), crcA) ^ crcB
}

// multModP is a × b modulo the CRC-32 polynomial (reflected bit order).
func multModP(a, b uint32) uint32 {
	m, p := uint32(1)<<31, uint32(0)
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
}

// x2nModP is x^(n·2^k) modulo the polynomial.
func x2nModP(n int, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		k++
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = multModP(p, p)
	}
	return t
}()
