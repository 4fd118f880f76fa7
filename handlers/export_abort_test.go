package handlers

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models/dbtest"
	"portfolio/web"
)

// An export whose rows fail after its 200 has gone out ends in a broken
// download, never in a file that looks whole: the connection is aborted, so
// the browser reports the download failed. One whose rows all come is whole.
func TestExportCutShortAbortsTheConnection(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, "sqlite")
	s := web.New(web.Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SessionKeys: web.KeyPair([]byte("test-session-secret-0123456789abcdef")), Now: time.Now})
	a := New(s, db)
	spec := func(failAt int) exportSpec {
		return exportSpec{Filename: "rows", Header: []string{"N"}, Rows: func(yield func([]string) error) error {
			for i := range 5000 {
				if i == failAt {
					return errors.New("the database went away")
				}
				if err := yield([]string{strconv.Itoa(i)}); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	s.Echo.GET("/test/:format/:fail", func(c echo.Context) error {
		fail, _ := strconv.Atoi(c.Param("fail"))
		return a.writeExport(c, c.Param("format"), spec(fail))
	})
	srv := httptest.NewServer(s.Echo)
	defer srv.Close()
	for _, format := range []string{"csv", "xlsx"} {
		for _, fail := range []int{-1, 3000} {
			res, err := http.Get(srv.URL + "/test/" + format + "/" + strconv.Itoa(fail))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", format, res.StatusCode)
			}
			switch {
			case fail < 0 && err != nil:
				t.Errorf("%s, every row: reading the download failed: %v", format, err)
			case fail >= 0 && err == nil:
				t.Errorf("%s, cut at row %d: the download of %d bytes read as complete", format, fail, len(body))
			}
		}
	}
}
