package brreg

import (
	"context"
	"errors"
	"fmt"
	"github.com/grunnmur/grunnmur/civil"
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// The environments. An empty Config.BaseURL means TestBaseURL, Brønnøysund's
// preproduction environment (its authorised API wants tokens from
// test.maskinporten.no); production is reached only by setting BaseURL to
// ProductionBaseURL.
const (
	TestBaseURL       = "https://data.ppe.brreg.no"
	ProductionBaseURL = "https://data.brreg.no"
)

// MaxResults is how deep a search can page: (page+1)*size may not exceed it.
const MaxResults = 10_000

// Media types that pin the API versions this client decodes.
const (
	mediaEnhet      = "application/vnd.brreg.enhetsregisteret.enhet.v2+json"
	mediaUnderenhet = "application/vnd.brreg.enhetsregisteret.underenhet.v2+json"
	mediaRolle      = "application/vnd.brreg.enhetsregisteret.rolle.v1+json"
)

// Sentinels. ErrDeleted and ErrRemoved come wrapped in a *GoneError and
// also match registry.ErrGone; a number that never existed gives an error
// matching registry.ErrNotFound.
var (
	ErrDeleted   = errors.New("brreg: enhet is deleted")
	ErrRemoved   = errors.New("brreg: enhet is removed for legal reasons")
	ErrPagingCap = errors.New("brreg: search goes past the 10,000-result paging cap")
	ErrBadOrgnr  = errors.New("brreg: invalid organisasjonsnummer")
	ErrNoPerson  = errors.New("brreg: no person given")
	ErrConfig    = errors.New("brreg: invalid configuration")
)

// Config configures a Client. Its zero value reads the test environment's
// open API with an in-memory cache.
type Config struct {
	// BaseURL is the API's scheme and host; "" means TestBaseURL.
	BaseURL string
	// HTTPClient sends requests to the open API; nil means http.DefaultClient.
	HTTPClient *http.Client
	// AuthorizedHTTPClient sends requests to the authorised API
	// (/autorisert-api), which needs a Maskinporten token with the scope
	// brreg:data:enhetsregisteret:roller (or ...:auto:roller for the public
	// sector) and resource https://data.brreg.no/enhetsregisteret/autorisert-api
	// (https://data.ppe.brreg.no/... in the test environment). Give it a
	// client whose Transport adds the token; nil means HTTPClient.
	AuthorizedHTTPClient *http.Client
	// Cache holds enheter, underenheter and roles; nil means an in-memory
	// cache, registry.NoCache{} turns caching off.
	Cache registry.Cache
	// TTL is how long a cached answer is used; 0 means 10 minutes. The
	// register itself is updated continuously, the bulk files once a night.
	TTL time.Duration
	// Audit receives every look-up of authorised roles (they carry
	// fødselsnumre). With it set, such look-ups need registry.WithPurpose.
	Audit registry.Auditor
	// MaxAttempts bounds the attempts per request, retries included; 0 means 4.
	MaxAttempts int
	// Now reads the clock (audit times, the default cache's TTL); nil means
	// time.Now.
	Now func() time.Time
	// Logger gets debug lines about retries and warnings about cache
	// failures; nil discards.
	Logger *slog.Logger
}

// ConfigFromEnv reads prefix+"BASE_URL" (GRUNNMUR_BRREG_BASE_URL with the
// prefix "GRUNNMUR_BRREG_"). When it is unset, the error matches
// config.ErrUnset. The HTTP clients, cache and audit hook are left for the
// caller to set.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	base, err := fetch.BaseURLFromEnv(prefix, getenv)
	return Config{BaseURL: base}, err
}

// Client reads Enhetsregisteret. It is safe for concurrent use.
type Client struct {
	cache  *fetch.Cache
	open   *fetch.Client
	authed *fetch.Client
	audit  registry.Auditor
	now    func() time.Time
}

// New returns a Client for cfg. A BaseURL that is not an absolute http or
// https URL, or a negative TTL or MaxAttempts, is an error matching ErrConfig.
func New(cfg Config) (*Client, error) {
	base, err := fetch.CheckConfig("brreg", cfg.BaseURL, TestBaseURL, cfg.TTL, cfg.MaxAttempts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	ttl := cfg.TTL
	if ttl == 0 {
		ttl = 10 * time.Minute
	}
	ac := cfg.AuthorizedHTTPClient
	if ac == nil {
		ac = cfg.HTTPClient
	}
	return &Client{
		cache:  fetch.NewCache("brreg", cfg.Cache, ttl, cfg.Logger, cfg.Now),
		open:   fetch.New("brreg", base, cfg.HTTPClient, cfg.Logger, cfg.MaxAttempts),
		authed: fetch.New("brreg", base, ac, cfg.Logger, cfg.MaxAttempts),
		audit:  cfg.Audit,
		now:    cfg.Now,
	}, nil
}

// GoneError says an enhet or underenhet existed but is gone: deleted
// (answered 200 with a slettedato) or removed for legal reasons (answered
// 410). It matches registry.ErrGone and ErrDeleted or ErrRemoved.
type GoneError struct {
	Orgnr      ident.Orgnr
	Slettedato civil.Date
	Removed    bool // 410: removed for legal reasons; false: deleted
	// Navn is the name a deleted enhet had (a removed one has none).
	Navn string
}

func (e *GoneError) Error() string {
	what := "deleted"
	if e.Removed {
		what = "removed for legal reasons"
	}
	s := fmt.Sprintf("brreg: %s is %s", e.Orgnr, what)
	if !e.Slettedato.IsZero() {
		s += " (slettedato " + e.Slettedato.String() + ")"
	}
	return s
}

// Unwrap returns registry.ErrGone and ErrDeleted or ErrRemoved.
func (e *GoneError) Unwrap() []error {
	if e.Removed {
		return []error{registry.ErrGone, ErrRemoved}
	}
	return []error{registry.ErrGone, ErrDeleted}
}

// parseOrgnr validates s with ident and wraps a failure in ErrBadOrgnr.
func parseOrgnr(s string) (ident.Orgnr, error) {
	o, err := ident.ParseOrgnr(strings.TrimSpace(s))
	if err != nil {
		return "", fetch.Invalid("brreg", "orgnr", fmt.Errorf("%w: %w", ErrBadOrgnr, err))
	}
	return o, nil
}

// Enhet looks up a main unit. It validates orgnr first (no request for a
// number that cannot exist) and returns one of three distinct failures for a
// unit that is not there:
//   - never existed (404): an error matching registry.ErrNotFound;
//   - deleted (200 with slettedato): a *GoneError matching ErrDeleted;
//   - removed for legal reasons (410): a *GoneError matching ErrRemoved.
//
// Concurrent callers of the same look-up share the returned Enhet: treat it
// as read-only.
func (c *Client) Enhet(ctx context.Context, orgnr ident.Orgnr) (*Enhet, error) {
	o, err := parseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	e, err := fetch.Cached(ctx, c.cache, fetch.Lookup[*Enhet]{
		Key: "enhet:" + string(o),
		Fetch: func(ctx context.Context) (fetch.Entry, error) {
			return c.open.Raw(ctx, http.MethodGet, "enhet", "/enhetsregisteret/api/enheter/"+string(o), nil, mediaEnhet, nil, http.StatusGone)
		},
		Decode: func(r fetch.Entry) (*Enhet, error) {
			var e Enhet
			if err := c.open.Decode("enhet", r, &e); err != nil {
				return nil, err
			}
			if r.Status == http.StatusGone {
				e = Enhet{Organisasjonsnummer: o, Slettedato: e.Slettedato, removed: true}
			}
			return &e, nil
		},
	})
	if err != nil {
		return nil, err
	}
	if e.removed || !e.Slettedato.IsZero() {
		return nil, &GoneError{Orgnr: o, Slettedato: e.Slettedato, Removed: e.removed, Navn: e.Navn}
	}
	return e, nil
}

// Underenhet looks up a sub-unit, with the same three failures as Enhet.
func (c *Client) Underenhet(ctx context.Context, orgnr ident.Orgnr) (*Underenhet, error) {
	o, err := parseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	u, err := fetch.Cached(ctx, c.cache, fetch.Lookup[*Underenhet]{
		Key: "underenhet:" + string(o),
		Fetch: func(ctx context.Context) (fetch.Entry, error) {
			return c.open.Raw(ctx, http.MethodGet, "underenhet", "/enhetsregisteret/api/underenheter/"+string(o), nil, mediaUnderenhet, nil, http.StatusGone)
		},
		Decode: func(r fetch.Entry) (*Underenhet, error) {
			var u Underenhet
			if err := c.open.Decode("underenhet", r, &u); err != nil {
				return nil, err
			}
			if r.Status == http.StatusGone {
				u = Underenhet{Organisasjonsnummer: o, Slettedato: u.Slettedato, removed: true}
			}
			return &u, nil
		},
	})
	if err != nil {
		return nil, err
	}
	if u.removed || !u.Slettedato.IsZero() {
		return nil, &GoneError{Orgnr: o, Slettedato: u.Slettedato, Removed: u.removed, Navn: u.Navn}
	}
	return u, nil
}

// roles reads roles through the cache.
func (c *Client) roles(ctx context.Context, api *fetch.Client, op, path, media string, audit func(bool) error) (*Roller, error) {
	return fetch.Cached(ctx, c.cache, fetch.Lookup[*Roller]{
		Key: op + ":" + path,
		Fetch: func(ctx context.Context) (fetch.Entry, error) {
			return api.Raw(ctx, http.MethodGet, op, path, nil, media, nil)
		},
		Decode: func(r fetch.Entry) (*Roller, error) {
			var roles Roller
			if err := api.Decode(op, r, &roles); err != nil {
				return nil, err
			}
			return &roles, nil
		},
		Audit: audit,
	})
}

// Roles returns an enhet's roles from the open API: names and birth dates,
// no fødselsnummer. An enhet without roles gives an empty Roller.
func (c *Client) Roles(ctx context.Context, orgnr ident.Orgnr) (*Roller, error) {
	o, err := parseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	return c.roles(ctx, c.open, "roller", "/enhetsregisteret/api/enheter/"+string(o)+"/roller", mediaRolle, nil)
}

// AuthorizedRoles returns an enhet's roles from the authorised API, with
// each person's fødselsnummer. It needs Config.AuthorizedHTTPClient
// (Maskinporten); a token without the scope gives an error matching
// registry.ErrForbidden. Every call is audited (see Config.Audit), cached or
// not.
func (c *Client) AuthorizedRoles(ctx context.Context, orgnr ident.Orgnr) (*Roller, error) {
	o, err := parseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	return c.authorizedRoles(ctx, o, registry.AuditEvent{Registry: "brreg", Operation: "autorisert-roller", Orgnr: o})
}

func (c *Client) authorizedRoles(ctx context.Context, o ident.Orgnr, ev registry.AuditEvent) (*Roller, error) {
	return c.roles(ctx, c.authed, "autorisert-roller", "/enhetsregisteret/autorisert-api/enheter/"+string(o)+"/roller", "application/json", func(cached bool) error {
		ev.Cached = cached
		return registry.Audit(ctx, c.audit, c.now, ev)
	})
}

// CanActFor reports whether person holds a current role that lets them act
// for the organisation alone: daglig leder, styrets leder, innehaver,
// deltaker with full responsibility (DTSO), signatur or prokura (alone, not
// "i fellesskap"). It reads the authorised roles, so it needs Maskinporten.
//
// It also checks that the enhet exists and is not deleted; a deleted enhet
// gives its *GoneError.
//
// The register records roles laid down by law and the articles, not the
// rights people delegate to each other. Altinn Authorization is the fuller
// source of who may act for whom; use it where delegated rights must count.
func (c *Client) CanActFor(ctx context.Context, person ident.Fodselsnummer, orgnr ident.Orgnr) (bool, error) {
	roles, err := c.ActingRoles(ctx, person, orgnr)
	return len(roles) > 0, err
}

// ActingRoles returns the roles by which person may act for orgnr (see
// CanActFor); none means they may not.
func (c *Client) ActingRoles(ctx context.Context, person ident.Fodselsnummer, orgnr ident.Orgnr) ([]Rolle, error) {
	if person.IsZero() {
		return nil, ErrNoPerson
	}
	o, err := parseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	if _, err := c.Enhet(ctx, o); err != nil {
		return nil, err
	}
	return c.actingRoles(ctx, person, o)
}

// actingRoles reads the authorised roles of o, audited, and returns person's
// acting ones.
func (c *Client) actingRoles(ctx context.Context, person ident.Fodselsnummer, o ident.Orgnr) ([]Rolle, error) {
	r, err := c.authorizedRoles(ctx, o, registry.AuditEvent{Registry: "brreg", Operation: "can-act-for", Orgnr: o, Persons: []ident.Fodselsnummer{person}})
	if err != nil {
		return nil, err
	}
	return r.ActingRoles(person), nil
}

// Search finds enheter, page after page, and yields each. It stops with an
// error matching ErrPagingCap rather than ask past the 10,000-result cap:
// narrow the search, or use the bulk download for everything.
func (c *Client) Search(ctx context.Context, q Query) iter.Seq2[*Enhet, error] {
	return func(yield func(*Enhet, error) bool) {
		for p, err := range c.SearchPages(ctx, q) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range p.Enheter {
				if !yield(&p.Enheter[i], nil) {
					return
				}
			}
		}
	}
}

// SearchPages yields the pages of an enhet search.
func (c *Client) SearchPages(ctx context.Context, q Query) iter.Seq2[*EnhetPage, error] {
	return func(yield func(*EnhetPage, error) bool) {
		for w, err := range c.pages(ctx, "enheter", "/enhetsregisteret/api/enheter", mediaEnhet, q) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(&EnhetPage{Enheter: w.Embedded.Enheter, Page: w.Page}, nil) {
				return
			}
		}
	}
}

// SearchUnderenheter finds underenheter, as Search does enheter.
func (c *Client) SearchUnderenheter(ctx context.Context, q Query) iter.Seq2[*Underenhet, error] {
	return func(yield func(*Underenhet, error) bool) {
		for w, err := range c.pages(ctx, "underenheter", "/enhetsregisteret/api/underenheter", mediaUnderenhet, q) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range w.Embedded.Underenheter {
				if !yield(&w.Embedded.Underenheter[i], nil) {
					return
				}
			}
		}
	}
}

// PagingCapError is the search result set that is deeper than the cap.
type PagingCapError struct {
	Total   int // how many results the search matches; -1 when the search started past the cap
	Fetched int // how many were yielded before the cap
}

func (e *PagingCapError) Error() string {
	if e.Total < 0 {
		return fmt.Sprintf("brreg: search asks past result %d; narrow the search or use the bulk download", MaxResults)
	}
	return fmt.Sprintf("brreg: search matches %d results, only the first %d can be paged; narrow the search or use the bulk download", e.Total, MaxResults)
}

// Unwrap returns ErrPagingCap.
func (e *PagingCapError) Unwrap() error { return ErrPagingCap }

func (c *Client) pages(ctx context.Context, op, path, media string, q Query) iter.Seq2[*enheterWire, error] {
	return func(yield func(*enheterWire, error) bool) {
		values, err := q.values()
		if err != nil {
			yield(nil, err)
			return
		}
		size := q.Size
		if size <= 0 {
			size = 100
		}
		size = min(size, MaxResults)
		fetched := 0
		for page := q.Page; ; page++ {
			if (page+1)*size > MaxResults {
				yield(nil, &PagingCapError{Total: -1, Fetched: fetched})
				return
			}
			values.Set("page", strconv.Itoa(page))
			values.Set("size", strconv.Itoa(size))
			var w enheterWire
			if err := c.open.Get(ctx, op, path, values, media, &w); err != nil {
				yield(nil, err)
				return
			}
			n := len(w.Embedded.Enheter) + len(w.Embedded.Underenheter)
			fetched += n
			if !yield(&w, nil) {
				return
			}
			if n == 0 || page+1 >= w.Page.TotalPages {
				return
			}
			if (page+2)*size > MaxResults {
				yield(nil, &PagingCapError{Total: w.Page.TotalElements, Fetched: fetched})
				return
			}
		}
	}
}
