// Command portfolio runs the outsourcing portfolio dashboard and its admin tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) { // the command printed its help
			return
		}
		fmt.Fprintln(os.Stderr, "portfolio:", err)
		os.Exit(1)
	}
}

// run dispatches a sub-command; it is main without the process, for tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		cmd, args = "help", args[1:]
	} else if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout)
	case "migrate":
		return migrateCmd(ctx, args, getenv, stdout)
	case "seed":
		return seedCmd(ctx, args, getenv, stdout)
	case "user":
		return userCmd(ctx, args, getenv, stdin, stdout)
	case "backup":
		return backupCmd(ctx, args, getenv, stdout)
	case "remind":
		return remindCmd(ctx, args, getenv, stdout)
	case "token":
		return tokenCmd(ctx, args, getenv, stdout)
	case "help":
		usage(stdout)
		return nil
	}
	usage(stdout)
	return fmt.Errorf("unknown command %q", cmd)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Portfolio: a dashboard for a portfolio of IT outsourcing engagements.

Usage:
  portfolio [serve] [settings]                    run the web app (the default)
  portfolio migrate [settings]                    apply database migrations
  portfolio seed --demo [settings]                seed the demo portfolio into an empty database
  portfolio seed --scale N [settings]             seed N engagements and everything in proportion (benchmarks)
  portfolio user add --email E --role R [--name N] [settings]
                                                  create a user; the password is read from stdin
  portfolio user set-password --email E [settings]
                                                  set a user's password, read from stdin
  portfolio backup --out FILE [settings]          copy the SQLite database to FILE (consistent snapshot)
  portfolio remind --dry-run [settings]           print what each person is to be reminded of today
  portfolio token create --email E --name N --scope read|write [--expires 90d] [settings]
                                                  make an API token for a user; printed once

Settings (flag, environment variable, default):
`)
	for _, s := range settingsHelp {
		fmt.Fprintf(w, "  --%-16s %-28s %s\n", s[0], s[1], s[2])
	}
	fmt.Fprintln(w, "\nRun 'portfolio <command> --help' for a command's own flags.")
}
