package brreg

import (
	"fmt"
	"github.com/grunnmur/grunnmur/civil"
	"net/url"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

// Query is a search for enheter or underenheter with the documented
// parameters. Empty fields are left out; lists are sent comma-separated.
// Parameters for only one of the two searches are ignored by the other's API.
type Query struct {
	Navn string // 1-180 characters, free text
	// NavnFortloepende searches navn as a continuous phrase
	// (navnMetodeForSoek=FORTLOEPENDE).
	NavnFortloepende    bool
	Organisasjonsnummer []ident.Orgnr
	OverordnetEnhet     ident.Orgnr
	Organisasjonsform   []string // AS, ENK, ...
	Naeringskode        []string
	// Kommunenummer matches the post or business (for underenheter:
	// location) address.
	Kommunenummer                    []string
	ForretningsadresseKommunenummer  []string
	BeliggenhetsadresseKommunenummer []string
	Postnummer                       []string // forretningsadresse.postnummer
	InstitusjonellSektorkode         []string
	Hjemmeside                       string

	// Tri-state filters: nil leaves them out.
	Konkurs                                   *bool
	UnderAvvikling                            *bool
	UnderTvangsavviklingEllerTvangsopplosning *bool
	UnderKonkursbehandling                    *bool
	RegistrertIMvaregisteret                  *bool
	RegistrertIForetaksregisteret             *bool
	RegistrertIStiftelsesregisteret           *bool
	RegistrertIFrivillighetsregisteret        *bool
	RegistrertIPartiregisteret                *bool

	// FraAntallAnsatte and TilAntallAnsatte bound the head count: 0, 1 or
	// more than 4 for Fra, 0, 4 or more for Til (the register does not tell
	// 1-4 apart). nil leaves them out.
	FraAntallAnsatte, TilAntallAnsatte *int

	FraRegistreringsdatoEnhetsregisteret, TilRegistreringsdatoEnhetsregisteret civil.Date
	FraStiftelsesdato, TilStiftelsesdato                                       civil.Date

	// Sort is "field,ASC" or "field,DESC", e.g. "navn,ASC".
	Sort string
	// Size is the page size; 0 means 100.
	Size int
	// Page is the first page to fetch (0-based).
	Page int
	// Extra holds any other documented parameter, sent as is.
	Extra url.Values
}

// Bool returns a pointer to b, for Query's tri-state filters.
func Bool(b bool) *bool { return &b }

// Int returns a pointer to n, for Query's head-count bounds.
func Int(n int) *int { return &n }

func (q Query) values() (url.Values, error) {
	v := url.Values{}
	for k, vs := range q.Extra {
		v[k] = append([]string(nil), vs...)
	}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	list := func(k string, xs []string) {
		if len(xs) > 0 {
			v.Set(k, strings.Join(xs, ","))
		}
	}
	if n := len([]rune(q.Navn)); n > 180 {
		return nil, &registry.Error{Registry: "brreg", Op: "search", Kind: registry.ErrInvalid, Err: fmt.Errorf("navn is %d characters, at most 180", n)}
	}
	set("navn", q.Navn)
	if q.NavnFortloepende {
		v.Set("navnMetodeForSoek", "FORTLOEPENDE")
	}
	if len(q.Organisasjonsnummer) > 0 {
		nrs := make([]string, len(q.Organisasjonsnummer))
		for i, o := range q.Organisasjonsnummer {
			p, err := parseOrgnr(string(o))
			if err != nil {
				return nil, err
			}
			nrs[i] = string(p)
		}
		list("organisasjonsnummer", nrs)
	}
	if q.OverordnetEnhet != "" {
		p, err := parseOrgnr(string(q.OverordnetEnhet))
		if err != nil {
			return nil, err
		}
		set("overordnetEnhet", string(p))
	}
	list("organisasjonsform", q.Organisasjonsform)
	list("naeringskode", q.Naeringskode)
	list("kommunenummer", q.Kommunenummer)
	list("forretningsadresse.kommunenummer", q.ForretningsadresseKommunenummer)
	list("beliggenhetsadresse.kommunenummer", q.BeliggenhetsadresseKommunenummer)
	list("forretningsadresse.postnummer", q.Postnummer)
	list("institusjonellSektorkode", q.InstitusjonellSektorkode)
	set("hjemmeside", q.Hjemmeside)
	for k, b := range map[string]*bool{
		"konkurs":        q.Konkurs,
		"underAvvikling": q.UnderAvvikling,
		"underTvangsavviklingEllerTvangsopplosning": q.UnderTvangsavviklingEllerTvangsopplosning,
		"underKonkursbehandling":                    q.UnderKonkursbehandling,
		"registrertIMvaregisteret":                  q.RegistrertIMvaregisteret,
		"registrertIForetaksregisteret":             q.RegistrertIForetaksregisteret,
		"registrertIStiftelsesregisteret":           q.RegistrertIStiftelsesregisteret,
		"registrertIFrivillighetsregisteret":        q.RegistrertIFrivillighetsregisteret,
		"registrertIPartiregisteret":                q.RegistrertIPartiregisteret,
	} {
		if b != nil {
			v.Set(k, strconv.FormatBool(*b))
		}
	}
	if q.FraAntallAnsatte != nil {
		v.Set("fraAntallAnsatte", strconv.Itoa(*q.FraAntallAnsatte))
	}
	if q.TilAntallAnsatte != nil {
		v.Set("tilAntallAnsatte", strconv.Itoa(*q.TilAntallAnsatte))
	}
	set("fraRegistreringsdatoEnhetsregisteret", q.FraRegistreringsdatoEnhetsregisteret.String())
	set("tilRegistreringsdatoEnhetsregisteret", q.TilRegistreringsdatoEnhetsregisteret.String())
	set("fraStiftelsesdato", q.FraStiftelsesdato.String())
	set("tilStiftelsesdato", q.TilStiftelsesdato.String())
	set("sort", q.Sort)
	return v, nil
}
