package folkeregisteret

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// The environments. An empty Config.BaseURL means TestBaseURL, Skatteetaten's
// consumer test environment with synthetic persons from Tenor (tokens from
// test.maskinporten.no); production is reached only by setting BaseURL to
// ProductionBaseURL. The playground,
// https://folkeregisteret-api-konsument-playground.sits.no, needs no token.
const (
	TestBaseURL       = "https://folkeregisteret-api-konsument.sits.no"
	ProductionBaseURL = "https://folkeregisteret.api.skatteetaten.no"
)

// Rettighetspakke is the legal access package the consumer has been granted;
// it decides the URL and what the API returns.
type Rettighetspakke string

// The access packages.
const (
	// OffentligMedHjemmel: public bodies with a legal basis of their own for
	// Folkeregisteret data (Maskinporten scope folkeregister:deling/offentligmedhjemmel).
	// Only this package has bulk look-up.
	OffentligMedHjemmel Rettighetspakke = "offentlig-med-hjemmel"
	// OffentligUtenHjemmel: public bodies without such a basis.
	OffentligUtenHjemmel Rettighetspakke = "offentlig-uten-hjemmel"
	// FinansOgBegrenset: the finance sector and others with limited access.
	FinansOgBegrenset Rettighetspakke = "finans-og-begrenset"
)

// Parts (part=...) select what a look-up returns (data minimisation). With
// none, the API returns PartPersonBasis.
const (
	PartPersonBasis        = "person-basis"
	PartHistorikk          = "historikk"
	PartIdentitetsgrunnlag = "identitetsgrunnlag-utvidet"
	PartRelasjon           = "relasjon-utvidet"
	PartNavn               = "navn"
	PartStatus             = "status"
	PartFoedsel            = "foedsel"
	PartDoedsfall          = "doedsfall"
	PartSivilstand         = "sivilstand"
	PartBostedsadresse     = "bostedsadresse"
	PartOppholdsadresse    = "oppholdsadresse"
	PartPostadresse        = "postadresse"
	PartAdressebeskyttelse = "adressebeskyttelse"
)

// MaxBulk is how many persons this client sends per bulk request.
const MaxBulk = 1000

// Sentinels.
var (
	ErrNoRettighetspakke = errors.New("folkeregisteret: no rettighetspakke configured")
	ErrNoBulk            = errors.New("folkeregisteret: bulk look-up needs rettighetspakke offentlig-med-hjemmel")
	ErrNoPerson          = errors.New("folkeregisteret: no person given")
	ErrConfig            = errors.New("folkeregisteret: invalid configuration")
)

// Config configures a Client.
type Config struct {
	// BaseURL is the API's scheme and host; "" means TestBaseURL.
	BaseURL string
	// Rettighetspakke is required.
	Rettighetspakke Rettighetspakke
	// HTTPClient sends the requests; give one whose Transport adds the
	// Maskinporten token for the rettighetspakke.
	HTTPClient *http.Client
	// Cache holds persons; nil means in memory, registry.NoCache{} turns it off.
	Cache registry.Cache
	// TTL is how long a cached person is used; 0 means one minute.
	TTL time.Duration
	// Audit receives every look-up; with it set, look-ups need registry.WithPurpose.
	Audit registry.Auditor
	// BulkSize is how many persons go per bulk request; 0 means MaxBulk, and
	// more than MaxBulk is an error.
	BulkSize int
	// MaxAttempts bounds the attempts per request, retries included; 0 means 4.
	MaxAttempts int
	// Now reads the clock (audit times, the default cache's TTL); nil means
	// time.Now.
	Now func() time.Time
	// Logger gets debug lines about retries and warnings about cache
	// failures; nil discards.
	Logger *slog.Logger
}

// ConfigFromEnv reads prefix+"BASE_URL" (GRUNNMUR_FOLKEREGISTERET_BASE_URL
// with the prefix "GRUNNMUR_FOLKEREGISTERET_"). When it is unset, the error
// matches config.ErrUnset. The rettighetspakke, HTTP client, cache and audit
// hook are left for the caller to set.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	base, err := fetch.BaseURLFromEnv(prefix, getenv)
	return Config{BaseURL: base}, err
}

// Client looks persons up in Folkeregisteret. It is safe for concurrent use.
type Client struct {
	pakke Rettighetspakke
	bulk  int
	cache *fetch.Cache
	api   *fetch.Client
	audit registry.Auditor
	now   func() time.Time
}

// New returns a Client for cfg. A missing or unknown Rettighetspakke is an
// error matching ErrNoRettighetspakke; a bad BaseURL, a negative TTL or
// MaxAttempts, or a BulkSize out of range one matching ErrConfig.
func New(cfg Config) (*Client, error) {
	switch cfg.Rettighetspakke {
	case OffentligMedHjemmel, OffentligUtenHjemmel, FinansOgBegrenset:
	default:
		return nil, fmt.Errorf("%w: %w", ErrConfig, ErrNoRettighetspakke)
	}
	base, err := fetch.CheckConfig("folkeregisteret", cfg.BaseURL, TestBaseURL, cfg.TTL, cfg.MaxAttempts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if cfg.BulkSize < 0 || cfg.BulkSize > MaxBulk {
		return nil, fmt.Errorf("%w: BulkSize %d is not between 0 and %d", ErrConfig, cfg.BulkSize, MaxBulk)
	}
	bulk, ttl := cfg.BulkSize, cfg.TTL
	if bulk == 0 {
		bulk = MaxBulk
	}
	if ttl == 0 {
		ttl = time.Minute
	}
	return &Client{
		pakke: cfg.Rettighetspakke,
		bulk:  bulk,
		cache: fetch.NewCache("folkeregisteret", cfg.Cache, ttl, cfg.Logger, cfg.Now),
		api:   fetch.New("folkeregisteret", base, cfg.HTTPClient, cfg.Logger, cfg.MaxAttempts),
		audit: cfg.Audit,
		now:   cfg.Now,
	}, nil
}

func (c *Client) path(rest string) string {
	return "/folkeregisteret/" + string(c.pakke) + "/api/v1/personer" + rest
}

// partsQuery normalises parts: sorted, unique, and with adressebeskyttelse
// added whenever an address is asked for, so the helpers can always tell a
// protected address.
func partsQuery(parts []string) url.Values {
	ps := slices.Clone(parts)
	addr := false
	for _, p := range ps {
		switch p {
		case PartPersonBasis, PartBostedsadresse, PartOppholdsadresse, PartPostadresse:
			addr = true
		}
	}
	if addr && !slices.Contains(ps, PartAdressebeskyttelse) && !slices.Contains(ps, PartPersonBasis) {
		ps = append(ps, PartAdressebeskyttelse)
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)
	v := url.Values{}
	for _, p := range ps {
		if p = strings.TrimSpace(p); p != "" {
			v.Add("part", p)
		}
	}
	return v
}

// Person looks one person up, with the parts asked for (none means
// person-basis). A person Folkeregisteret does not know gives an error
// matching registry.ErrNotFound.
func (c *Client) Person(ctx context.Context, person ident.Fodselsnummer, parts ...string) (*Person, error) {
	if person.IsZero() {
		return nil, ErrNoPerson
	}
	q := partsQuery(parts)
	return fetch.Cached(ctx, c.cache, fetch.Lookup[*Person]{
		Key: "freg:" + string(c.pakke) + ":" + person.Reveal() + "?" + q.Encode(),
		// The number goes in the path; httpx masks it in every error and log line.
		Fetch: func(ctx context.Context) (fetch.Entry, error) {
			return c.api.Raw(ctx, http.MethodGet, "person", c.path("/"+person.Reveal()), q, "", nil)
		},
		Decode: func(r fetch.Entry) (*Person, error) {
			var p Person
			if err := c.api.Decode("person", r, &p); err != nil {
				return nil, err
			}
			return &p, nil
		},
		Audit: func(cached bool) error {
			return registry.Audit(ctx, c.audit, c.now, registry.AuditEvent{Registry: "folkeregisteret", Operation: "person", Persons: []ident.Fodselsnummer{person}, Cached: cached})
		},
	})
}

type bulkRequest struct {
	FoedselsEllerDNummer []string `json:"foedselsEllerDNummer"`
}

type bulkResponse struct {
	Oppslag []struct {
		FoedselsEllerDNummer ident.Fodselsnummer `json:"foedselsEllerDNummer"`
		Folkeregisterperson  *Person             `json:"folkeregisterperson"`
	} `json:"oppslag"`
}

// Bulk looks many persons up (rettighetspakke offentlig-med-hjemmel only),
// Config.BulkSize per request, and returns them in the order asked; a person not
// found is nil.
func (c *Client) Bulk(ctx context.Context, persons []ident.Fodselsnummer, parts ...string) ([]*Person, error) {
	if c.pakke != OffentligMedHjemmel {
		return nil, ErrNoBulk
	}
	unique := make([]ident.Fodselsnummer, 0, len(persons))
	seen := map[ident.Fodselsnummer]bool{}
	for _, p := range persons {
		if p.IsZero() {
			return nil, ErrNoPerson
		}
		if !seen[p] {
			seen[p] = true
			unique = append(unique, p)
		}
	}
	if err := registry.Audit(ctx, c.audit, c.now, registry.AuditEvent{Registry: "folkeregisteret", Operation: "bulkoppslag", Persons: unique}); err != nil {
		return nil, err
	}
	size := c.bulk
	q := partsQuery(parts)
	found := make(map[ident.Fodselsnummer]*Person, len(unique))
	for start := 0; start < len(unique); start += size {
		chunk := unique[start:min(start+size, len(unique))]
		req := bulkRequest{FoedselsEllerDNummer: make([]string, len(chunk))}
		for i, p := range chunk {
			req.FoedselsEllerDNummer[i] = p.Reveal()
		}
		var resp bulkResponse
		if err := c.api.Post(ctx, "bulkoppslag", c.path("/bulkoppslag"), q, req, &resp); err != nil {
			return nil, err
		}
		for _, o := range resp.Oppslag {
			if o.Folkeregisterperson != nil && seen[o.FoedselsEllerDNummer] {
				found[o.FoedselsEllerDNummer] = o.Folkeregisterperson
			}
		}
	}
	out := make([]*Person, len(persons))
	for i, p := range persons {
		out[i] = found[p]
	}
	return out, nil
}
