package web

import (
	"compress/gzip"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/labstack/echo/v4"
)

// compressMin is the smallest body worth compressing: below a kilobyte the
// gzip header and the CPU cost more than the bytes saved (a redirect, a 204
// for htmx, the health probe's JSON).
const compressMin = 1024

// xlsxType is an XLSX export's content type: a zip, compressed already.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Compress gzips responses for clients that accept it (klauspost's gzhttp,
// whose gzip is faster than compress/gzip's: the compression is paid on every
// page, on cores shared with the database): pages and partials, CSV exports,
// JSON, CSS, JS and SVG, all text, which shrinks several-fold. Responses
// shorter than compressMin go out as they are,
// every compressible one says Vary: Accept-Encoding, and compressed formats
// (an XLSX export) are sent as they are. A streamed export stays streamed:
// each flush of the CSV writer flushes the compressor, whose memory is fixed
// however long the export.
func Compress() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(compressMin),
		// BestSpeed: much faster than the default level, for slightly more bytes.
		gzhttp.CompressionLevel(gzip.BestSpeed),
		// A gzipped answer is another representation: its ETag gets -gzip.
		gzhttp.SuffixETag("-gzip"),
		gzhttp.ContentTypeFilter(func(ct string) bool { return gzhttp.DefaultContentTypeFilter(ct) && ct != xlsxType }))
	if err != nil {
		panic(err) // only for options out of range
	}
	return echo.WrapMiddleware(func(h http.Handler) http.Handler { return wrap(h) })
}
