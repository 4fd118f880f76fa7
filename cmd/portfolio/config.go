package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/remind"
	"portfolio/models/sqlstore"
	"portfolio/models/sso"
	"portfolio/web"
	websso "portfolio/web/sso"
)

// config is every setting, each a flag with a PORTFOLIO_* environment fallback.
type config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	Demo          bool
	demoSet       bool
	SessionKeys   string
	Production    bool
	SecureCookies bool
	TrustProxy    bool
	LogLevel      string
	LogFormat     string
	IdleTimeout   time.Duration
	MaxSession    time.Duration
	WarmPack      bool
	Today         string // run as if it were this day (demos, training, tests)
	BaseURL       string // the address users reach the app at: links in emails and calendar feeds
	SMTPHost      string
	SMTPPort      int
	SMTPUser      string
	SMTPPassword  string
	SMTPFrom      string
	SMTPTLS       string
	RemindAt      string // HH:MM, the server's local time
	TokenMaxDays  int    // the longest life of an API token, in days
	smtpPortBad   string // PORTFOLIO_SMTP_PORT when it is not a number
	// PORTFOLIO_API_TOKEN_MAX_DAYS when it is not a positive number
	tokenMaxDaysBad string
	// Single sign-on (OpenID Connect) and password sign-in.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRedirectURL  string
	OIDCScopes       string
	OIDCName         string
	OIDCRoleClaim    string
	OIDCRoles        string
	OIDCUnmapped     string
	OIDCLinkEmail    bool
	LocalLogin       string
}

// settingsHelp lists the settings for --help: flag, environment variable + default, meaning.
var settingsHelp = [][3]string{
	{"addr", "PORTFOLIO_ADDR=127.0.0.1:8080", "address to listen on"},
	{"data", "PORTFOLIO_DATA_DIR=./data", "data directory: SQLite file, session keys"},
	{"database-url", "PORTFOLIO_DATABASE_URL", "a postgres:// URL switches to PostgreSQL"},
	{"demo", "PORTFOLIO_DEMO", "seed the demo portfolio into an empty database (default: on for SQLite)"},
	{"session-keys", "PORTFOLIO_SESSION_KEYS", "comma-separated cookie secrets, newest first (rotation); generated into the data directory when unset"},
	{"production", "PORTFOLIO_PRODUCTION=false", "production mode: session keys must be configured; never seeds the demo"},
	{"secure-cookies", "PORTFOLIO_SECURE_COOKIES=false", "mark cookies Secure and send HSTS (serve over TLS)"},
	{"trust-proxy", "PORTFOLIO_TRUST_PROXY=false", "behind a reverse proxy: take the client address from X-Forwarded-For"},
	{"idle-timeout", "PORTFOLIO_IDLE_TIMEOUT=2h", "sign out after this long without a request"},
	{"max-session", "PORTFOLIO_MAX_SESSION=12h", "sign out this long after signing in"},
	{"log-level", "PORTFOLIO_LOG_LEVEL=info", "debug, info, warn or error"},
	{"log-format", "PORTFOLIO_LOG_FORMAT=text", "text or json"},
	{"warm-pack", "PORTFOLIO_WARM_PACK=true", "build the last quarter's review pack ahead, once the data has been quiet for 10 seconds"},
	{"today", "PORTFOLIO_TODAY", "run as if it were this day, YYYY-MM-DD (demos, training, tests; refused with --production)"},
	{"base-url", "PORTFOLIO_BASE_URL", "the address people reach the app at, e.g. https://portfolio.example.com: links in emails and calendar addresses (needed with --smtp-host)"},
	{"smtp-host", "PORTFOLIO_SMTP_HOST", "SMTP server for email reminders; unset: no email"},
	{"smtp-port", "PORTFOLIO_SMTP_PORT", "SMTP port (default: 587 for starttls, 465 for tls, 25 for none)"},
	{"smtp-user", "PORTFOLIO_SMTP_USER", "SMTP user name, when the server asks for one"},
	{"smtp-password", "PORTFOLIO_SMTP_PASSWORD", "SMTP password (prefer the variable: a flag shows in the process list)"},
	{"smtp-from", "PORTFOLIO_SMTP_FROM", "the sender of reminders, e.g. 'Portfolio <portfolio@example.com>'"},
	{"smtp-tls", "PORTFOLIO_SMTP_TLS=starttls", "none, starttls or tls (implicit TLS)"},
	{"remind-at", "PORTFOLIO_REMIND_AT=07:00", "when the server sends each day's reminders, its local time (with --smtp-host)"},
	{"api-token-max-days", "PORTFOLIO_API_TOKEN_MAX_DAYS=365", "the longest life of a personal access token for the JSON API, in days"},
	{"oidc-issuer", "PORTFOLIO_OIDC_ISSUER", "single sign-on: the OpenID Connect provider's issuer URL, e.g. https://login.example.com/realms/acme; unset: no single sign-on"},
	{"oidc-client-id", "PORTFOLIO_OIDC_CLIENT_ID", "this app's client id at the provider"},
	{"oidc-client-secret", "PORTFOLIO_OIDC_CLIENT_SECRET", "its client secret (prefer the variable: a flag shows in the process list)"},
	{"oidc-redirect-url", "PORTFOLIO_OIDC_REDIRECT_URL", "the callback registered at the provider (default: --base-url + /login/oidc/callback)"},
	{"oidc-scopes", "PORTFOLIO_OIDC_SCOPES=openid profile email", "the scopes asked for, separated by spaces or commas (add groups if the provider needs it for the role claim)"},
	{"oidc-name", "PORTFOLIO_OIDC_NAME=single sign-on", "the provider's name on the sign-in page: \"Sign in with <name>\""},
	{"oidc-role-claim", "PORTFOLIO_OIDC_ROLE_CLAIM=groups", "the ID token claim (string or list; a dotted path for a nested one) whose values give the role"},
	{"oidc-roles", "PORTFOLIO_OIDC_ROLES", "the claim values that give a role, e.g. portfolio-admins=admin,portfolio-managers=manager,portfolio-execs=executive; several: the highest"},
	{"oidc-unmapped", "PORTFOLIO_OIDC_UNMAPPED=executive", "a user with no mapped value: executive (reads only) or refuse"},
	{"oidc-link-email", "PORTFOLIO_OIDC_LINK_EMAIL=false", "let a first single sign-on take up an existing password account with the same verified email (never an administrator's, nor one whose role is above the provider's); off: such a sign-in is refused until an administrator sorts it out"},
	{"local-login", "PORTFOLIO_LOCAL_LOGIN=on", "password sign-in: on, admin-only (administrators only: the way in when the provider fails) or off (needs --oidc-issuer)"},
}

// bindConfig registers the shared settings on a flag set, defaulting from the environment.
func bindConfig(fs *flag.FlagSet, getenv func(string) string) *config {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	envBool := func(k string, def bool) bool {
		b, err := strconv.ParseBool(getenv(k))
		if err != nil {
			return def
		}
		return b
	}
	envDur := func(k string, def time.Duration) time.Duration {
		d, err := time.ParseDuration(getenv(k))
		if err != nil {
			return def
		}
		return d
	}
	c := &config{}
	fs.StringVar(&c.Addr, "addr", env("PORTFOLIO_ADDR", "127.0.0.1:8080"), "address to listen on")
	fs.StringVar(&c.DataDir, "data", env("PORTFOLIO_DATA_DIR", "./data"), "data directory")
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("PORTFOLIO_DATABASE_URL"), "postgres:// URL (default: SQLite in the data directory)")
	if v := getenv("PORTFOLIO_DEMO"); v != "" {
		c.Demo, c.demoSet = envBool("PORTFOLIO_DEMO", false), true
	}
	fs.BoolFunc("demo", "seed the demo portfolio into an empty database (--demo, --demo=false)", func(s string) error {
		b, err := strconv.ParseBool(s)
		c.Demo, c.demoSet = b, true
		return err
	})
	fs.StringVar(&c.SessionKeys, "session-keys", getenv("PORTFOLIO_SESSION_KEYS"), "comma-separated cookie secrets, newest first")
	fs.BoolVar(&c.Production, "production", envBool("PORTFOLIO_PRODUCTION", false), "production mode")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envBool("PORTFOLIO_SECURE_COOKIES", false), "Secure cookies and HSTS")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool("PORTFOLIO_TRUST_PROXY", false), "client address from X-Forwarded-For (behind a proxy)")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", envDur("PORTFOLIO_IDLE_TIMEOUT", 2*time.Hour), "idle session timeout")
	fs.DurationVar(&c.MaxSession, "max-session", envDur("PORTFOLIO_MAX_SESSION", 12*time.Hour), "absolute session lifetime")
	fs.StringVar(&c.LogLevel, "log-level", env("PORTFOLIO_LOG_LEVEL", "info"), "log level")
	fs.StringVar(&c.LogFormat, "log-format", env("PORTFOLIO_LOG_FORMAT", "text"), "log format: text or json")
	fs.BoolVar(&c.WarmPack, "warm-pack", envBool("PORTFOLIO_WARM_PACK", true), "build the last quarter's review pack ahead when the data is quiet")
	fs.StringVar(&c.Today, "today", getenv("PORTFOLIO_TODAY"), "run as if it were this day, YYYY-MM-DD (not in production)")
	fs.StringVar(&c.BaseURL, "base-url", getenv("PORTFOLIO_BASE_URL"), "the address people reach the app at (links in emails and calendar feeds)")
	fs.StringVar(&c.SMTPHost, "smtp-host", getenv("PORTFOLIO_SMTP_HOST"), "SMTP server for email reminders")
	port, err := strconv.Atoi(getenv("PORTFOLIO_SMTP_PORT"))
	if err != nil && getenv("PORTFOLIO_SMTP_PORT") != "" {
		c.smtpPortBad = getenv("PORTFOLIO_SMTP_PORT")
	}
	fs.IntVar(&c.SMTPPort, "smtp-port", port, "SMTP port (0: 587 for starttls, 465 for tls, 25 for none)")
	fs.StringVar(&c.SMTPUser, "smtp-user", getenv("PORTFOLIO_SMTP_USER"), "SMTP user name")
	fs.StringVar(&c.SMTPPassword, "smtp-password", getenv("PORTFOLIO_SMTP_PASSWORD"), "SMTP password")
	fs.StringVar(&c.SMTPFrom, "smtp-from", getenv("PORTFOLIO_SMTP_FROM"), "the sender of reminders")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", env("PORTFOLIO_SMTP_TLS", remind.TLSStartTLS), "none, starttls or tls")
	fs.StringVar(&c.RemindAt, "remind-at", env("PORTFOLIO_REMIND_AT", "07:00"), "when the server sends each day's reminders, its local time")
	maxDays := 365
	if v := strings.TrimSpace(getenv("PORTFOLIO_API_TOKEN_MAX_DAYS")); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n <= 0 {
			c.tokenMaxDaysBad = v
		} else {
			maxDays = n
		}
	}
	fs.IntVar(&c.TokenMaxDays, "api-token-max-days", maxDays, "the longest life of an API token, in days")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", getenv("PORTFOLIO_OIDC_ISSUER"), "single sign-on: the OpenID Connect provider's issuer URL")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", getenv("PORTFOLIO_OIDC_CLIENT_ID"), "this app's client id at the provider")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", getenv("PORTFOLIO_OIDC_CLIENT_SECRET"), "the client secret")
	fs.StringVar(&c.OIDCRedirectURL, "oidc-redirect-url", getenv("PORTFOLIO_OIDC_REDIRECT_URL"), "the callback registered at the provider (default: --base-url + /login/oidc/callback)")
	fs.StringVar(&c.OIDCScopes, "oidc-scopes", env("PORTFOLIO_OIDC_SCOPES", "openid profile email"), "scopes asked for")
	fs.StringVar(&c.OIDCName, "oidc-name", env("PORTFOLIO_OIDC_NAME", "single sign-on"), "the provider's name on the sign-in page")
	fs.StringVar(&c.OIDCRoleClaim, "oidc-role-claim", env("PORTFOLIO_OIDC_ROLE_CLAIM", "groups"), "the claim whose values give the role")
	fs.StringVar(&c.OIDCRoles, "oidc-roles", getenv("PORTFOLIO_OIDC_ROLES"), "value=role,… mapping of claim values to roles")
	fs.StringVar(&c.OIDCUnmapped, "oidc-unmapped", env("PORTFOLIO_OIDC_UNMAPPED", sso.UnmappedExecutive), "a user with no mapped value: executive or refuse")
	fs.BoolVar(&c.OIDCLinkEmail, "oidc-link-email", envBool("PORTFOLIO_OIDC_LINK_EMAIL", false), "link a first sign-in to an existing account with the same verified email")
	fs.StringVar(&c.LocalLogin, "local-login", env("PORTFOLIO_LOCAL_LOGIN", handlers.LocalOn), "password sign-in: on, admin-only or off")
	return c
}

// validateTokenMaxDays refuses a longest token life that is not a positive
// number of days, from the environment or the flag.
func (c *config) validateTokenMaxDays() error {
	if c.tokenMaxDaysBad != "" {
		return fmt.Errorf("PORTFOLIO_API_TOKEN_MAX_DAYS must be a positive number of days, not %q", c.tokenMaxDaysBad)
	}
	if c.TokenMaxDays <= 0 {
		return fmt.Errorf("--api-token-max-days must be a positive number of days, not %d", c.TokenMaxDays)
	}
	return nil
}

// tokenMaxLife is the longest life of an API token.
func (c *config) tokenMaxLife() time.Duration {
	if c.TokenMaxDays <= 0 {
		return 365 * 24 * time.Hour
	}
	return time.Duration(c.TokenMaxDays) * 24 * time.Hour
}

// parse parses args into a flag set that prints the command's flags on --help
// (run then ends without error: asking for help is not a failure).
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage of portfolio %s (every flag also reads the PORTFOLIO_* variable named in 'portfolio --help'):\n", fs.Name())
		fs.PrintDefaults()
	}
	return fs.Parse(args)
}

// dsn is the database to open: the URL, or the SQLite file in the data directory.
func (c *config) dsn() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return sqlstore.SQLitePath(c.DataDir)
}

// demoWanted is --demo, defaulting to on for SQLite and off for PostgreSQL,
// and always off in production (validate refuses --demo there).
func (c *config) demoWanted() bool {
	if c.Production {
		return false
	}
	if c.demoSet {
		return c.Demo
	}
	return !sqlstore.IsPostgres(c.DatabaseURL)
}

func (c *config) validate() error {
	if c.DatabaseURL != "" && !sqlstore.IsPostgres(c.DatabaseURL) {
		return fmt.Errorf("--database-url must be a postgres:// URL (leave it unset for SQLite)")
	}
	if c.IdleTimeout <= 0 || c.MaxSession <= 0 {
		return errors.New("session timeouts must be positive")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	if err := c.validateTokenMaxDays(); err != nil {
		return err
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if err := c.validateSSO(); err != nil {
		return err
	}
	if c.Production && c.demoSet && c.Demo {
		return errors.New("--demo (PORTFOLIO_DEMO) seeds accounts whose passwords are published: production mode never seeds it; unset it")
	}
	_, err := c.clock()
	return err
}

// clock is the app's one clock: the machine's, or --today's day moving on in
// real time. Production refuses --today: every date the app records would be
// false.
func (c *config) clock() (models.Clock, error) {
	if c.Today == "" {
		return models.SystemClock(), nil
	}
	if c.Production {
		return models.Clock{}, errors.New("--today (PORTFOLIO_TODAY) is for demos, training and tests: production mode runs on the real date; unset it")
	}
	d, err := models.ParseDate(c.Today)
	if err != nil {
		return models.Clock{}, fmt.Errorf("--today: %w", err)
	}
	return models.ClockAt(d), nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// minSecretLen is the shortest session secret accepted (32 hex characters = 128 bits).
const minSecretLen = 32

// keyFileName is the generated session secret in the data directory.
const keyFileName = "session.keys"

// sessionKeys returns the cookie key pairs, newest first: from configuration, or
// from a file in the data directory created once (0600) so that restarts keep
// people signed in. The file may hold several secrets, one a line, newest first.
// It reports whether it generated the file.
func (c *config) sessionKeys() ([][]byte, bool, error) {
	var secrets []string
	generated := false
	switch {
	case c.SessionKeys != "":
		for _, s := range strings.Split(c.SessionKeys, ",") {
			if s = strings.TrimSpace(s); s != "" {
				secrets = append(secrets, s)
			}
		}
	case c.Production:
		return nil, false, errors.New("production mode needs --session-keys (PORTFOLIO_SESSION_KEYS): at least one secret of 32+ characters, shared by every instance")
	default:
		var b []byte
		var err error
		b, generated, err = readOrCreateKeyFile(filepath.Join(c.DataDir, keyFileName), c.DataDir)
		if err != nil {
			return nil, false, err
		}
		secrets = strings.Fields(string(b))
	}
	var keys [][]byte
	for _, s := range secrets {
		if len(s) < minSecretLen {
			return nil, false, fmt.Errorf("a session secret is %d characters; use at least %d", len(s), minSecretLen)
		}
		keys = append(keys, web.KeyPair([]byte(s))...)
	}
	if len(keys) == 0 {
		return nil, false, errors.New("no session secret configured")
	}
	return keys, generated, nil
}

// readOrCreateKeyFile reads the key file, or creates it with a fresh random
// secret. O_EXCL makes two instances starting together over one data directory
// agree on one secret; a file others may read is refused, since whoever reads it
// can forge any user's session.
func readOrCreateKeyFile(path, dir string) ([]byte, bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, err
	}
	secret := []byte(hex.EncodeToString(raw) + "\n")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, werr := f.Write(secret)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, false, fmt.Errorf("write session key: %w", werr)
		}
		return secret, true, nil
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, false, fmt.Errorf("write session key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("read session key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("the session key file %s is readable by others (mode %v): run chmod 600 on it", path, st.Mode().Perm())
	}
	var b []byte
	for try := 0; try < 20; try++ { // another instance may be writing it this instant
		if b, err = os.ReadFile(path); err != nil {
			return nil, false, fmt.Errorf("read session key: %w", err)
		}
		if len(strings.TrimSpace(string(b))) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, false, fmt.Errorf("the session key file %s is empty: delete it to generate a new one", path)
	}
	return b, false, nil
}

// validateMail checks the email settings: a TLS mode, a time of day, a
// sender and a base URL (links in an email cannot be relative) when a
// server is set.
func (c *config) validateMail() error {
	if c.smtpPortBad != "" {
		return fmt.Errorf("PORTFOLIO_SMTP_PORT must be a port number, not %q", c.smtpPortBad)
	}
	switch c.SMTPTLS {
	case remind.TLSNone, remind.TLSStartTLS, remind.TLSImplicit:
	default:
		return fmt.Errorf("--smtp-tls must be none, starttls or tls, not %q", c.SMTPTLS)
	}
	if _, err := time.Parse("15:04", c.RemindAt); err != nil {
		return fmt.Errorf("--remind-at must be a time of day such as 07:00, not %q", c.RemindAt)
	}
	if c.SMTPPort < 0 || c.SMTPPort > 65535 {
		return fmt.Errorf("--smtp-port %d is not a port", c.SMTPPort)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("--base-url must be an address such as https://portfolio.example.com, not %q", c.BaseURL)
		}
	}
	if c.SMTPHost == "" {
		return nil
	}
	if c.SMTPFrom == "" {
		return errors.New("--smtp-from (PORTFOLIO_SMTP_FROM) is needed with --smtp-host: the address reminders come from")
	}
	if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		return fmt.Errorf("--smtp-from %q: %w", c.SMTPFrom, err)
	}
	if c.BaseURL == "" {
		return errors.New("--base-url (PORTFOLIO_BASE_URL) is needed with --smtp-host: every link in an email starts with it, e.g. https://portfolio.example.com")
	}
	return nil
}

// mailer is the SMTP server to send through, or nil when none is set.
func (c *config) mailer() remind.Mailer {
	if c.SMTPHost == "" {
		return nil
	}
	port := c.SMTPPort
	if port == 0 {
		port = map[string]int{remind.TLSNone: 25, remind.TLSStartTLS: 587, remind.TLSImplicit: 465}[c.SMTPTLS]
	}
	return remind.SMTP{Host: c.SMTPHost, Port: port, User: c.SMTPUser, Password: c.SMTPPassword, From: c.SMTPFrom, TLS: c.SMTPTLS}
}

// baseURL is where links point, as configured ("": pages build their links
// from the address each request came to; emails need it set).
func (c *config) baseURL() string { return strings.TrimRight(c.BaseURL, "/") }

// validateSSO checks the single sign-on settings: all of the provider's or
// none, a role mapping that parses, and password sign-in turned off only
// when there is another way in.
func (c *config) validateSSO() error {
	switch c.LocalLogin {
	case handlers.LocalOn, handlers.LocalAdminOnly, handlers.LocalOff:
	default:
		return fmt.Errorf("--local-login must be on, admin-only or off, not %q", c.LocalLogin)
	}
	switch c.OIDCUnmapped {
	case sso.UnmappedExecutive, sso.UnmappedRefuse:
	default:
		return fmt.Errorf("--oidc-unmapped must be executive or refuse, not %q", c.OIDCUnmapped)
	}
	if _, err := sso.ParseRoles(c.OIDCRoles); err != nil {
		return fmt.Errorf("--oidc-roles: %w", err)
	}
	if c.OIDCIssuer == "" {
		if c.LocalLogin != handlers.LocalOn {
			return fmt.Errorf("--local-login=%s needs single sign-on (--oidc-issuer): nobody could sign in otherwise", c.LocalLogin)
		}
		if c.OIDCClientID != "" || c.OIDCClientSecret != "" || c.OIDCRoles != "" || c.OIDCRedirectURL != "" || c.OIDCLinkEmail {
			return errors.New("--oidc-client-id, --oidc-client-secret, --oidc-roles, --oidc-redirect-url and --oidc-link-email need --oidc-issuer (PORTFOLIO_OIDC_ISSUER)")
		}
		return nil
	}
	u, err := url.Parse(c.OIDCIssuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--oidc-issuer must be the provider's issuer URL, such as https://login.example.com, not %q", c.OIDCIssuer)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(c.OIDCIssuer, "#") {
		return fmt.Errorf("--oidc-issuer must have no query or fragment (OpenID Connect Discovery 4.3), not %q", c.OIDCIssuer)
	}
	if u.Scheme == "http" && c.Production && !isLoopback(u.Hostname()) {
		return errors.New("--oidc-issuer must use https in production mode")
	}
	if c.OIDCClientID == "" {
		return errors.New("--oidc-client-id (PORTFOLIO_OIDC_CLIENT_ID) is needed with --oidc-issuer")
	}
	if c.OIDCUnmapped == sso.UnmappedRefuse && strings.TrimSpace(c.OIDCRoles) == "" {
		return errors.New("--oidc-unmapped=refuse with no --oidc-roles would refuse everyone: map the provider's groups to roles")
	}
	r, err := url.Parse(c.oidcRedirectURL())
	if c.oidcRedirectURL() == "" || err != nil || (r.Scheme != "https" && r.Scheme != "http") || r.Host == "" {
		return fmt.Errorf("--oidc-redirect-url (or --base-url) must be this app's callback address, such as https://portfolio.example.com/login/oidc/callback, not %q", c.oidcRedirectURL())
	}
	if r.Path != "/login/oidc/callback" || r.RawQuery != "" || r.ForceQuery || r.Fragment != "" {
		return fmt.Errorf("--oidc-redirect-url must end in exactly /login/oidc/callback (this app's callback), not %q", c.oidcRedirectURL())
	}
	if r.Scheme == "http" && c.Production && !isLoopback(r.Hostname()) {
		return errors.New("--oidc-redirect-url must use https in production mode (the authorization code travels on it)")
	}
	if c.BaseURL != "" {
		if b, err := url.Parse(c.baseURL()); err == nil && !strings.EqualFold(b.Host, r.Host) {
			return fmt.Errorf("--oidc-redirect-url's host (%s) must be --base-url's (%s): the pending sign-in's cookie is the app's", r.Host, b.Host)
		}
	}
	return nil
}

// isLoopback reports a host name of this machine.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// oidcRedirectURL is the callback address: as configured, or under --base-url.
func (c *config) oidcRedirectURL() string {
	if c.OIDCRedirectURL != "" || c.BaseURL == "" {
		return c.OIDCRedirectURL
	}
	return c.baseURL() + "/login/oidc/callback"
}

// ssoClient is the single sign-on client, or nil when none is configured.
func (c *config) ssoClient(now func() time.Time) *websso.Client {
	if c.OIDCIssuer == "" {
		return nil
	}
	scopes := strings.FieldsFunc(c.OIDCScopes, func(r rune) bool { return r == ',' || r == ' ' })
	return websso.New(websso.Config{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
		RedirectURL: c.oidcRedirectURL(), Scopes: scopes, Name: c.OIDCName, RoleClaim: c.OIDCRoleClaim}, now)
}
