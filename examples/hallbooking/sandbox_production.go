//go:build production

package main

import "github.com/grunnmur/grunnmur/site"

// sandbox is nil in a production build: no fake is linked, and an unset
// service is an error however GRUNNMUR_ENV is set.
var sandbox site.StartSandbox
