//go:build !production

package main

import "github.com/grunnmur/grunnmur/devenv"

// sandbox starts the fakes for the outside services left unset in
// development. `go build -tags production` leaves this file out, and with it
// every fake (sandbox_production.go).
var sandbox = devenv.Sandbox
