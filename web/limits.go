package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"portfolio/models"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Request bodies are bounded by what their route needs: a form is a few
// kilobytes, so every request may send FormBodyLimit; a CSV import uploads a
// file (a whole register of 250,000 risks exported is some 60 MB), so the
// import routes may send ImportBodyLimit: the upload (paths ending in /import)
// and its apply (/import/apply), whose form carries the checked file back.
const (
	FormBodyLimit   = 1 << 20
	ImportBodyLimit = 96 << 20
)

// formReadTime is how long a request with a form body may take to send it
// (the machine's time: a deadline of the network, not of the app's day).
const formReadTime = 20 * time.Second

// bodyLimitFor is the body limit of a path.
func bodyLimitFor(path string) int64 {
	if strings.HasSuffix(path, "/import") || strings.HasSuffix(path, "/import/apply") {
		return ImportBodyLimit
	}
	return FormBodyLimit
}

// cappedBody is a request body cut at its limit (http.MaxBytesReader, which
// also has the server close the connection) that remembers being cut: a form
// parsed from a cut body just looks empty (the CSRF check then says 403), so
// LimitBodies answers 413 itself.
type cappedBody struct {
	io.ReadCloser
	over bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		b.over = true
	}
	return n, err
}

// LimitBodies bounds every request body (bodyLimitFor), answering 413 with a
// page that says the limit, and removes the temporary files a multipart form
// left once the request is done. Go removes those only for the request its
// server made; a form parsed on a copy (ContextTimeout, Admission and the
// session middleware each make one) left them behind, so that anyone could
// fill the disk with uploads refused for their CSRF token. Echo's BodyLimit
// middleware answers 413 on Content-Length but not on a chunked body that a
// form parser reads past the limit: this does both.
func LimitBodies() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			limit := bodyLimitFor(req.URL.Path)
			tooLarge := echo.NewHTTPError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("The request is larger than the %d MB this page accepts.", limit>>20))
			if req.ContentLength > limit {
				return tooLarge
			}
			var body *cappedBody
			if req.Body != nil && req.Body != http.NoBody {
				body = &cappedBody{ReadCloser: http.MaxBytesReader(c.Response(), req.Body, limit)}
				req.Body = body
				if limit == FormBodyLimit { // a form's few kilobytes come at once; a trickle holds a connection
					_ = http.NewResponseController(c.Response().Writer).SetReadDeadline(models.SystemClock().Now().Add(formReadTime))
				}
			}
			err := next(c)
			if mf := c.Request().MultipartForm; mf != nil { // the last copy of the request, which parsed it
				_ = mf.RemoveAll()
			}
			if body != nil && body.over && !c.Response().Committed {
				return tooLarge
			}
			return err
		}
	}
}

// TextOnly refuses a request whose query or form values are not text: a NUL
// byte, or bytes that are not UTF-8. PostgreSQL refuses to store or compare
// either (every text input was a 500 there, sign-in's included) and SQLite
// would keep what no page can show; so they are refused here, once for every
// route, with a 422 that says why, before any handler reads them.
func TextOnly() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			bad := func(vs map[string][]string) bool {
				for k, list := range vs {
					if !isText(k) {
						return true
					}
					for _, v := range list {
						if !isText(v) {
							return true
						}
					}
				}
				return false
			}
			if bad(c.QueryParams()) {
				return echo.NewHTTPError(http.StatusUnprocessableEntity, "The address holds characters that are not text (a NUL byte or bytes that are not UTF-8). Remove them and try again.")
			}
			if m := c.Request().Method; m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch {
				form, err := c.FormParams()
				if err == nil && bad(form) {
					return echo.NewHTTPError(http.StatusUnprocessableEntity, "The form holds characters that are not text (a NUL byte or bytes that are not UTF-8). Nothing was saved: remove them and send it again.")
				}
			}
			return next(c)
		}
	}
}

// isText reports valid UTF-8 without NUL bytes.
func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
