// Command hallbooking is a second municipal e-service built from grunnmur's
// packages: a citizen or a sports club books a municipal sports hall or
// meeting room and pays the rent. ID-porten login, an Enhetsregisteret
// look-up for clubs, the week calendar from booking's availability, a hold
// (or a weekly series for the season) while the payer pays with Vipps or,
// for clubs, by invoice with a KID, cancellation under the hall's rules, a
// confirmation letter through SvarUT (to a person's Folkeregisteret
// address), the .ics and a personal iCalendar feed, and the hall admins'
// pages. Everything is kept in memory, or in PostgreSQL with
// GRUNNMUR_DATABASE_URL.
//
//	go run ./examples/hallbooking            # http://127.0.0.1:8081
//
// Every external service is faked in this process unless its GRUNNMUR_*
// variables point at a real one (see README.md).
package main

import (
	"context"

	devsandbox "github.com/grunnmur/grunnmur/devenv/sandbox"
	"github.com/grunnmur/grunnmur/site"
)

// sandbox starts the fakes of the outside services left unset in
// development; a build with -tags production links none (it is nil).
var sandbox = devsandbox.Start

func main() { site.Run("hallbooking", "127.0.0.1:8081", start) }

// start builds the service on the public URL, database and log in cfg.
func start(ctx context.Context, cfg site.Config) (*site.Running, error) {
	app, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &site.Running{Handler: app.Handler(), Run: app.RunJobs, Close: app.Close, Banner: app.Fakes.Print}, nil
}
