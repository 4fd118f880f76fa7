package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/register"
	"portfolio/models/remind"
	"portfolio/models/seed"
	"portfolio/models/sqlstore"
	"portfolio/models/sso"
	"portfolio/views/pages"
	"portfolio/web"
)

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, c *config) (*gorm.DB, []int, error) {
	clock, err := c.clock()
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlstore.Open(ctx, c.dsn(), clock.Now)
	if err != nil {
		return nil, nil, err
	}
	applied, err := models.Migrate(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	return db, applied, nil
}

// app is the assembled application: database and HTTP handler.
type app struct {
	clock   models.Clock
	db      *gorm.DB
	handler http.Handler
	log     *slog.Logger
	server  *handlers.App // the endpoints on the web server, whose background work gives way to requests (Yield)
	keys    [][]byte      // the session keys (unsubscribe links are signed with keys derived from them)
}

// closeDB closes the database at the end of a command or once the server has
// stopped: on SQLite the last connection's close folds the write-ahead log
// into the database file and removes it, so the next start need not read it
// back (a log left by a busy server can be large).
func closeDB(db *gorm.DB) {
	if err := sqlstore.Close(db); err != nil {
		slog.Error("closing the database", "err", err)
	}
}

// newApp opens the database, seeds the demo when asked and the database is empty,
// and builds the server with every handler mounted.
func newApp(ctx context.Context, c *config, stdout io.Writer) (*app, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	log := c.logger(os.Stderr)
	keys, generated, err := c.sessionKeys()
	if err != nil {
		return nil, err
	}
	if generated {
		fmt.Fprintf(stdout, "Generated a session key in %s (keep it private; set PORTFOLIO_SESSION_KEYS to share it between instances).\n", c.DataDir)
	}
	db, applied, err := openDB(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(applied) > 0 {
		fmt.Fprintf(stdout, "Applied migrations %v.\n", applied)
	}
	if c.demoWanted() {
		if err := seedDemoIfEmpty(ctx, db, stdout); err != nil {
			return nil, err
		}
	}
	if err := sayHowToStart(ctx, db, stdout); err != nil {
		return nil, err
	}
	clock, _ := c.clock() // validated above
	srv := web.New(web.Options{DB: db, Log: log, SessionKeys: keys, SecureCookies: c.SecureCookies, TrustProxy: c.TrustProxy,
		IdleTimeout: c.IdleTimeout, MaxSessionAge: c.MaxSession, Now: clock.Now})
	h := handlers.New(srv, db)
	m := pages.Mailing{On: c.mailer() != nil, From: c.SMTPFrom, At: c.RemindAt, BaseURL: c.baseURL()}
	if m.On {
		smtp := c.mailer().(remind.SMTP)
		m.Server = fmt.Sprintf("%s:%d (%s)", smtp.Host, smtp.Port, smtp.TLS)
	}
	h.SetMailing(m)
	h.SetTokenMaxLife(c.tokenMaxLife())
	roles, _ := sso.ParseRoles(c.OIDCRoles) // validated above
	client := c.ssoClient(clock.Now)
	h.SetSSO(handlers.SSO{Client: client, Roles: roles, Unmapped: c.OIDCUnmapped, LocalLogin: c.LocalLogin, LinkEmail: c.OIDCLinkEmail})
	if client != nil {
		// Read the provider's discovery document now, to say at start whether
		// it answers; a provider down at start is tried again at each sign-in.
		if err := client.Discover(ctx); err != nil {
			log.Warn("sso: the provider does not answer yet", "err", err)
		}
		fmt.Fprintf(stdout, "Single sign-on through %s (%s); password sign-in: %s.\n", c.OIDCName, c.OIDCIssuer, c.LocalLogin)
	}
	return &app{clock: clock, db: db, handler: srv.Echo, log: log, server: h, keys: keys}, nil
}

// sender is the reminders' sender of this process, or nil without SMTP.
func (a *app) sender(c *config) *remind.Sender {
	mailer := c.mailer()
	if mailer == nil {
		return nil
	}
	host, _ := os.Hostname()
	return &remind.Sender{DB: a.db, Mailer: mailer, BaseURL: c.baseURL(), Keys: remind.SigningKeys(a.keys),
		Holder: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:8]), Now: a.clock.Now, Log: a.log,
		Figures: handlers.DigestFigures(a.db)}
}

// seedDemoIfEmpty seeds the demo portfolio into a database that has never
// held a user or an engagement (accounts are disabled, never deleted), and
// prints the demo sign-in details. A database someone has started to use,
// even only by adding its first admin, is never given the demo's accounts.
func seedDemoIfEmpty(ctx context.Context, db *gorm.DB, stdout io.Writer) error {
	for _, m := range []any{&models.User{}, &models.Engagement{}} {
		var n int64
		if err := db.WithContext(ctx).Model(m).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	start := models.NowOf(db)
	if err := seed.Demo(ctx, db); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	// The seed writes rows in bulk, past the writers that keep the aggregates.
	if err := models.RebuildAggregates(ctx, db); err != nil {
		return err
	}
	if err := refreshHealth(ctx, db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Seeded the demo portfolio in %s. Sign in with one of:\n", models.NowOf(db).Sub(start).Round(time.Millisecond))
	for _, a := range seed.DemoAccounts {
		fmt.Fprintf(stdout, "  %-10s %-34s password: %s\n", a.Role, a.Email, a.Password)
	}
	return nil
}

// sayHowToStart prints how to create the first administrator when the
// database has no account at all (a production start, or --demo=false).
func sayHowToStart(ctx context.Context, db *gorm.DB, stdout io.Writer) error {
	var n int64
	if err := db.WithContext(ctx).Model(&models.User{}).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	fmt.Fprintln(stdout, "No account exists yet. Create the first administrator (the password is read from standard input):\n"+
		"  portfolio user add --email you@example.com --role admin --name 'Your Name'")
	return nil
}

func refreshHealth(ctx context.Context, db *gorm.DB) error {
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		return err
	}
	return models.RefreshHealth(ctx, db, s, models.TodayOf(db))
}

// backgroundHealth is refreshHealth as the server's own work, giving way to
// its requests.
func backgroundHealth(ctx context.Context, a *app) error {
	s, err := models.LoadSettings(ctx, a.db)
	if err != nil {
		return err
	}
	return models.RefreshHealthInBackground(ctx, a.db, s, models.TodayOf(a.db), a.server.Yield)
}

// serveMemoryLimit is the server's soft memory limit unless GOMEMLIMIT sets
// another: the garbage collector runs sooner as the heap nears it. Building
// the quarterly review pack of a large portfolio reads and renders several
// times the heap that is live afterwards, and without a limit the heap may
// grow to twice what is live before a collection: the resident memory would
// climb well past the performance table's bound.
const serveMemoryLimit = 128 << 20

// serveGCPercent is the server's GOGC when neither GOGC nor GOMEMLIMIT is
// set: the heap may grow to three times what is live before a collection,
// not twice, the memory limit above bounding it. Most of what a page allocates is dead once
// it is sent: in the load harness, register pages rendered afresh went from
// about 890 a second at the default to 1,100–1,400, the server's memory
// staying under the performance table's bound.
const serveGCPercent = 200

// serve runs the web app until ctx ends (SIGINT/SIGTERM), then shuts down gracefully.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(serveGCPercent)
		}
	}
	a, err := newApp(ctx, c, stdout)
	if err != nil {
		return err
	}
	defer closeDB(a.db)
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	// A client that sends its request slowly is cut off: headers in 10 s, the
	// whole request in 2 minutes (an import's upload; a form's body gets 20 s,
	// web.LimitBodies). Writing may take 5 minutes: the CSV export of a
	// register of 250,000 risks streams for a few seconds.
	hs := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	where := "SQLite " + sqlstore.SQLitePath(c.DataDir)
	if c.DatabaseURL != "" {
		where = "PostgreSQL"
	}
	fmt.Fprintf(stdout, "Portfolio is running at http://%s (database: %s). Press Ctrl+C to stop.\n", ln.Addr(), where)
	healthCtx, stopHealth := context.WithCancel(ctx)
	health, warm, notices, reminders := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() { defer close(health); dailyHealth(healthCtx, a) }()
	go func() { defer close(notices); noticesLoop(healthCtx, a) }()
	snd := a.sender(c)
	if snd == nil {
		fmt.Fprintln(stdout, "Email reminders are off: no SMTP server is set (--smtp-host, PORTFOLIO_SMTP_HOST). Notifications in the app and calendar feeds work without it.")
		close(reminders)
	} else {
		fmt.Fprintf(stdout, "Email reminders go out each day at %s (server time) through %s:%d, with links to %s.\n",
			c.RemindAt, c.mailer().(remind.SMTP).Host, c.mailer().(remind.SMTP).Port, snd.BaseURL)
		go func() { defer close(reminders); remindLoop(healthCtx, a, c, snd) }()
	}
	go func() {
		defer close(warm)
		if c.WarmPack {
			a.server.BuildReviewPackAhead(healthCtx)
		}
	}()
	defer func() { stopHealth(); <-health; <-warm; <-notices; <-reminders }() // before the database closes (deferred earlier, run later)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// dailyHealth refreshes every engagement's stored health at start and hourly, so
// that what time alone changes (an overdue review, a late milestone) shows up;
// then it takes a snapshot of the register as at each quarter's end not taken
// yet (the first start after a quarter ends, or after an upgrade). Both are
// background jobs of the server, giving way to its requests.
func dailyHealth(ctx context.Context, a *app) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		a.server.RunBackground(func() {
			if err := backgroundHealth(ctx, a); err != nil && ctx.Err() == nil {
				a.log.Error("health refresh failed", "err", err)
			}
			if err := snapshotQuarterEnds(ctx, a); err != nil && ctx.Err() == nil {
				a.log.Error("the register's snapshots at the quarters' ends failed", "err", err)
			}
		})
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// snapshotQuarterEnds stores the register as at the end of each recent quarter
// (register.BuildRiskSnapshots) where it is not stored yet, logging the days.
func snapshotQuarterEnds(ctx context.Context, a *app) error {
	s, err := models.LoadSettings(ctx, a.db)
	if err != nil {
		return err
	}
	start := a.clock.Now()
	days, err := register.BuildRiskSnapshots(ctx, a.db, s.Fiscal(), start, a.server.Yield)
	if len(days) > 0 {
		a.log.Info("stored the register's snapshots at the quarters' ends", "days", days, "took", a.clock.Now().Sub(start).Round(time.Millisecond))
	}
	return err
}

// noticesEvery is how often the server brings everyone's in-app notices up
// to date (the notifications page brings its user's up to date itself).
const noticesEvery = 5 * time.Minute

// noticesLoop refreshes the in-app notices at start and every noticesEvery,
// as background work of the server, giving way to its requests.
func noticesLoop(ctx context.Context, a *app) {
	t := time.NewTicker(noticesEvery)
	defer t.Stop()
	for {
		a.server.RunBackground(func() {
			if a.server.Yield(ctx) != nil {
				return
			}
			s, err := models.LoadSettings(ctx, a.db)
			if err == nil {
				err = remind.Sync(ctx, a.db, s, 0, a.clock.Today(), a.clock.Now())
				a.server.NoticesChanged()
			}
			if err != nil && ctx.Err() == nil {
				a.log.Error("refreshing the notifications failed", "err", err)
			}
		})
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// remindEvery is how often the sender looks for digests to send: the day's
// once its time has come, and those to try again.
const remindEvery = 30 * time.Second

// remindLoop composes each day's digests once the server's clock passes
// --remind-at (its local time, and its local date: remind.Schedule), and
// sends what is due, as background work of the server. Another instance
// on the same database may hold the lease: this one then does nothing.
func remindLoop(ctx context.Context, a *app, c *config, snd *remind.Sender) {
	t := time.NewTicker(remindEvery)
	defer t.Stop()
	for {
		var due *models.Date
		if day, ok, _ := remind.Schedule(a.clock.Now(), c.RemindAt, time.Local); ok { // --remind-at is validated
			due = &day
		}
		a.server.RunBackground(func() {
			if a.server.Yield(ctx) != nil {
				return
			}
			r, err := snd.Run(ctx, due)
			if err != nil && ctx.Err() == nil {
				a.log.Error("sending reminders failed", "err", err)
			}
			if r.Composed || r.Sent > 0 || r.Failed > 0 {
				a.log.Info("reminders", "composed", r.Digests, "sent", r.Sent, "failed", r.Failed)
			}
		})
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
