package krr

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// The environments. An empty Config.BaseURL means TestBaseURL, Digdir's test
// environment (tokens from test.maskinporten.no); production is reached only
// by setting BaseURL to ProductionBaseURL. The path is /rest/v1/personer in
// both.
const (
	TestBaseURL       = "https://krr-ver2.digdir.no"
	ProductionBaseURL = "https://krr.digdir.no"
)

// MaxBatch is the most persons KRR takes in one request.
const MaxBatch = 1000

// Values of the status fields.
const (
	StatusAktiv          = "AKTIV"
	StatusSlettet        = "SLETTET"
	StatusIkkeRegistrert = "IKKE_REGISTRERT"

	ReservasjonJa  = "JA"
	ReservasjonNei = "NEI"

	KanVarsles     = "KAN_VARSLES"
	KanIkkeVarsles = "KAN_IKKE_VARSLES"
)

// Sentinels.
var (
	// ErrNoPerson is returned for a zero ident.Fodselsnummer.
	ErrNoPerson = errors.New("krr: no person given")
	// ErrConfig is a Config that New refuses.
	ErrConfig = errors.New("krr: invalid configuration")
)

// Person is what KRR holds about one person. Which parts are filled depends
// on the Maskinporten scopes: reservation and status always;
// krr:global/kontaktinformasjon.read adds contact information, varslingsstatus
// and language; krr:global/digitalpost.read adds the mailbox and certificate.
type Person struct {
	Personidentifikator ident.Fodselsnummer `json:"personidentifikator"`
	// Reservasjon is JA when the person has reserved against digital
	// communication from the public sector.
	Reservasjon string `json:"reservasjon"`
	// Status is AKTIV, SLETTET or IKKE_REGISTRERT.
	Status string `json:"status"`
	// Varslingsstatus is KAN_VARSLES when the contact information is fresh
	// enough to notify by (eForvaltningsforskriften § 32), else KAN_IKKE_VARSLES.
	Varslingsstatus    string              `json:"varslingsstatus"`
	Kontaktinformasjon *Kontaktinformasjon `json:"kontaktinformasjon,omitempty"`
	DigitalPost        *DigitalPost        `json:"digital_post,omitempty"`
	// Sertifikat is the person's encryption certificate for digital post
	// (base64 DER or PEM), as KRR gives it.
	Sertifikat      string `json:"sertifikat,omitempty"`
	Spraak          string `json:"spraak,omitempty"`
	SpraakOppdatert Time   `json:"spraak_oppdatert"`
}

// Kontaktinformasjon is the person's e-mail address and mobile number, with
// when each was last changed and verified.
type Kontaktinformasjon struct {
	Epostadresse                     string `json:"epostadresse,omitempty"`
	EpostadresseOppdatert            Time   `json:"epostadresse_oppdatert"`
	EpostadresseSistVerifisert       Time   `json:"epostadresse_sist_verifisert"`
	Mobiltelefonnummer               string `json:"mobiltelefonnummer,omitempty"`
	MobiltelefonnummerOppdatert      Time   `json:"mobiltelefonnummer_oppdatert"`
	MobiltelefonnummerSistVerifisert Time   `json:"mobiltelefonnummer_sist_verifisert"`
}

// DigitalPost is the person's digital mailbox (Digipost, e-Boks).
type DigitalPost struct {
	Postkasseadresse            string `json:"postkasseadresse"`
	Postkasseleverandoeradresse string `json:"postkasseleverandoeradresse"`
}

// Time is a KRR timestamp. KRR writes offsets without minutes
// ("2018-06-29T10:14:52+02"), and its documentation shows placeholders; a
// value that does not parse keeps its Raw text and a zero Time rather than
// fail a whole batch over one optional field.
type Time struct {
	time.Time
	Raw string
}

// UnmarshalJSON reads a timestamp string or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	*t = Time{}
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("krr: timestamp is not a string")
	}
	t.Raw = s
	t.Time, _ = registry.ParseTimestamp(s)
	return nil
}

// MarshalJSON writes the raw text back, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.Raw == "" {
		return []byte("null"), nil
	}
	return json.Marshal(t.Raw)
}

// Reserved reports whether the person has reserved against digital
// communication.
func (p *Person) Reserved() bool { return p.Reservasjon == ReservasjonJa }

// CanSendDigital applies the rules for communicating digitally with a person
// (eForvaltningsforskriften): the person is registered and active in KRR, has
// not reserved, and can be notified (KAN_VARSLES). Otherwise, send on paper.
func (p *Person) CanSendDigital() bool {
	return p != nil && p.Status == StatusAktiv && p.Reservasjon == ReservasjonNei && p.Varslingsstatus == KanVarsles
}

// Certificate parses Sertifikat. It returns nil, nil when there is none.
func (p *Person) Certificate() (*x509.Certificate, error) {
	s := strings.TrimSpace(p.Sertifikat)
	if s == "" {
		return nil, nil
	}
	var der []byte
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der = block.Bytes
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, fmt.Errorf("krr: certificate is neither PEM nor base64")
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("krr: certificate: %w", err)
	}
	return cert, nil
}

// Config configures a Client.
type Config struct {
	// BaseURL is KRR's scheme and host; "" means TestBaseURL.
	BaseURL string
	// HTTPClient sends the requests; give one whose Transport adds the
	// Maskinporten token (scopes krr:global/kontaktinformasjon.read and/or
	// krr:global/digitalpost.read).
	HTTPClient *http.Client
	// BatchSize is how many persons go in one request; 0 means MaxBatch, and
	// more than MaxBatch is an error.
	BatchSize int
	// Cache holds persons; nil means in memory, registry.NoCache{} turns it off.
	Cache registry.Cache
	// TTL is how long a cached answer is used; 0 means 5 minutes. A citizen who
	// reserves must be respected soon.
	TTL time.Duration
	// Audit receives every look-up. With it set, look-ups need registry.WithPurpose.
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

// ConfigFromEnv reads prefix+"BASE_URL" (GRUNNMUR_KRR_BASE_URL with the prefix
// "GRUNNMUR_KRR_"). When it is unset, the error matches config.ErrUnset. The
// HTTP client, cache and audit hook are left for the caller to set.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	base, err := fetch.BaseURLFromEnv(prefix, getenv)
	return Config{BaseURL: base}, err
}

// Client looks persons up in KRR. It is safe for concurrent use.
type Client struct {
	batch int
	cache *fetch.Cache
	api   *fetch.Client
	audit registry.Auditor
	now   func() time.Time
}

// New returns a Client for cfg. A bad BaseURL, a negative TTL or MaxAttempts,
// or a BatchSize out of range is an error matching ErrConfig.
func New(cfg Config) (*Client, error) {
	base, err := fetch.CheckConfig("krr", cfg.BaseURL, TestBaseURL, cfg.TTL, cfg.MaxAttempts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if cfg.BatchSize < 0 || cfg.BatchSize > MaxBatch {
		return nil, fmt.Errorf("%w: BatchSize %d is not between 0 and %d", ErrConfig, cfg.BatchSize, MaxBatch)
	}
	batch, ttl := cfg.BatchSize, cfg.TTL
	if batch == 0 {
		batch = MaxBatch
	}
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	return &Client{
		batch: batch,
		cache: fetch.NewCache("krr", cfg.Cache, ttl, cfg.Logger, cfg.Now),
		api:   fetch.New("krr", base, cfg.HTTPClient, cfg.Logger, cfg.MaxAttempts),
		audit: cfg.Audit,
		now:   cfg.Now,
	}, nil
}

type request struct {
	Personidentifikatorer []string `json:"personidentifikatorer"`
}

type response struct {
	Personer []json.RawMessage `json:"personer"`
}

func cacheKey(p ident.Fodselsnummer) string { return "krr:" + p.Reveal() }

func decodePerson(api *fetch.Client, raw []byte) (*Person, error) {
	var p Person
	if err := api.Decode("personer", fetch.Entry{Body: raw}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Person looks one person up. A person KRR does not know comes back with
// Status IKKE_REGISTRERT, not an error.
func (c *Client) Person(ctx context.Context, person ident.Fodselsnummer) (*Person, error) {
	if person.IsZero() {
		return nil, ErrNoPerson
	}
	return fetch.Cached(ctx, c.cache, fetch.Lookup[*Person]{
		Key: cacheKey(person),
		Fetch: func(ctx context.Context) (fetch.Entry, error) {
			got, err := c.fetch(ctx, []ident.Fodselsnummer{person})
			return fetch.Entry{Status: http.StatusOK, Body: got[person]}, err
		},
		Decode: func(r fetch.Entry) (*Person, error) { return decodePerson(c.api, r.Body) },
		Audit: func(cached bool) error {
			return registry.Audit(ctx, c.audit, c.now, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: []ident.Fodselsnummer{person}, Cached: cached})
		},
	})
}

// CanSendDigital looks the person up and applies Person.CanSendDigital.
func (c *Client) CanSendDigital(ctx context.Context, person ident.Fodselsnummer) (bool, error) {
	p, err := c.Person(ctx, person)
	if err != nil {
		return false, err
	}
	return p.CanSendDigital(), nil
}

// Persons looks many persons up, Config.BatchSize (at most 1000) per request,
// and returns them in the order asked (duplicates answered once). Persons KRR
// does not know come back with Status IKKE_REGISTRERT. On an error no partial
// result is returned.
func (c *Client) Persons(ctx context.Context, persons []ident.Fodselsnummer) ([]*Person, error) {
	unique := make([]ident.Fodselsnummer, 0, len(persons))
	seen := make(map[ident.Fodselsnummer]bool, len(persons))
	for _, p := range persons {
		if p.IsZero() {
			return nil, ErrNoPerson
		}
		if !seen[p] {
			seen[p] = true
			unique = append(unique, p)
		}
	}
	found, missing := c.cached(ctx, unique)
	if err := registry.Audit(ctx, c.audit, c.now, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: unique, Cached: len(missing) == 0}); err != nil {
		return nil, err
	}
	for start := 0; start < len(missing); start += c.batch {
		got, err := c.fetch(ctx, missing[start:min(start+c.batch, len(missing))])
		if err != nil {
			return nil, err
		}
		for p, raw := range got {
			v, err := decodePerson(c.api, raw)
			if err != nil {
				return nil, err
			}
			found[p] = v
			c.cache.Put(ctx, cacheKey(p), fetch.Entry{Status: http.StatusOK, Body: raw})
		}
	}
	out := make([]*Person, len(persons))
	for i, p := range persons {
		out[i] = found[p]
	}
	return out, nil
}

// cached returns the persons the cache holds, and the others.
func (c *Client) cached(ctx context.Context, persons []ident.Fodselsnummer) (map[ident.Fodselsnummer]*Person, []ident.Fodselsnummer) {
	found := make(map[ident.Fodselsnummer]*Person, len(persons))
	var missing []ident.Fodselsnummer
	for _, p := range persons {
		if e, ok := c.cache.Lookup(ctx, cacheKey(p)); ok {
			if v, err := decodePerson(c.api, e.Body); err == nil {
				found[p] = v
				continue
			}
		}
		missing = append(missing, p)
	}
	return found, missing
}

// fetch sends one request for up to MaxBatch persons, and returns each
// person's answer as KRR wrote it; a person KRR left out gets an answer with
// status IKKE_REGISTRERT.
func (c *Client) fetch(ctx context.Context, persons []ident.Fodselsnummer) (map[ident.Fodselsnummer][]byte, error) {
	req := request{Personidentifikatorer: make([]string, len(persons))}
	asked := make(map[ident.Fodselsnummer]bool, len(persons))
	for i, p := range persons {
		req.Personidentifikatorer[i] = p.Reveal()
		asked[p] = true
	}
	var resp response
	if err := c.api.Post(ctx, "personer", "/rest/v1/personer", nil, req, &resp); err != nil {
		return nil, err
	}
	out := make(map[ident.Fodselsnummer][]byte, len(persons))
	for _, raw := range resp.Personer {
		var id struct {
			Personidentifikator ident.Fodselsnummer `json:"personidentifikator"`
		}
		if err := c.api.Decode("personer", fetch.Entry{Body: raw}, &id); err != nil {
			return nil, err
		}
		if asked[id.Personidentifikator] {
			out[id.Personidentifikator] = raw
		}
	}
	for _, p := range persons {
		if out[p] == nil {
			raw, err := json.Marshal(map[string]string{"personidentifikator": p.Reveal(), "status": StatusIkkeRegistrert})
			if err != nil {
				return nil, err
			}
			out[p] = raw
		}
	}
	return out, nil
}
