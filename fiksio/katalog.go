package fiksio

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/ident"
)

// Konto is an account in Fiks IO's katalog (KatalogKonto).
type Konto struct {
	KontoID        uuid.UUID `json:"kontoId"`
	KontoNavn      string    `json:"kontoNavn"`
	FiksOrgID      uuid.UUID `json:"fiksOrgId"`
	FiksOrgNavn    string    `json:"fiksOrgNavn"`
	GyldigAvsender bool      `json:"-"`
	GyldigMottaker bool      `json:"-"`
	StatusMelding  string    `json:"-"`
}

type katalogKonto struct {
	Konto
	Status *struct {
		GyldigAvsender bool   `json:"gyldigAvsender"`
		GyldigMottaker bool   `json:"gyldigMottaker"`
		Melding        string `json:"melding"`
	} `json:"status"`
}

// PublicKeyProvider gives the certificate to encrypt to for an account.
// The katalog is one; a provider of certificates verified out of band is
// what KS recommends for real end-to-end security.
type PublicKeyProvider interface {
	PublicKey(ctx context.Context, konto uuid.UUID) (*x509.Certificate, error)
}

// Lookup finds the active account of an organisation for a protocol
// (meldingProtokoll, e.g. no.ks.fiks.arkiv.v1) at a security level (1..4).
// No match is an *Error of kind ErrUnknownAccount; so is an account that
// may not receive.
func (c *Client) Lookup(ctx context.Context, orgnr ident.Orgnr, protokoll string, sikkerhetsniva int) (*Konto, error) {
	const op = "lookup"
	if _, err := ident.ParseOrgnr(string(orgnr)); err != nil {
		return nil, fmt.Errorf("%w: orgnr: %v", ErrInvalid, err)
	}
	if protokoll == "" || !validType(protokoll) {
		return nil, fmt.Errorf("%w: meldingProtokoll %q", ErrInvalid, safeName(protokoll))
	}
	if sikkerhetsniva < 1 || sikkerhetsniva > 4 {
		return nil, fmt.Errorf("%w: sikkerhetsniva %d is not 1..4", ErrInvalid, sikkerhetsniva)
	}
	q := url.Values{"identifikator": {"ORG_NO." + string(orgnr)}, "meldingProtokoll": {protokoll}, "sikkerhetsniva": {strconv.Itoa(sikkerhetsniva)}}
	k, err := cached(ctx, &c.katalog, "lookup\x00"+q.Encode(), func(ctx context.Context) (*Konto, error) {
		return c.getKonto(ctx, op, c.url("/fiks-io/katalog/api/v1/lookup", q))
	})
	if err != nil {
		return nil, err
	}
	if !k.GyldigMottaker {
		return nil, &Error{Op: op, Kind: ErrUnknownAccount, Message: "the account may not receive: " + k.StatusMelding}
	}
	return k, nil
}

// Konto reads an account by id.
func (c *Client) Konto(ctx context.Context, id uuid.UUID) (*Konto, error) {
	return cached(ctx, &c.katalog, "konto\x00"+id.String(), func(ctx context.Context) (*Konto, error) {
		return c.getKonto(ctx, "konto", c.url("/fiks-io/katalog/api/v1/kontoer/"+id.String(), nil))
	})
}

// getJSON GETs u and decodes the answer into v.
func (c *Client) getJSON(ctx context.Context, op, u string, v any) error {
	req, err := c.newRequest(ctx, op, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(op, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return decodeError(op, err)
	}
	return nil
}

func (c *Client) getKonto(ctx context.Context, op, u string) (*Konto, error) {
	var k katalogKonto
	if err := c.getJSON(ctx, op, u, &k); err != nil {
		return nil, err
	}
	if k.KontoID == uuid.Nil {
		return nil, decodeError(op, errors.New("no kontoId"))
	}
	if k.Status != nil {
		k.GyldigAvsender, k.GyldigMottaker, k.StatusMelding = k.Status.GyldigAvsender, k.Status.GyldigMottaker, truncate(k.Status.Melding, 500)
	}
	return &k.Konto, nil
}

// PublicKey returns the verified certificate to encrypt to for an account:
// from Config.PublicKeys when set, else from the katalog (cached). A
// certificate that does not verify is a *CertificateError (ErrCertificate).
func (c *Client) PublicKey(ctx context.Context, konto uuid.UUID) (*x509.Certificate, error) {
	var (
		cert *x509.Certificate
		err  error
	)
	if c.cfg.PublicKeys != nil {
		cert, err = c.cfg.PublicKeys.PublicKey(ctx, konto)
	} else {
		cert, err = cached(ctx, &c.katalog, "nokkel\x00"+konto.String(), func(ctx context.Context) (*x509.Certificate, error) {
			return c.katalogKey(ctx, konto)
		})
	}
	if err != nil {
		return nil, err
	}
	if cert == nil {
		return nil, &CertificateError{KontoID: konto.String(), Reason: "no certificate"}
	}
	if err := c.verifyCertificate(konto, cert); err != nil {
		return nil, err
	}
	return cert, nil
}

func (c *Client) katalogKey(ctx context.Context, konto uuid.UUID) (*x509.Certificate, error) {
	var k struct {
		Nokkel string `json:"nokkel"`
	}
	if err := c.getJSON(ctx, "offentligNokkel", c.url("/fiks-io/katalog/api/v1/kontoer/"+konto.String()+"/offentligNokkel", nil), &k); err != nil {
		return nil, err
	}
	block, _ := pem.Decode([]byte(k.Nokkel))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, &CertificateError{KontoID: konto.String(), Reason: "nokkel is not a PEM certificate"}
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, &CertificateError{KontoID: konto.String(), Reason: "does not parse", Err: err}
	}
	return cert, nil
}

// verifyCertificate checks what the sender can: an RSA key (Fiks IO's CMS
// is RSA-OAEP), the validity period, and the chain when Roots is set.
func (c *Client) verifyCertificate(konto uuid.UUID, cert *x509.Certificate) error {
	now := c.cfg.Now()
	fail := func(reason string, err error) error {
		return &CertificateError{KontoID: konto.String(), Reason: reason, Err: err}
	}
	if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
		return fail("not an RSA key", nil)
	}
	if now.Before(cert.NotBefore) {
		return fail("not valid before "+cert.NotBefore.UTC().Format(time.RFC3339), nil)
	}
	if now.After(cert.NotAfter) {
		return fail("expired "+cert.NotAfter.UTC().Format(time.RFC3339), nil)
	}
	if c.cfg.Roots != nil {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: c.cfg.Roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return fail("does not chain to the configured roots", err)
		}
	}
	return nil
}

// cache keeps katalog answers for a TTL. Failures are not cached.
type cache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]cacheEntry
}

type cacheEntry struct {
	v       any
	expires time.Time
}

func cached[T any](ctx context.Context, c *cache, key string, fetch func(context.Context) (T, error)) (T, error) {
	if c.ttl > 0 {
		c.mu.Lock()
		e, ok := c.m[key]
		c.mu.Unlock()
		if ok && c.now().Before(e.expires) {
			return e.v.(T), nil
		}
	}
	v, err := fetch(ctx)
	if err != nil || c.ttl <= 0 {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cacheEntry{}
	}
	now := c.now()
	for k, e := range c.m { // keep the map from growing without bound
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	c.m[key] = cacheEntry{v: v, expires: now.Add(c.ttl)}
	return v, nil
}
