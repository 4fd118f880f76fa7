package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/remind"
	"portfolio/models/seed"
	"portfolio/models/sqlstore"
)

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	db, applied, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB(db)
	all, err := models.AppliedMigrations(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Applied now: %v. Recorded: %v.\n", applied, all)
	return nil
}

func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	scale := fs.Int("scale", 0, "seed N engagements with everything in proportion")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	db, _, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB(db)
	var n int64
	if err := db.WithContext(ctx).Model(&models.Engagement{}).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database already holds %d engagements; seed an empty one (e.g. --data to a new directory)", n)
	}
	start := models.NowOf(db)
	switch {
	case *scale > 0:
		if err := seed.Scale(ctx, db, *scale); err != nil {
			return err
		}
	case c.Demo || !c.demoSet:
		if err := seed.Demo(ctx, db); err != nil {
			return err
		}
		// The demo seed writes rows in bulk, past the writers that keep the
		// aggregates (the scale seed refills them itself).
		if err := models.RebuildAggregates(ctx, db); err != nil {
			return err
		}
	default:
		return errors.New("say what to seed: --demo or --scale N")
	}
	if err := refreshHealth(ctx, db); err != nil {
		return err
	}
	if err := sqlstore.Checkpoint(ctx, db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Seeded in %s.\n", models.NowOf(db).Sub(start).Round(time.Millisecond))
	return nil
}

// userCmd adds a user or sets a password, the password read from stdin so it
// never shows in the process list or the shell history. Every flag is checked
// before the password is read, and the password before the database is opened.
func userCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "set-password") {
		return errors.New("usage: portfolio user add --email E [--role R] [--name N] | portfolio user set-password --email E (the password on standard input)")
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	email := fs.String("email", "", "the user's email")
	var role, name *string
	if sub == "add" {
		role = fs.String("role", models.RoleExecutive, "executive, manager or admin (least privilege by default)")
		name = fs.String("name", "", "display name (default: from the email)")
	}
	if err := parse(fs, args[1:], stdout); err != nil {
		return err
	}
	*email = models.NormalizeEmail(*email)
	if !models.ValidEmail(*email) {
		return errors.New("--email must be an email address")
	}
	if sub == "add" && !models.ValidRole(*role) {
		return fmt.Errorf("--role must be one of %s", strings.Join(models.Roles, ", "))
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if msg := models.CheckPassword(pw, *email); msg != "" {
		return errors.New("password refused: " + msg)
	}
	db, _, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB(db)
	u, err := models.UserByEmail(ctx, db, *email)
	if err != nil {
		return err
	}
	now := models.NowOf(db)
	if sub == "set-password" {
		if u == nil {
			return fmt.Errorf("no user %s", *email)
		}
		if err := models.SetPassword(ctx, db, u, pw, nil, now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Password set for %s; their sessions are signed out.\n", *email)
		if u.Disabled {
			fmt.Fprintf(stdout, "Note: the account is disabled; an administrator can enable it on its Users page.\n")
		}
		return nil
	}
	if u != nil {
		return fmt.Errorf("a user %s already exists (use set-password to change the password)", *email)
	}
	if *name = strings.TrimSpace(*name); *name == "" {
		*name = strings.SplitN(*email, "@", 2)[0]
	}
	nu := models.User{Name: *name, Email: *email, Role: *role}
	if err := models.CreateUser(ctx, db, &nu, pw, nil, now); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s (%s).\n", *email, *role)
	return nil
}

// readPassword reads one line from stdin (a pipe or a terminal).
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("give the password on standard input")
	}
	return line, nil
}

func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	out := fs.String("out", "", "file to write the backup to (must not exist)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out FILE is required")
	}
	if c.DatabaseURL != "" {
		return errors.New("for PostgreSQL use pg_dump; backup copies the SQLite database")
	}
	db, _, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB(db)
	// VACUUM INTO fills an empty file as it finds it: made private first.
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists: back up to a new file", *out)
	}
	if err := sqlstore.PrivateFile(*out); err != nil {
		return err
	}
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", *out).Error; err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(stdout, "Backed up to %s.\n", *out)
	return nil
}

// remindCmd sends today's reminders now (composing the day's digests if
// no instance has yet), or with --dry-run prints what would be sent and to
// whom, by each person's choice, and sends nothing.
func remindCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	dry := fs.Bool("dry-run", false, "print what would be sent today and to whom, and send nothing")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	if !*dry && c.mailer() == nil {
		return errors.New("no SMTP server is set (--smtp-host, PORTFOLIO_SMTP_HOST): nothing can be sent; portfolio remind --dry-run shows what would be")
	}
	keys, _, err := c.sessionKeys()
	if err != nil {
		return err
	}
	db, _, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB(db)
	clock, _ := c.clock() // validated
	a := &app{clock: clock, db: db, keys: keys, log: c.logger(os.Stderr)}
	snd := a.sender(c)
	day := remind.LocalDay(clock.Now(), time.Local) // the server's date, as its own schedule composes
	if *dry {
		if snd == nil { // a dry run needs no server: the plan is the same
			snd = &remind.Sender{DB: db, Now: clock.Now, Figures: handlers.DigestFigures(db)}
		}
		return printPlan(ctx, snd, day, stdout)
	}
	r, err := snd.Run(ctx, &day)
	if err != nil {
		return err
	}
	if !r.Held {
		fmt.Fprintln(stdout, "Another instance is sending reminders right now: nothing was done.")
		return nil
	}
	composed := "The digests of " + day.Format("Monday 2 January 2006") + " were composed already"
	if r.Composed {
		composed = fmt.Sprintf("Composed %d digests for %s", r.Digests, day.Format("Monday 2 January 2006"))
	}
	fmt.Fprintf(stdout, "%s; sent %d, failed %d (see /reminders).\n", composed, r.Sent, r.Failed)
	return nil
}

// printPlan prints each person's email of day: as composed, with how it
// went, if the day's digests were composed already; else as they would be.
func printPlan(ctx context.Context, snd *remind.Sender, day models.Date, stdout io.Writer) error {
	at, composed, err := remind.Composed(ctx, snd.DB, day)
	if err != nil {
		return err
	}
	if composed {
		rows, err := remind.DayDigests(ctx, snd.DB, day)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The emails of %s were composed at %s (a dry run: nothing is sent):\n", day.Format("Monday 2 January 2006"), at.Local().Format("15:04"))
		for _, d := range rows {
			fmt.Fprintf(stdout, "  %s <%s>: %s", d.Name, d.Email, d.Status)
			if d.LastError != "" {
				fmt.Fprintf(stdout, " (%s)", d.LastError)
			}
			fmt.Fprintln(stdout)
		}
		return nil
	}
	s, err := models.LoadSettings(ctx, snd.DB)
	if err != nil {
		return err
	}
	planned, err := snd.Plan(ctx, s, day)
	if err != nil {
		return err
	}
	items := 0
	for _, p := range planned {
		items += len(p.Content.Items)
	}
	fmt.Fprintf(stdout, "Reminders for %s: %d emails with %d reminders, by each person's choice (a dry run: nothing is sent).\n",
		day.Format("Monday 2 January 2006"), len(planned), items)
	for _, p := range planned {
		fmt.Fprintf(stdout, "\n%s <%s>\n", p.Name, p.Email)
		for _, it := range p.Content.Items {
			mark := " "
			if it.Overdue {
				mark = "!"
			}
			fmt.Fprintf(stdout, "  %s %s: %s  %s\n", mark, it.Title, it.What, it.Link)
		}
		if p.Content.Portfolio != nil {
			fmt.Fprintf(stdout, "    and the monthly portfolio digest (%d headline figures, %s)\n", len(p.Content.Portfolio.Figures), p.Content.Portfolio.Month)
		}
	}
	return nil
}

// tokenCmd makes a personal access token for a user and prints it, this once
// (only its hash is kept): portfolio token create --email E --name N --scope
// read|write [--expires 90d]. The scope may not exceed the user's role.
func tokenCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: portfolio token create --email E --name N --scope read|write [--expires 90d]")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	c := bindConfig(fs, getenv)
	email := fs.String("email", "", "the user the token acts for")
	name := fs.String("name", "", "what the token is for")
	scope := fs.String("scope", models.ScopeRead, "read or write (write: managers and admins)")
	expires := fs.String("expires", "90d", "its life in days, e.g. 30d")
	if err := parse(fs, args[1:], stdout); err != nil {
		return err
	}
	if models.NormalizeEmail(*email) == "" {
		return errors.New("--email is required: the email of the user the token acts for")
	}
	if err := c.validateTokenMaxDays(); err != nil {
		return err
	}
	days, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(*expires), "d"))
	if err != nil || days <= 0 {
		return errors.New("--expires must be a number of days, e.g. 90d")
	}
	db, _, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB(db)
	u, err := models.UserByEmail(ctx, db, models.NormalizeEmail(*email))
	if err != nil {
		return err
	}
	if u == nil {
		return fmt.Errorf("no user %s", *email)
	}
	now := models.NowOf(db)
	secret, tok, err := models.CreateToken(ctx, db, models.NewToken{Owner: *u, Name: *name, Scope: *scope,
		Expires: now.Add(time.Duration(days) * 24 * time.Hour), MaxLife: c.tokenMaxLife()}, nil, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Token %q (%s) for %s, expiring %s. It is shown only now:\n%s\n", tok.Name, tok.Scope, u.Email, models.DateOf(tok.ExpiresAt), secret)
	return nil
}
