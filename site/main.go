package site

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
	"strings"
	"syscall"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Running is a started service, as Main serves it.
type Running struct {
	Handler http.Handler
	// Run does the background work until its ctx ends; nil means none.
	Run func(ctx context.Context)
	// Close stops the fakes and closes the database; nil means nothing.
	Close func()
	// Banner prints the start-up lines after the URL; nil means none.
	Banner func(w io.Writer)
}

// Main is the whole of an example's command: it reads -addr
// (GRUNNMUR_ADDR, default defaultAddr) and -public-url (GRUNNMUR_PUBLIC_URL),
// logs JSON to stderr (GRUNNMUR_LOG_LEVEL=debug for more), listens, starts
// the service with start, prints the banner and serves until ctx ends, then
// shuts down gracefully.
func Main(ctx context.Context, name, defaultAddr string, args []string, getenv func(string) string, stdout, stderr io.Writer,
	start func(ctx context.Context, public string, log *slog.Logger) (*Running, error)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage of %s:\n", name)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	def := getenv("GRUNNMUR_ADDR")
	if def == "" {
		def = defaultAddr
	}
	addr := fs.String("addr", def, "listen address (GRUNNMUR_ADDR)")
	public := fs.String("public-url", getenv("GRUNNMUR_PUBLIC_URL"), "the URL citizens use (GRUNNMUR_PUBLIC_URL); default http://ADDR")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		usage(stdout) // asked for: not an error
		return nil
	} else if err != nil {
		usage(stderr)
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
	app, err := start(withName(ctx, name), strings.TrimSuffix(*public, "/"), log)
	if err != nil {
		ln.Close()
		return err
	}
	if app.Close != nil {
		defer app.Close()
	}
	fmt.Fprintf(stdout, "%s: %s\n", name, *public)
	if app.Banner != nil {
		app.Banner(stdout)
	}

	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	if app.Run != nil {
		go app.Run(bg)
	}
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	err = Serve(ctx, srv, ln, 20*time.Second)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

// Command is an example's func main: it runs run until SIGINT or SIGTERM and
// exits 1 with the error, if any.
func Command(name string, run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		stop()
		os.Exit(1)
	}
}

// Print lists the sandbox's fakes for the start-up lines; nothing when
// every service is real.
func (f *Fakes) Print(w io.Writer) {
	if f == nil || f.Sandbox == nil {
		return
	}
	fmt.Fprintln(w, "  fakes in this process (devenv); a service set through GRUNNMUR_* uses the real one instead:")
	for _, l := range f.Sandbox.Lines() {
		fmt.Fprintln(w, "    "+l)
	}
}

// Config is an example service's configuration; with only PublicURL set,
// every outside service runs as an in-process fake. The outside services are
// configured through Getenv's GRUNNMUR_* variables (see Setup).
type Config struct {
	// Name is the service's name, e.g. "skjenkebevilling": its NATS
	// subjects are grunnmur.<Name>.… and its stream GRUNNMUR_<NAME> unless
	// GRUNNMUR_NATS_SUBJECT_PREFIX and _STREAM say otherwise. "" means the
	// name Main (or Run) was given, when New is called from its start.
	Name string
	// PublicURL is where citizens reach the service, e.g.
	// https://skjenk.kommune.no; "" is refused.
	PublicURL string
	// DatabaseURL selects PostgreSQL; "" keeps everything in memory.
	DatabaseURL string
	// Getenv reads the GRUNNMUR_* variables; nil means os.Getenv.
	Getenv func(string) string
	Logger *slog.Logger
	// Now is the clock of the service and of the sandbox's fakes, which
	// must agree with it on tokens, signatures and payments; nil means
	// time.Now.
	Now func() time.Time
}

// Defaults returns c with Getenv, Logger (discard) and Now filled in and
// PublicURL without a trailing slash, or ErrConfig without a PublicURL.
func (c Config) Defaults() (Config, error) {
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	if c.PublicURL == "" {
		return c, fmt.Errorf("%w: no public URL", ErrConfig)
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	c.Logger = defaults.Logger(c.Logger)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// nameKey is the context key under which Main hands start the service's
// name, for New to use when Config.Name is "".
type nameKey struct{}

func withName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, nameKey{}, name)
}

func nameFrom(ctx context.Context) string {
	name, _ := ctx.Value(nameKey{}).(string)
	return name
}
