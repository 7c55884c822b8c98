package folkeregisteret

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// DefaultBaseURL is Folkeregisteret's production API. The consumer test
// environment is https://folkeregisteret-api-konsument.sits.no, the
// playground https://folkeregisteret-api-konsument-playground.sits.no.
const DefaultBaseURL = "https://folkeregisteret.api.skatteetaten.no"

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
)

// Client looks persons up in Folkeregisteret. HTTPClient must add a
// Maskinporten token for the rettighetspakke. It is safe for concurrent use.
type Client struct {
	// BaseURL is the API's scheme and host; "" means DefaultBaseURL.
	BaseURL string
	// Rettighetspakke is required.
	Rettighetspakke Rettighetspakke
	// HTTPClient sends the requests; give one whose Transport adds the token.
	HTTPClient *http.Client
	// Cache holds persons; nil means in memory, registry.NoCache{} turns it off.
	Cache registry.Cache
	// TTL is how long a cached person is used; 0 means one minute.
	TTL time.Duration
	// Audit receives every look-up; with it set, look-ups need registry.WithPurpose.
	Audit registry.Auditor
	// BulkSize is how many persons go per bulk request; 0 or more than
	// MaxBulk means MaxBulk.
	BulkSize    int
	MaxAttempts int
	Now         func() time.Time
	Logger      *slog.Logger

	once   sync.Once
	cache  registry.Cache
	api    *fetch.Client
	flight registry.Group
}

func (c *Client) init() error {
	c.once.Do(func() {
		c.cache = c.Cache
		if c.cache == nil {
			c.cache = &registry.MemoryCache{Now: c.Now} // the TTL runs on the client's clock
		}
		c.api = fetch.New("folkeregisteret", c.BaseURL, DefaultBaseURL, c.HTTPClient, c.Logger, c.MaxAttempts)
	})
	switch c.Rettighetspakke {
	case OffentligMedHjemmel, OffentligUtenHjemmel, FinansOgBegrenset:
		return nil
	}
	return ErrNoRettighetspakke
}

func (c *Client) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return time.Minute
}

func (c *Client) path(rest string) string {
	return "/folkeregisteret/" + string(c.Rettighetspakke) + "/api/v1/personer" + rest
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
	if err := c.init(); err != nil {
		return nil, err
	}
	if person.IsZero() {
		return nil, ErrNoPerson
	}
	q := partsQuery(parts)
	key := "freg:" + string(c.Rettighetspakke) + ":" + person.Reveal() + "?" + q.Encode()
	_, cached := c.cache.Get(key)
	if err := registry.Audit(ctx, c.Audit, c.Now, registry.AuditEvent{Registry: "folkeregisteret", Operation: "person", Persons: []ident.Fodselsnummer{person}, Cached: cached}); err != nil {
		return nil, err
	}
	p, _, err := registry.Cached(ctx, c.cache, &c.flight, key, c.ttl(), func(ctx context.Context) (*Person, error) {
		var p Person
		// The number goes in the path; httpx masks it in every error and log line.
		if _, err := c.api.Get(ctx, "person", c.path("/"+person.Reveal()), q, "application/json", &p); err != nil {
			return nil, err
		}
		return &p, nil
	})
	return p, err
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
// BulkSize per request, and returns them in the order asked; a person not
// found is nil.
func (c *Client) Bulk(ctx context.Context, persons []ident.Fodselsnummer, parts ...string) ([]*Person, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	if c.Rettighetspakke != OffentligMedHjemmel {
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
	if err := registry.Audit(ctx, c.Audit, c.Now, registry.AuditEvent{Registry: "folkeregisteret", Operation: "bulkoppslag", Persons: unique}); err != nil {
		return nil, err
	}
	size := c.BulkSize
	if size <= 0 || size > MaxBulk {
		size = MaxBulk
	}
	q := partsQuery(parts)
	found := make(map[ident.Fodselsnummer]*Person, len(unique))
	for start := 0; start < len(unique); start += size {
		chunk := unique[start:min(start+size, len(unique))]
		req := bulkRequest{FoedselsEllerDNummer: make([]string, len(chunk))}
		for i, p := range chunk {
			req.FoedselsEllerDNummer[i] = p.Reveal()
		}
		var resp bulkResponse
		if _, err := c.api.Post(ctx, "bulkoppslag", c.path("/bulkoppslag"), q, req, &resp); err != nil {
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
