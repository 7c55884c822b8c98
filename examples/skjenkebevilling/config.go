package main

import (
	"github.com/grunnmur/grunnmur/site"
)

// Config is the service's configuration (site.Config): with only PublicURL
// set, every external service runs as an in-process fake.
type Config = site.Config

// Scopes the service asks Maskinporten for.
const (
	scopeBrregRoller = "brreg:data:enhetsregisteret:roller"
	scopeFiks        = "ks:fiks"
)
