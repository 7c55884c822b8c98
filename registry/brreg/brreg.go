package brreg

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// DefaultBaseURL is Enhetsregisteret's production API. The preproduction
// environment is https://data.ppe.brreg.no.
const DefaultBaseURL = "https://data.brreg.no"

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
)

// Client reads Enhetsregisteret. Its zero value reads the production API with
// an in-memory cache; it is safe for concurrent use.
type Client struct {
	// BaseURL is the API's scheme and host; "" means DefaultBaseURL.
	BaseURL string
	// HTTPClient sends requests to the open API; nil means http.DefaultClient.
	HTTPClient *http.Client
	// AuthorizedHTTPClient sends requests to the authorised API
	// (/autorisert-api), which needs a Maskinporten token with the scope
	// brreg:data:enhetsregisteret:roller (or ...:auto:roller for the public
	// sector) and resource https://data.brreg.no/enhetsregisteret/autorisert-api.
	// Give it a client whose Transport adds the token; nil means HTTPClient.
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
	// MaxAttempts bounds retries (see internal/httpx); 0 means 4.
	MaxAttempts int
	// Now reads the clock (audit times, the default cache's TTL); nil means
	// time.Now.
	Now func() time.Time
	// Logger gets debug lines about retries; nil discards.
	Logger *slog.Logger

	once   sync.Once
	cache  registry.Cache
	open   *fetch.Client
	authed *fetch.Client
	flight registry.Group
}

func (c *Client) init() {
	c.once.Do(func() {
		c.cache = c.Cache
		if c.cache == nil {
			c.cache = &registry.MemoryCache{Now: c.Now} // the TTL runs on the client's clock
		}
		c.open = fetch.New("brreg", c.BaseURL, DefaultBaseURL, c.HTTPClient, c.Logger, c.MaxAttempts)
		ac := c.AuthorizedHTTPClient
		if ac == nil {
			ac = c.HTTPClient
		}
		c.authed = fetch.New("brreg", c.BaseURL, DefaultBaseURL, ac, c.Logger, c.MaxAttempts)
	})
}

func (c *Client) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return 10 * time.Minute
}

// GoneError says an enhet or underenhet existed but is gone: deleted
// (answered 200 with a slettedato) or removed for legal reasons (answered
// 410). It matches registry.ErrGone and ErrDeleted or ErrRemoved.
type GoneError struct {
	Orgnr      ident.Orgnr
	Slettedato registry.Date
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

// ParseOrgnr validates s with ident and wraps a failure in ErrBadOrgnr.
func ParseOrgnr(s string) (ident.Orgnr, error) {
	o, err := ident.ParseOrgnr(strings.TrimSpace(s))
	if err != nil {
		return "", &registry.Error{Registry: "brreg", Op: "orgnr", Kind: registry.ErrInvalid, Err: fmt.Errorf("%w: %w", ErrBadOrgnr, err)}
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
// The returned Enhet is shared with the cache: treat it as read-only.
func (c *Client) Enhet(ctx context.Context, orgnr ident.Orgnr) (*Enhet, error) {
	o, err := ParseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	c.init()
	key := "enhet:" + string(o)
	if v, ok := c.cache.Get(key); ok {
		if e, ok := v.(*Enhet); ok {
			return enhetResult(o, e) // the hot path: no closure, no flight
		}
	}
	e, _, err := registry.Cached(ctx, c.cache, &c.flight, key, c.ttl(), func(ctx context.Context) (*Enhet, error) {
		var e Enhet
		resp, err := c.open.Get(ctx, "enhet", "/enhetsregisteret/api/enheter/"+string(o), nil, mediaEnhet, &e, http.StatusGone)
		if err != nil {
			return nil, err
		}
		if resp.Status == http.StatusGone {
			e = Enhet{Organisasjonsnummer: o, Slettedato: e.Slettedato, removed: true}
		}
		return &e, nil
	})
	if err != nil {
		return nil, err
	}
	return enhetResult(o, e)
}

func enhetResult(o ident.Orgnr, e *Enhet) (*Enhet, error) {
	if e.removed || !e.Slettedato.IsZero() {
		return nil, &GoneError{Orgnr: o, Slettedato: e.Slettedato, Removed: e.removed, Navn: e.Navn}
	}
	return e, nil
}

// Underenhet looks up a sub-unit, with the same three failures as Enhet.
func (c *Client) Underenhet(ctx context.Context, orgnr ident.Orgnr) (*Underenhet, error) {
	o, err := ParseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	c.init()
	u, _, err := registry.Cached(ctx, c.cache, &c.flight, "underenhet:"+string(o), c.ttl(), func(ctx context.Context) (*Underenhet, error) {
		var u Underenhet
		resp, err := c.open.Get(ctx, "underenhet", "/enhetsregisteret/api/underenheter/"+string(o), nil, mediaUnderenhet, &u, http.StatusGone)
		if err != nil {
			return nil, err
		}
		if resp.Status == http.StatusGone {
			u = Underenhet{Organisasjonsnummer: o, Slettedato: u.Slettedato, removed: true}
		}
		return &u, nil
	})
	if err != nil {
		return nil, err
	}
	if u.removed || !u.Slettedato.IsZero() {
		return nil, &GoneError{Orgnr: o, Slettedato: u.Slettedato, Removed: u.removed, Navn: u.Navn}
	}
	return u, nil
}

// Roller returns an enhet's roles from the open API: names and birth dates,
// no fødselsnummer. An enhet without roles gives an empty Roller.
func (c *Client) Roller(ctx context.Context, orgnr ident.Orgnr) (*Roller, error) {
	o, err := ParseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	c.init()
	r, _, err := registry.Cached(ctx, c.cache, &c.flight, "roller:"+string(o), c.ttl(), func(ctx context.Context) (*Roller, error) {
		var r Roller
		if _, err := c.open.Get(ctx, "roller", "/enhetsregisteret/api/enheter/"+string(o)+"/roller", nil, mediaRolle, &r); err != nil {
			return nil, err
		}
		return &r, nil
	})
	return r, err
}

// AuthorizedRoller returns an enhet's roles from the authorised API, with
// each person's fødselsnummer. It needs AuthorizedHTTPClient (Maskinporten);
// a token without the scope gives an error matching registry.ErrForbidden.
// Every call is audited (see Client.Audit), cached or not.
func (c *Client) AuthorizedRoller(ctx context.Context, orgnr ident.Orgnr) (*Roller, error) {
	o, err := ParseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	return c.authorizedRoller(ctx, o, registry.AuditEvent{Registry: "brreg", Operation: "autorisert-roller", Orgnr: o})
}

func (c *Client) authorizedRoller(ctx context.Context, o ident.Orgnr, ev registry.AuditEvent) (*Roller, error) {
	c.init()
	key := "autorisert-roller:" + string(o)
	_, ev.Cached = c.cache.Get(key)
	if err := registry.Audit(ctx, c.Audit, c.Now, ev); err != nil {
		return nil, err
	}
	r, _, err := registry.Cached(ctx, c.cache, &c.flight, key, c.ttl(), func(ctx context.Context) (*Roller, error) {
		var r Roller
		if _, err := c.authed.Get(ctx, "autorisert-roller", "/enhetsregisteret/autorisert-api/enheter/"+string(o)+"/roller", nil, "application/json", &r); err != nil {
			return nil, err
		}
		return &r, nil
	})
	return r, err
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
	o, err := ParseOrgnr(string(orgnr))
	if err != nil {
		return nil, err
	}
	if _, err := c.Enhet(ctx, o); err != nil {
		return nil, err
	}
	r, err := c.authorizedRoller(ctx, o, registry.AuditEvent{Registry: "brreg", Operation: "can-act-for", Orgnr: o, Persons: []ident.Fodselsnummer{person}})
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
		c.init()
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
			if _, err := c.open.Get(ctx, op, path, values, media, &w); err != nil {
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
