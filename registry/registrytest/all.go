package registrytest

import (
	"net/http"
	"strings"
)

// Registries serves all four fakes from one handler: their API paths do not
// overlap (/enhetsregisteret/, /folkeregisteret/, /rest/v1/personer,
// /adresser/v1/). Point every client's BaseURL at the one server, with
// /adresser/v1 added for the address client. The fakes share Persons.
type Registries struct {
	Brreg           *Brreg
	Folkeregisteret *Folkeregisteret
	KRR             *KRR
	Adresse         *Adresse
}

// RegistriesConfig configures the four fakes of Registries.
type RegistriesConfig struct {
	Brreg           BrregConfig
	Folkeregisteret FolkeregisteretConfig
	KRR             KRRConfig
	Adresse         AdresseConfig
}

// NewRegistries returns the four fakes, freshly seeded.
func NewRegistries(cfg RegistriesConfig) *Registries {
	return &Registries{Brreg: NewBrreg(cfg.Brreg), Folkeregisteret: NewFolkeregisteret(cfg.Folkeregisteret), KRR: NewKRR(cfg.KRR), Adresse: NewAdresse(cfg.Adresse)}
}

// ServeHTTP routes a request to its fake by path.
func (r *Registries) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	p := req.URL.Path
	switch {
	case strings.HasPrefix(p, "/enhetsregisteret/"):
		r.Brreg.ServeHTTP(w, req)
	case strings.HasPrefix(p, "/folkeregisteret/"):
		r.Folkeregisteret.ServeHTTP(w, req)
	case strings.HasPrefix(p, "/rest/v1/personer"):
		r.KRR.ServeHTTP(w, req)
	case strings.HasPrefix(p, "/adresser/v1/"):
		r.Adresse.ServeHTTP(w, req)
	default:
		http.NotFound(w, req)
	}
}
