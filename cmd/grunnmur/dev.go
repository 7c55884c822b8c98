package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/grunnmur/grunnmur/devenv"
)

func devCommand() command {
	return command{
		summary: "serve every fake (ID-porten, Vipps, SvarUT, registries, Fiks IO) on localhost ports",
		run: func(io stdio, args []string) int {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDev(ctx, io, args)
		},
	}
}

// devJSON is what -json prints.
type devJSON struct {
	Services    []devenv.Service   `json:"services"`
	Users       []devUser          `json:"users"`
	Credentials devenv.Credentials `json:"credentials"`
	Env         map[string]string  `json:"env"`
	// NotStarted names the fakes left out, with the reason.
	NotStarted map[string]string `json:"notStarted,omitempty"`
}

type devUser struct {
	Name string `json:"name"`
	// PID is the synthetic fødselsnummer (Tenor numbers are never real
	// people's); a number that is not synthetic would be redacted.
	PID  string `json:"pid"`
	Role string `json:"role"`
	Note string `json:"note,omitempty"`
}

// runDev runs the sandbox until ctx ends (SIGINT or SIGTERM from the
// command), then shuts the fakes down gracefully.
func runDev(ctx context.Context, io stdio, args []string) int {
	opts, asJSON, code, ok := parseDevFlags(io, args)
	if !ok {
		return code
	}
	env, err := devenv.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur dev: %v\n", err)
		return exitFail
	}
	if env.FiksIOUnavailable != nil {
		fmt.Fprintf(io.err, "grunnmur dev: Fiks IO not started: %v; -amqp URL names another broker\n", env.FiksIOUnavailable)
	}
	if asJSON {
		err = printDevJSON(io.out, env)
	} else {
		err = printDevTable(io.out, env)
	}
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur dev: %v\n", err)
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := env.Close(shutdown); err != nil {
		fmt.Fprintf(io.err, "grunnmur dev: shutdown: %v\n", err)
		return exitFail
	}
	if !asJSON {
		fmt.Fprintln(io.err, "grunnmur dev: stopped")
	}
	return exitOK
}

// parseDevFlags reads dev's flags into the sandbox's options. It returns
// ok=false with the exit code when the command must stop.
func parseDevFlags(io stdio, args []string) (opts devenv.Options, asJSON bool, code int, ok bool) {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", devenv.DefaultAddr, "address of the first fake; the others take the next 9 ports (port 0: free ports)")
	port := fs.Int("port", -1, "the first port, overriding -addr's (0: free ports)")
	apps := fs.String("app", devenv.DefaultAppURL+",http://localhost:8080", "comma-separated URLs of your service, for the login redirects")
	fs.BoolVar(&asJSON, "json", false, "print the services, users, credentials and environment as JSON")
	dir := fs.String("dir", "", "folder for the Maskinporten client's key file (default a temporary one, removed on exit)")
	verbose := fs.Bool("v", false, "log each fake's requests to stderr")
	broker := fs.String("amqp", devenv.DefaultBrokerURL, "the RabbitMQ the Fiks IO fake runs on (empty: no Fiks IO)")
	step := fs.Duration("letter-step", 10*time.Second, "how often a SvarUT letter moves one status on (0: only on command)")
	fs.Usage = func() { devUsage(fs) }
	if code, ok := parseFlags(fs, io, args); !ok {
		return opts, false, code, false
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(io.err, "grunnmur dev: unexpected argument %q\n", fs.Arg(0))
		return opts, false, exitUsage, false
	}
	a := *addr
	if *port >= 0 {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			fmt.Fprintf(io.err, "grunnmur dev: -addr %q: %v\n", a, err)
			return opts, false, exitUsage, false
		}
		a = net.JoinHostPort(host, strconv.Itoa(*port))
	}
	urls, err := appURLs(*apps)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur dev: %v\n", err)
		return opts, false, exitUsage, false
	}
	if *step < 0 {
		fmt.Fprintf(io.err, "grunnmur dev: -letter-step %v: must not be negative\n", *step)
		return opts, false, exitUsage, false
	}
	opts = devenv.Options{Addr: a, AppURLs: urls, Dir: *dir, LetterStep: *step, BrokerURL: *broker}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(io.err, nil))
	}
	return opts, asJSON, 0, true
}

func devUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintln(w, "usage: grunnmur dev [-addr 127.0.0.1:9000] [-port N] [-app URL,...] [-json] [-dir DIR] [-letter-step D] [-amqp URL] [-v]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Serves every fake on localhost until interrupted (Ctrl-C or SIGTERM):")
	fmt.Fprintln(w, "ID-porten, Ansattporten and Maskinporten (one server), Vipps, SvarUT/SvarInn,")
	fmt.Fprintln(w, "Enhetsregisteret, Folkeregisteret, KRR, Kartverket's addresses, Altinn")
	fmt.Fprintln(w, "Notifications and Fiks IO (REST, then AMQP; it needs a RabbitMQ, see -amqp), on")
	fmt.Fprintln(w, "consecutive ports. It prints their URLs, the synthetic test users, the client")
	fmt.Fprintln(w, "credentials it registered and the GRUNNMUR_* variables that point a service at")
	fmt.Fprintln(w, "them (eval the export lines, or read them from -json).")
	fmt.Fprintln(w)
	fs.PrintDefaults()
}

// appURLs splits -app's comma-separated list; each must be an http(s) URL.
func appURLs(list string) ([]string, error) {
	var urls []string
	for _, u := range strings.Split(list, ",") {
		if u = strings.TrimSpace(u); u != "" {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				return nil, fmt.Errorf("-app %q: want an http(s) URL", u)
			}
			urls = append(urls, u)
		}
	}
	return urls, nil
}

func devUsers(env *devenv.Env) []devUser {
	var out []devUser
	for _, u := range env.Users {
		pid := u.PID.String() // redacted, unless synthetic
		if u.PID.Synthetic() {
			pid = u.PID.Reveal()
		}
		out = append(out, devUser{Name: u.Name, PID: pid, Role: u.Role, Note: u.Note})
	}
	return out
}

func printDevJSON(w io.Writer, env *devenv.Env) error {
	vars := map[string]string{}
	for _, kv := range env.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	out := devJSON{Services: env.Services, Users: devUsers(env), Credentials: env.Credentials, Env: vars}
	if env.FiksIOUnavailable != nil {
		out.NotStarted = map[string]string{"Fiks IO": env.FiksIOUnavailable.Error()}
	}
	return enc.Encode(out)
}

func printDevTable(w io.Writer, env *devenv.Env) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	c := env.Credentials
	if env.FiksIOUnavailable != nil {
		fmt.Fprintln(tw, "grunnmur dev: every fake but Fiks IO is running (why: on stderr). Ctrl-C stops them.")
	} else {
		fmt.Fprintln(tw, "grunnmur dev: every fake is running. Ctrl-C stops them.")
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "SERVICE\tURL\tVARIABLE")
	for _, s := range env.Services {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.URL, s.Env)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "TEST USERS (synthetic Tenor numbers, never real people; pick one on the login page)")
	fmt.Fprintln(tw, "NAME\tFØDSELSNUMMER\tROLE\tNOTE")
	for _, u := range devUsers(env) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.PID, u.Role, u.Note)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CLIENT CREDENTIALS (the fakes' own; they open nothing else)")
	fmt.Fprintf(tw, "ID-porten\tclient_id %s\tclient_secret %s\n", c.IDPorten.ClientID, c.IDPorten.ClientSecret)
	fmt.Fprintf(tw, "Ansattporten\tclient_id %s\tclient_secret %s\n", c.Ansattporten.ClientID, c.Ansattporten.ClientSecret)
	fmt.Fprintf(tw, "Maskinporten\tclient_id %s\tkid %s, key %s, scopes %s\n", c.Maskinporten.ClientID, c.Maskinporten.KeyID,
		c.Maskinporten.KeyFile, strings.Join(c.Maskinporten.Scopes, " "))
	fmt.Fprintf(tw, "Vipps\tclient_id %s\tclient_secret %s, subscription key %s, MSN %s\n", c.Vipps.ClientID, c.Vipps.ClientSecret,
		c.Vipps.SubscriptionKey, c.Vipps.MSN)
	fmt.Fprintf(tw, "SvarUT\tkonto %s\tintegrasjon %s, passord %s (and a Maskinporten token, scope ks:fiks)\n",
		c.SvarUT.KontoID, c.SvarUT.IntegrasjonID, c.SvarUT.IntegrasjonPassord)
	if f := c.FiksIO; env.FiksIO != nil {
		fmt.Fprintf(tw, "Fiks IO\tkonto %s\tintegrasjon %s, passord %s, AMQP %s, keys %s %s %s\n",
			f.KontoID, f.IntegrasjonID, f.IntegrasjonPassord, f.AMQPURL, f.PrivateKeyFile, f.SigningKeyFile, f.SigningCertFile)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ENVIRONMENT (for your service's shell)")
	for _, kv := range env.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(w, "export %s=%s\n", k, shellQuote(v))
	}
	return nil
}

// shellQuote quotes v for a POSIX shell when it needs it.
func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:,@%+=", r))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
