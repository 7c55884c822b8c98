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
	"fmt"
	"io"
	"log/slog"

	"github.com/grunnmur/grunnmur/site"
)

func main() { site.Command("skjenkebevilling", run) }

// run starts the service and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return site.Main(ctx, "skjenkebevilling", "127.0.0.1:8080", args, getenv, stdout, stderr,
		func(ctx context.Context, public string, log *slog.Logger) (*site.Running, error) {
			a, err := New(ctx, site.Config{PublicURL: public, DatabaseURL: getenv("GRUNNMUR_DATABASE_URL"), Getenv: getenv, Logger: log})
			if err != nil {
				return nil, err
			}
			return &site.Running{Handler: a.Handler(), Run: a.RunJobs, Close: a.Close, Banner: func(w io.Writer) {
				if a.Fakes.Sandbox != nil {
					a.Fakes.Print(w)
					fmt.Fprintln(w, "  log in as Sigrid Haugland (daglig leder of SESAM AS, orgnr 976030788);")
					fmt.Fprintf(w, "  case officers at %s/ansatt log in as %s\n", public, a.Fakes.Officer.Name)
				}
			}}, nil
		})
}
