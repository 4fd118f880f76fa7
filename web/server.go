// Package web is the HTTP toolkit the handlers stand on: the Echo server and its
// middleware order, rendering, sessions and flash messages, the signed-in user
// and role guards, CSRF, and the error pages.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/sqlstore"
	"portfolio/static"
)

// Options configure the server.
type Options struct {
	DB             *gorm.DB
	Log            *slog.Logger
	SessionKeys    [][]byte // hash/block key pairs, newest first: older pairs still decode (rotation)
	SecureCookies  bool     // served over TLS (directly or behind a proxy)
	RequestTimeout time.Duration
	IdleTimeout    time.Duration    // a session unused this long must sign in again
	MaxSessionAge  time.Duration    // a session older than this must sign in again
	Now            func() time.Time // the app's clock (models.Clock.Now); nil: the machine's
	// TrustProxy takes the client address from X-Forwarded-For when the request
	// comes from a proxy on a private or loopback address; otherwise the
	// connection's address counts, so a client cannot pick its own address to
	// dodge sign-in throttling.
	TrustProxy bool
	// Cache is the app's cache; nil: a new one reading DB's data version.
	Cache *cache.Cache
	// ReadsAtOnce bounds the GET and HEAD requests handled at once (Admission):
	// 0 is twice the cores, negative no bound.
	ReadsAtOnce int
	// APIRate is each API token's rate limit (zero: DefaultAPIRate).
	APIRate APIRate
}

// SessionKeys are the server's cookie keys (hash and block pairs, newest
// first): what other signatures of the app (unsubscribe links) derive theirs from.
func (s *Server) SessionKeys() [][]byte { return s.opts.SessionKeys }

// CountUnread sets how the header's bell counts a user's unread notices
// (models/remind, which the server does not know).
func (s *Server) CountUnread(count func(ctx context.Context, userID uint) (int64, error)) {
	s.unread = count
}

// Server is the Echo instance and the group every application route mounts on.
type Server struct {
	Echo *echo.Echo
	// App is where handlers mount: its routes get sessions, CSRF and the current user.
	App *echo.Group
	// API is where the JSON API mounts (/api/v1): no session, no CSRF; its
	// routes authenticate by bearer token (APIAuth).
	API      *echo.Group
	limiters limiters
	opts     Options
	users    *cache.Part[uint, models.User] // signed-in users' rows (auth.go)
	// inFlight counts the requests being served: background work waits for
	// them (Yield), and runs one job at a time (RunBackground).
	inFlight   *inFlight
	background sync.Mutex
	unread     func(ctx context.Context, userID uint) (int64, error) // the bell's count (CountUnread)
}

// New builds the server with the middleware in ARCHITECTURE.md's order:
// the count of requests in flight (Yield) → Recover → RequestID → Compress → request log → Secure headers → body limits → ContextTimeout → text only → Admission (reads) → Session → CSRF → LoadUser;
// RequireRole is attached per route by the route table.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 2 * time.Hour
	}
	if o.MaxSessionAge == 0 {
		o.MaxSessionAge = 12 * time.Hour
	}
	if o.Now == nil {
		o.Now = models.SystemClock().Now
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	if o.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	if o.Cache == nil {
		o.Cache = NewCache(o.DB)
	}
	s := &Server{Echo: e, opts: o, users: cache.NewPart[uint, models.User](o.Cache, "signed-in users", 4096, "users")}
	e.HTTPErrorHandler = s.handleError
	s.inFlight = newInFlight()
	e.Use(s.inFlight.middleware) // outermost: a request counts until its handlers are all done
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			o.Log.Error("panic", "request_id", RequestID(c), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestID())
	e.Use(Compress()) // outside the request log, which writes the error pages: they are compressed too
	e.Use(requestLogger(o.Log))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            hstsAge(o.SecureCookies),
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		ReferrerPolicy:        "same-origin",
	}))
	e.Use(LimitBodies())
	// Exports stream the whole register for as long as it takes (the
	// server's write timeout bounds them); every other request has its timeout.
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: o.RequestTimeout,
		Skipper: func(c echo.Context) bool { return strings.HasSuffix(c.Path(), "/export") }}))
	e.Use(TextOnly())
	e.GET("/static/*", echo.WrapHandler(static.Handler()))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, static.Path("favicon.svg"))
	})
	store := sessions.NewCookieStore(o.SessionKeys...)
	for _, codec := range store.Codecs {
		if sc, ok := codec.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(sessionSerializer{}) // session_codec.go says why not gob
		}
	}
	store.Options = &sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: o.SecureCookies, MaxAge: int(o.MaxSessionAge.Seconds())}
	store.MaxAge(int(o.MaxSessionAge.Seconds()))
	if o.APIRate.Burst == 0 {
		o.APIRate = DefaultAPIRate
	}
	s.limiters.rate = o.APIRate
	s.API = e.Group("/api/v1", Admission(o.ReadsAtOnce, func() bool { return sqlstore.WritesInFlight(o.DB) }))
	s.App = e.Group("", Admission(o.ReadsAtOnce, func() bool { return sqlstore.WritesInFlight(o.DB) }), sessionMiddleware(store), csrfMiddleware(), s.loadUser, s.onceForms)
	return s
}

func hstsAge(tls bool) int {
	if tls {
		return 31536000
	}
	return 0
}

// DB gives the server's database handle bound to the request's context.
func (s *Server) DB(c echo.Context) *gorm.DB { return s.opts.DB.WithContext(c.Request().Context()) }

// NewCache makes an empty cache reading db's data version. A PostgreSQL
// server's requests share their reads of it: each is a round trip.
func NewCache(db *gorm.DB) *cache.Cache {
	return cache.New(func(ctx context.Context) (int64, int64, error) { return models.DataVersions(ctx, db) }, !models.IsSQLite(db), models.RiskTables...)
}

// Cache is the app's cache.
func (s *Server) Cache() *cache.Cache { return s.opts.Cache }

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.opts.Now() }

func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogResponseSize: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case strings.HasPrefix(v.URI, "/static/"), v.URI == "/healthz":
				level = slog.LevelDebug
			}
			ctx := context.Background() // the request's is over (ContextTimeout cancelled it)
			if !log.Enabled(ctx, level) {
				return nil // below the configured level: build nothing
			}
			attrs := []any{"method", v.Method, "uri", LoggedURI(v.URI), "status", v.Status, "latency_ms", float64(v.Latency.Microseconds()) / 1000,
				"bytes", v.ResponseSize, "request_id", v.RequestID, "remote_ip", v.RemoteIP}
			if u := CurrentUser(c); u != nil {
				attrs = append(attrs, "user_id", u.ID)
			}
			if level == slog.LevelError {
				attrs = append(attrs, "err", v.Error)
			}
			log.Log(ctx, level, "request", attrs...)
			return nil
		},
	})
}

// RequestID is the id the RequestID middleware gave this request.
func RequestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// httpStatus maps an error to the status the user sees.
func httpStatus(err error) (int, string) {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		msg, _ := he.Message.(string)
		return he.Code, msg
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound, ""
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden, ""
	case models.IsConflict(err):
		return http.StatusConflict, Sentence(err.Error())
	case errors.As(err, new(models.Invalid)), errors.As(err, new(models.RiskRuleError)):
		return http.StatusUnprocessableEntity, Sentence(err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "The request took too long. Try again, or narrow the filters."
	}
	return http.StatusInternalServerError, ""
}

// Log is the server's logger.
func (s *Server) Log() *slog.Logger { return s.opts.Log }
