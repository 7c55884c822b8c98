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
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// DefaultBaseURL is KRR's production host; the path is /rest/v1/personer.
// Test environments: https://krr-ver1.digdir.no, https://krr-ver2.digdir.no.
const DefaultBaseURL = "https://krr.digdir.no"

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

// ErrNoPerson is returned for a zero ident.Fodselsnummer.
var ErrNoPerson = errors.New("krr: no person given")

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

// Client looks persons up in KRR. Its HTTPClient must add a Maskinporten token
// (scopes krr:global/kontaktinformasjon.read and/or krr:global/digitalpost.read).
// It is safe for concurrent use.
type Client struct {
	// BaseURL is KRR's scheme and host; "" means DefaultBaseURL.
	BaseURL string
	// HTTPClient sends the requests; give one whose Transport adds the
	// Maskinporten token.
	HTTPClient *http.Client
	// BatchSize is how many persons go in one request; 0 or more than
	// MaxBatch means MaxBatch.
	BatchSize int
	// Cache holds persons; nil means in memory, registry.NoCache{} turns it off.
	Cache registry.Cache
	// TTL is how long a cached answer is used; 0 means 5 minutes. A citizen who
	// reserves must be respected soon.
	TTL time.Duration
	// Audit receives every look-up. With it set, look-ups need registry.WithPurpose.
	Audit registry.Auditor
	// MaxAttempts bounds retries; 0 means 4.
	MaxAttempts int
	// Now reads the clock (audit times, the default cache's TTL); nil means
	// time.Now.
	Now func() time.Time
	// Logger gets debug lines about retries; nil discards.
	Logger *slog.Logger

	once   sync.Once
	cache  registry.Cache
	api    *fetch.Client
	flight registry.Group
}

func (c *Client) init() {
	c.once.Do(func() {
		c.cache = c.Cache
		if c.cache == nil {
			c.cache = &registry.MemoryCache{Now: c.Now} // the TTL runs on the client's clock
		}
		c.api = fetch.New("krr", c.BaseURL, DefaultBaseURL, c.HTTPClient, c.Logger, c.MaxAttempts)
	})
}

func (c *Client) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return 5 * time.Minute
}

func (c *Client) batch() int {
	if c.BatchSize <= 0 || c.BatchSize > MaxBatch {
		return MaxBatch
	}
	return c.BatchSize
}

type request struct {
	Personidentifikatorer []string `json:"personidentifikatorer"`
}

type response struct {
	Personer []Person `json:"personer"`
}

func cacheKey(p ident.Fodselsnummer) string { return "krr:" + p.Reveal() }

// Person looks one person up. A person KRR does not know comes back with
// Status IKKE_REGISTRERT, not an error.
func (c *Client) Person(ctx context.Context, person ident.Fodselsnummer) (*Person, error) {
	if person.IsZero() {
		return nil, ErrNoPerson
	}
	c.init()
	_, cached := c.cache.Get(cacheKey(person))
	if err := registry.Audit(ctx, c.Audit, c.Now, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: []ident.Fodselsnummer{person}, Cached: cached}); err != nil {
		return nil, err
	}
	p, _, err := registry.Cached(ctx, c.cache, &c.flight, cacheKey(person), c.ttl(), func(ctx context.Context) (*Person, error) {
		got, err := c.fetch(ctx, []ident.Fodselsnummer{person})
		if err != nil {
			return nil, err
		}
		return got[person], nil
	})
	return p, err
}

// CanSendDigital looks the person up and applies Person.CanSendDigital.
func (c *Client) CanSendDigital(ctx context.Context, person ident.Fodselsnummer) (bool, error) {
	p, err := c.Person(ctx, person)
	if err != nil {
		return false, err
	}
	return p.CanSendDigital(), nil
}

// Persons looks many persons up, BatchSize (at most 1000) per request, and
// returns them in the order asked (duplicates answered once). Persons KRR does
// not know come back with Status IKKE_REGISTRERT. On an error no partial result
// is returned.
func (c *Client) Persons(ctx context.Context, persons []ident.Fodselsnummer) ([]*Person, error) {
	c.init()
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
	found := make(map[ident.Fodselsnummer]*Person, len(unique))
	var missing []ident.Fodselsnummer
	for _, p := range unique {
		if v, ok := c.cache.Get(cacheKey(p)); ok {
			if pp, ok := v.(*Person); ok {
				found[p] = pp
				continue
			}
		}
		missing = append(missing, p)
	}
	if err := registry.Audit(ctx, c.Audit, c.Now, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: unique, Cached: len(missing) == 0}); err != nil {
		return nil, err
	}
	size := c.batch()
	for start := 0; start < len(missing); start += size {
		chunk := missing[start:min(start+size, len(missing))]
		got, err := c.fetch(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for p, v := range got {
			found[p] = v
			c.cache.Set(cacheKey(p), v, c.ttl())
		}
	}
	out := make([]*Person, len(persons))
	for i, p := range persons {
		out[i] = found[p]
	}
	return out, nil
}

// fetch sends one request for up to MaxBatch persons.
func (c *Client) fetch(ctx context.Context, persons []ident.Fodselsnummer) (map[ident.Fodselsnummer]*Person, error) {
	req := request{Personidentifikatorer: make([]string, len(persons))}
	for i, p := range persons {
		req.Personidentifikatorer[i] = p.Reveal()
	}
	var resp response
	if _, err := c.api.Post(ctx, "personer", "/rest/v1/personer", nil, req, &resp); err != nil {
		return nil, err
	}
	asked := make(map[ident.Fodselsnummer]bool, len(persons))
	for _, p := range persons {
		asked[p] = true
	}
	out := make(map[ident.Fodselsnummer]*Person, len(persons))
	for i := range resp.Personer {
		p := &resp.Personer[i]
		if asked[p.Personidentifikator] {
			out[p.Personidentifikator] = p
		}
	}
	for _, p := range persons {
		if out[p] == nil {
			out[p] = &Person{Personidentifikator: p, Status: StatusIkkeRegistrert}
		}
	}
	return out, nil
}
