package web

// The JSON API's toolkit (/api/v1): bearer tokens instead of the session
// cookie (so no CSRF: nothing ambient authenticates a request), a rate limit
// per token, and errors as RFC 9457 problem documents.

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"portfolio/models"
)

// APIPrefix starts every address of the JSON API.
const APIPrefix = "/api/"

const tokenKey = "api_token"

// APIRate is a token's rate limit: Per requests a second on average, Burst at once.
type APIRate struct {
	Per   float64
	Burst int
}

// DefaultAPIRate lets a token make 10 requests a second, 60 at once.
var DefaultAPIRate = APIRate{Per: 10, Burst: 60}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []ProblemField `json:"errors,omitempty"`
	// ETag is the record's current entity tag, on a 412 (a clash).
	ETag string `json:"etag,omitempty"`
}

// ProblemField is one field's error in a problem document: its name (a JSON
// field of the request) and what is wrong with it.
type ProblemField struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Problem types beyond the plain status ("about:blank").
const (
	ProblemValidation = "/api/v1/problems/validation" // 422: fields the rules refuse (see errors)
	ProblemConflict   = "/api/v1/problems/conflict"   // 412: fields changed meanwhile (see errors)
)

// ProblemError is an error the API answers as a problem document.
type ProblemError struct{ Problem }

func (e *ProblemError) Error() string { return e.Title + ": " + e.Detail }

// NewProblem is a problem of a status with a detail for the client.
func NewProblem(status int, detail string) *ProblemError {
	return &ProblemError{Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}}
}

// Invalid is a 422 naming the fields refused and why.
func Invalid(detail string, fields map[string]string) *ProblemError {
	p := NewProblem(http.StatusUnprocessableEntity, detail)
	p.Type = ProblemValidation
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p.Errors = append(p.Errors, ProblemField{Field: k, Detail: fields[k]})
	}
	return p
}

// IsAPI reports whether a request is for the JSON API.
func IsAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, APIPrefix) }

// writeProblem answers err as a problem document (the error handler's way
// for the API): the status and message the HTML pages would show, in JSON.
func (s *Server) writeProblem(c echo.Context, err error) {
	var pe *ProblemError
	if !errors.As(err, &pe) {
		code, msg := httpStatus(err)
		if msg == http.StatusText(code) {
			msg = ""
		}
		if code >= 500 {
			s.opts.Log.Error("request failed", "request_id", RequestID(c), "method", c.Request().Method, "uri", c.Request().RequestURI, "err", err)
			msg = "The error has been logged with the request id " + RequestID(c) + "."
		}
		pe = NewProblem(code, msg)
		var invalid models.Invalid
		if errors.As(err, &invalid) {
			pe = Invalid("The request breaks the record's rules.", invalid)
		}
	}
	if pe.Detail == "" {
		pe.Detail = defaultMessage(pe.Status)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(pe.Status)
		return
	}
	c.Response().WriteHeader(pe.Status)
	_ = jsonEncode(c, pe.Problem)
}

// APIAuth authenticates an API request by its bearer token alone (a session
// cookie counts for nothing here), limits the token's rate, and puts the
// token's owner, as the account is now, on the request as the current user.
// A missing, unknown, revoked or expired token, or a disabled owner, is 401.
func (s *Server) APIAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, secret, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="portfolio"`)
			return NewProblem(http.StatusUnauthorized, "Send a personal access token: Authorization: Bearer pfl_… (make one on your account page).")
		}
		ctx := c.Request().Context()
		now := s.Now()
		tok, u, ok, err := models.TokenOwner(ctx, s.opts.DB, strings.TrimSpace(secret), now)
		if err != nil {
			return err
		}
		if !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="portfolio", error="invalid_token"`)
			return NewProblem(http.StatusUnauthorized, "The token is unknown, revoked or expired, or its account is disabled.")
		}
		if wait := s.limiters.wait(tok.ID, now); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return NewProblem(http.StatusTooManyRequests, "Too many requests with this token: wait the seconds Retry-After says.")
		}
		if err := models.TouchToken(ctx, s.opts.DB, tok, now); err != nil {
			return err
		}
		c.Set(userKey, &u)
		c.Set(tokenKey, tok)
		return next(c)
	}
}

// APIWrite refuses (403) a request whose token may not write: a read token,
// or a write token whose owner's role no longer writes.
func APIWrite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok, ok := c.Get(tokenKey).(models.APIToken)
		u := CurrentUser(c)
		if !ok || u == nil || !tok.CanWrite(*u) {
			return NewProblem(http.StatusForbidden, "This token can only read: make a write token (managers and administrators).")
		}
		return next(c)
	}
}

// limiters are the tokens' rate limiters, kept in this instance (several
// instances each allow the rate: a limit of load, not of correctness).
type limiters struct {
	mu   sync.Mutex
	rate APIRate
	of   map[uint]*rate.Limiter
}

// wait takes a request from the token's allowance at now, or says how long
// until one is free (nothing taken).
func (l *limiters) wait(id uint, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.of == nil || len(l.of) > 10000 { // bounded: a forgotten limiter is a full one
		l.of = map[uint]*rate.Limiter{}
	}
	lim := l.of[id]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(l.rate.Per), l.rate.Burst)
		l.of[id] = lim
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

func jsonEncode(c echo.Context, v any) error { return json.NewEncoder(c.Response()).Encode(v) }
