package web_test

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"portfolio/models/dbtest"
	"portfolio/web"
)

// zeros is an endless body of n bytes that is never held in memory.
type zeros struct{ left int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), z.left)
	clear(p[:n])
	z.left -= n
	return int(n), nil
}

// multipartBody is a multipart upload of one file of size bytes, streamed.
func multipartBody(size int64) (io.Reader, string) {
	const boundary = "limitsboundary"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return io.MultiReader(strings.NewReader(head), &zeros{size}, strings.NewReader(tail)), "multipart/form-data; boundary=" + boundary
}

// An upload larger than its route accepts is 413, whether it says its length
// or not, signed in or not, and leaves no temporary file behind; one within
// the import limit but past what a form keeps in memory leaves none either.
func TestBodyLimits(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := web.New(web.Options{DB: dbtest.Open(t, "sqlite"), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SessionKeys: web.KeyPair([]byte("test-session-secret-0123456789abcdef"))})
	handler := func(c echo.Context) error { return c.String(http.StatusOK, c.FormValue("x")) }
	s.App.POST("/login", handler)
	s.App.POST("/risks/import", handler)
	s.App.POST("/risks/import/apply", handler)
	srv := httptest.NewServer(s.Echo)
	defer srv.Close()
	post := func(path string, size int64, chunked bool) int {
		t.Helper()
		body, ct := multipartBody(size)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, body)
		req.Header.Set("Content-Type", ct)
		if !chunked {
			req.ContentLength = size + 200 // near enough: the header part is a few dozen bytes
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil { // the server may close the connection once the limit is read
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	leftovers := func() []string {
		var out []string
		filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "multipart-") {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	for _, tc := range []struct {
		path    string
		size    int64
		chunked bool
		want    int
	}{
		{"/login", 300 << 20, false, http.StatusRequestEntityTooLarge},
		{"/login", 300 << 20, true, http.StatusRequestEntityTooLarge},
		{"/risks/import", 300 << 20, true, http.StatusRequestEntityTooLarge},
		{"/risks/import", 48 << 20, true, http.StatusForbidden}, // within the limit: refused for its missing CSRF token
		// The apply form carries the checked file back: the import's limit, not a form's.
		{"/risks/import/apply", 48 << 20, true, http.StatusForbidden},
		{"/risks/import/apply", 300 << 20, true, http.StatusRequestEntityTooLarge},
	} {
		got := post(tc.path, tc.size, tc.chunked)
		if got != tc.want && !(got == 0 && tc.want == http.StatusRequestEntityTooLarge) {
			t.Errorf("%s, %d MB (chunked %v): %d, want %d", tc.path, tc.size>>20, tc.chunked, got, tc.want)
		}
		if files := leftovers(); len(files) > 0 {
			t.Errorf("%s, %d MB (chunked %v) left %v", tc.path, tc.size>>20, tc.chunked, files)
			for _, f := range files {
				os.Remove(f)
			}
		}
	}
}
