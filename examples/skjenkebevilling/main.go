// Command skjenkebevilling is a complete municipal e-service built from
// grunnmur's packages: a liquor-licence (skjenkebevilling) application with
// ID-porten login, the application form, an Enhetsregisteret look-up, the fee
// paid with Vipps, an inspection booked, the case officers' decision sent
// through SvarUT and a Noark 5 extract of every case.
//
//	go run ./examples/skjenkebevilling            # http://127.0.0.1:8080
//
// Every external service is faked in this process unless its GRUNNMUR_*
// variables point at a real one (see README.md); GRUNNMUR_DATABASE_URL
// selects PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/grunnmur/grunnmur/examples/internal/site"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "skjenkebevilling:", err)
		os.Exit(1)
	}
}

// run starts the service and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("skjenkebevilling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := getenv("GRUNNMUR_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	addr := fs.String("addr", def, "listen address (GRUNNMUR_ADDR)")
	public := fs.String("public-url", getenv("GRUNNMUR_PUBLIC_URL"), "the URL citizens use (GRUNNMUR_PUBLIC_URL); default http://ADDR")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if getenv("GRUNNMUR_LOG_LEVEL") == "debug" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *public == "" {
		*public = "http://" + ln.Addr().String()
	}
	app, err := New(ctx, Config{PublicURL: *public, DatabaseURL: getenv("GRUNNMUR_DATABASE_URL"), Getenv: getenv, Logger: log})
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	printBanner(stdout, *public, app)

	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go app.Run(bg)
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	err = site.Serve(ctx, srv, ln, 20*time.Second)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

func printBanner(w io.Writer, public string, a *App) {
	fmt.Fprintf(w, "skjenkebevilling: %s\n", public)
	f := a.Fakes
	if f.Env == nil {
		return
	}
	fmt.Fprintln(w, "  fakes in this process (devenv); a service set through GRUNNMUR_* uses the real one instead:")
	for _, s := range f.Env.Services {
		fmt.Fprintf(w, "    %-20s %s\n", s.Name, s.URL)
	}
	fmt.Fprintln(w, "  log in as Sigrid Haugland (daglig leder of SESAM AS, orgnr 976030788);")
	fmt.Fprintf(w, "  case officers at %s/ansatt log in as %s\n", public, f.Officer.Name)
}
