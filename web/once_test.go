package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// A create form's post whose handler panics (nothing stored: its transaction
// rolled back) lets its claim go, so that the same form sent again is saved
// rather than told for a day that it is "still being saved".
func TestOncePanicLetsTheClaimGo(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, "sqlite")
	s := New(Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKeys: KeyPair([]byte("test-session-secret-0123456789abcdef"))})
	post := func(h echo.HandlerFunc) (code int, panicked bool) {
		form := url.Values{OnceField: {"tok-1"}, "title": {"A risk"}}
		req := httptest.NewRequest(http.MethodPost, "/risks", strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		rec := httptest.NewRecorder()
		c := s.Echo.NewContext(req, rec)
		c.Set(userKey, &models.User{ID: 7})
		defer func() { panicked = recover() != nil }()
		if err := sessionMiddleware(sessions.NewCookieStore(KeyPair([]byte("test-session-secret-0123456789abcdef"))...))(s.onceForms(h))(c); err != nil {
			t.Fatal(err)
		}
		return rec.Code, false
	}
	if _, panicked := post(func(echo.Context) error { panic("boom") }); !panicked {
		t.Fatal("the panic did not reach the recoverer")
	}
	var left int64
	db.Model(&models.FormToken{}).Count(&left)
	if left != 0 {
		t.Fatalf("a panicked post left %d claims", left)
	}
	ran := 0
	if code, _ := post(func(c echo.Context) error { ran++; return c.Redirect(http.StatusSeeOther, "/risks/1") }); code != http.StatusSeeOther || ran != 1 {
		t.Errorf("the form sent again after the panic: %d, handler ran %d times", code, ran)
	}
	if code, _ := post(func(c echo.Context) error { ran++; return c.Redirect(http.StatusSeeOther, "/risks/2") }); code != http.StatusSeeOther || ran != 1 {
		t.Errorf("the saved form sent again: %d, handler ran %d times (want the first's redirect, not a second run)", code, ran)
	}
}
