package devenv

import (
	"context"
	"fmt"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/site"
)

// Sandbox starts the sandbox for a service built on package site: every fake
// on a free loopback port, sending people back to o.Public, with the
// officers' login under o.OfficerPrefix registered at the fake
// Ansattporten. It is a site.StartSandbox; assign it to
// site.Options.Sandbox in a file built without -tags production, so that a
// production binary links no fake:
//
//	//go:build !production
//
//	package main
//
//	import "github.com/grunnmur/grunnmur/devenv"
//
//	var sandbox = devenv.Sandbox
//
// The site.Sandbox it returns is an *Env: a test reaches the fakes through
// a type assertion.
func Sandbox(o site.SandboxOptions) (site.Sandbox, error) {
	e, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", AppURLs: []string{o.Public},
		LetterStep: o.LetterStep, BrokerURL: o.BrokerURL, Logger: o.Logger, Now: o.Now})
	if err != nil {
		return nil, err
	}
	if o.OfficerPrefix != "" {
		e.IDPorten.RegisterClient(idportentest.Client{
			ID: e.Credentials.Ansattporten.ClientID, Secret: e.Credentials.Ansattporten.ClientSecret,
			RedirectURIs:           []string{o.Public + o.OfficerPrefix + "/callback"},
			PostLogoutRedirectURIs: []string{o.Public + o.OfficerPrefix + "/logged-out"},
			FrontchannelLogoutURI:  o.Public + o.OfficerPrefix + "/frontchannel-logout",
		})
	}
	return e, nil
}

// Lines lists the fakes, one line each: name and URL; then the test users
// who log in on the fake logins, with what each is good for (their Note),
// for a service's start-up lines. No line holds a fødselsnummer.
func (e *Env) Lines() []string {
	out := make([]string, 0, len(e.Services)+len(e.Users)+1)
	for _, s := range e.Services {
		out = append(out, fmt.Sprintf("%-20s %s", s.Name, s.URL))
	}
	out = append(out, "test users (pick one on the fake login):")
	for _, u := range e.Users {
		out = append(out, fmt.Sprintf("  %-20s %s", u.Name, u.Note))
	}
	return out
}

// Officer is the sandbox's case officer, who logs in through Ansattporten.
func (e *Env) Officer() (name string, pid ident.Fodselsnummer) {
	for _, u := range e.Users {
		if u.Role == "officer" {
			return u.Name, u.PID
		}
	}
	return "", ident.Fodselsnummer{}
}
