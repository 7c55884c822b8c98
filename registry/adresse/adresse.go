package adresse

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/internal/fetch"
)

// The environments. Kartverket's address API is open data with one host and
// no test environment of its own, so TestBaseURL and ProductionBaseURL are
// the same URL; an empty Config.BaseURL means TestBaseURL, as in every
// grunnmur client.
const (
	TestBaseURL       = "https://ws.geonorge.no/adresser/v1"
	ProductionBaseURL = "https://ws.geonorge.no/adresser/v1"
)

// MaxPerPage is the most hits per page the API gives (treffPerSide).
const MaxPerPage = 1000

// EPSG4258 (ETRS89, latitude/longitude) is the API's default coordinate system.
const EPSG4258 = 4258

// Adresse is one official address: a vegadresse (street and number) or a
// matrikkeladresse (gnr/bnr where no street addresses exist).
type Adresse struct {
	Adressenavn                         string             `json:"adressenavn"`
	Adressetekst                        string             `json:"adressetekst"`
	Adressetilleggsnavn                 string             `json:"adressetilleggsnavn"`
	Adressekode                         int                `json:"adressekode"`
	Nummer                              int                `json:"nummer"`
	Bokstav                             string             `json:"bokstav"`
	Kommunenummer                       string             `json:"kommunenummer"`
	Kommunenavn                         string             `json:"kommunenavn"`
	Gardsnummer                         int                `json:"gardsnummer"`
	Bruksnummer                         int                `json:"bruksnummer"`
	Festenummer                         int                `json:"festenummer"`
	Undernummer                         int                `json:"undernummer"`
	Bruksenhetsnummer                   []string           `json:"bruksenhetsnummer"`
	Objtype                             string             `json:"objtype"` // Vegadresse or Matrikkeladresse
	Poststed                            string             `json:"poststed"`
	Postnummer                          string             `json:"postnummer"`
	AdressetekstUtenAdressetilleggsnavn string             `json:"adressetekstutenadressetilleggsnavn"`
	Stedfestingverifisert               bool               `json:"stedfestingverifisert"`
	Representasjonspunkt                *Point             `json:"representasjonspunkt"`
	Oppdateringsdato                    registry.Timestamp `json:"oppdateringsdato"`
	// MeterDistanseTilPunkt is set by SearchPoint: the distance from the point searched.
	MeterDistanseTilPunkt float64 `json:"meterDistanseTilPunkt,omitempty"`
}

// Matrikkel returns the cadastral number "gnr/bnr", "gnr/bnr/fnr" with a
// festenummer, and "-unr" with an undernummer, as Kartverket writes it.
func (a *Adresse) Matrikkel() string {
	s := strconv.Itoa(a.Gardsnummer) + "/" + strconv.Itoa(a.Bruksnummer)
	if a.Festenummer != 0 {
		s += "/" + strconv.Itoa(a.Festenummer)
	}
	if a.Undernummer != 0 {
		s += "-" + strconv.Itoa(a.Undernummer)
	}
	return s
}

// String is the one-line postal form: "Storgata 12B, 0184 OSLO".
func (a *Adresse) String() string {
	return a.Adressetekst + ", " + a.Postnummer + " " + a.Poststed
}

// Point is a coordinate. With EPSG 4258 (the default), Lat and Lon are degrees.
type Point struct {
	EPSG string  `json:"epsg"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// Metadata describes a page of hits.
type Metadata struct {
	AsciiKompatibel   bool   `json:"asciiKompatibel"`
	SokeStreng        string `json:"sokeStreng"`
	TreffPerSide      int    `json:"treffPerSide"`
	Side              int    `json:"side"`
	TotaltAntallTreff int    `json:"totaltAntallTreff"`
	ViserFra          int    `json:"viserFra"`
	ViserTil          int    `json:"viserTil"`
}

// Result is one page of hits.
type Result struct {
	Metadata Metadata  `json:"metadata"`
	Adresser []Adresse `json:"adresser"`
}

// Query is a search (sok) with the documented parameters. Zero fields are
// left out.
type Query struct {
	// Sok is a free-text search over nearly every field; "*" is a wildcard.
	Sok       string
	Fuzzy     bool   // find addresses like Sok; not with wildcards
	Sokemodus string // "AND" (default) or "OR"

	Adressenavn         string
	Adressetekst        string
	Adressetilleggsnavn string
	Adressekode         int
	Nummer              int
	Bokstav             string
	// UtenBokstav finds only addresses without a letter (sends "bokstav=").
	UtenBokstav       bool
	Kommunenummer     string // 4 digits: "0301", not "301"
	Kommunenavn       string
	Gardsnummer       int
	Bruksnummer       int
	Festenummer       int
	Undernummer       int
	Bruksenhetsnummer string
	Objtype           string // "Vegadresse" or "Matrikkeladresse"
	Poststed          string
	Postnummer        string // 4 digits
	// Filtrer lists the fields to keep ("adresser.adressetekst,..."); "" keeps all.
	Filtrer    string
	Utkoordsys int // EPSG code of the returned points; 0 means 4258
	// TreffPerSide is the page size; 0 means 10, at most 1000.
	TreffPerSide int
	Side         int // 0-based page
	// AsciiKompatibel false lets the API return non-ASCII text; nil means its default (true).
	AsciiKompatibel *bool
}

// PointQuery finds addresses within Radius metres of a point (the API's punktsok).
type PointQuery struct {
	Lat, Lon        float64
	Radius          int // metres, required
	Koordsys        int // EPSG code of Lat/Lon; 0 means 4258
	Utkoordsys      int
	Filtrer         string
	TreffPerSide    int
	Side            int
	AsciiKompatibel *bool
}

// ErrConfig is a Config that New refuses.
var ErrConfig = errors.New("adresse: invalid configuration")

// Config configures a Client. Its zero value is ready to use.
type Config struct {
	// BaseURL is the API root including /adresser/v1; "" means TestBaseURL.
	BaseURL string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Cache holds pages; nil means in memory, registry.NoCache{} turns it off.
	Cache registry.Cache
	// TTL is how long a cached page is used; 0 means one hour.
	TTL time.Duration
	// MaxAttempts bounds the attempts per request, retries included; 0 means 4.
	MaxAttempts int
	// Now reads the clock of the default cache's TTL; nil means time.Now.
	Now func() time.Time
	// Logger gets debug lines about retries and warnings about cache
	// failures; nil discards.
	Logger *slog.Logger
}

// ConfigFromEnv reads prefix+"BASE_URL" (GRUNNMUR_ADRESSE_BASE_URL with the
// prefix "GRUNNMUR_ADRESSE_"). When it is unset, the error matches
// config.ErrUnset.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	base, err := fetch.BaseURLFromEnv(prefix, getenv)
	return Config{BaseURL: base}, err
}

// Client searches Kartverket's address API. No authentication is needed. It
// is safe for concurrent use.
type Client struct {
	cache *fetch.Cache
	api   *fetch.Client
}

// New returns a Client for cfg. A bad BaseURL or a negative TTL or
// MaxAttempts is an error matching ErrConfig.
func New(cfg Config) (*Client, error) {
	base, err := fetch.CheckConfig("adresse", cfg.BaseURL, TestBaseURL, cfg.TTL, cfg.MaxAttempts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	ttl := cfg.TTL
	if ttl == 0 {
		ttl = time.Hour
	}
	return &Client{
		cache: fetch.NewCache("adresse", cfg.Cache, ttl, cfg.Logger, cfg.Now),
		api:   fetch.New("adresse", base, cfg.HTTPClient, cfg.Logger, cfg.MaxAttempts),
	}, nil
}

func invalid(op, format string, args ...any) error {
	return fetch.Invalid("adresse", op, fmt.Errorf(format, args...))
}

func fourDigits(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func paging(op string, v url.Values, per, side int) error {
	if per < 0 || per > MaxPerPage {
		return invalid(op, "treffPerSide %d: at most %d", per, MaxPerPage)
	}
	if side < 0 {
		return invalid(op, "side %d is negative", side)
	}
	if per > 0 {
		v.Set("treffPerSide", strconv.Itoa(per))
	}
	if side > 0 {
		v.Set("side", strconv.Itoa(side))
	}
	return nil
}

func (q Query) values() (url.Values, error) {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	num := func(k string, n int) {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	if q.Kommunenummer != "" && !fourDigits(q.Kommunenummer) {
		return nil, invalid("sok", "kommunenummer %q must be 4 digits", q.Kommunenummer)
	}
	if q.Postnummer != "" && !fourDigits(q.Postnummer) {
		return nil, invalid("sok", "postnummer %q must be 4 digits", q.Postnummer)
	}
	if q.Sokemodus != "" && q.Sokemodus != "AND" && q.Sokemodus != "OR" {
		return nil, invalid("sok", "sokemodus %q: AND or OR", q.Sokemodus)
	}
	if q.Objtype != "" && q.Objtype != "Vegadresse" && q.Objtype != "Matrikkeladresse" {
		return nil, invalid("sok", "objtype %q: Vegadresse or Matrikkeladresse", q.Objtype)
	}
	set("sok", q.Sok)
	if q.Fuzzy {
		v.Set("fuzzy", "true")
	}
	set("sokemodus", q.Sokemodus)
	set("adressenavn", q.Adressenavn)
	set("adressetekst", q.Adressetekst)
	set("adressetilleggsnavn", q.Adressetilleggsnavn)
	num("adressekode", q.Adressekode)
	num("nummer", q.Nummer)
	if q.UtenBokstav {
		v.Set("bokstav", "")
	} else {
		set("bokstav", q.Bokstav)
	}
	set("kommunenummer", q.Kommunenummer)
	set("kommunenavn", q.Kommunenavn)
	num("gardsnummer", q.Gardsnummer)
	num("bruksnummer", q.Bruksnummer)
	num("festenummer", q.Festenummer)
	num("undernummer", q.Undernummer)
	set("bruksenhetsnummer", q.Bruksenhetsnummer)
	set("objtype", q.Objtype)
	set("poststed", q.Poststed)
	set("postnummer", q.Postnummer)
	set("filtrer", q.Filtrer)
	num("utkoordsys", q.Utkoordsys)
	if q.AsciiKompatibel != nil {
		v.Set("asciiKompatibel", strconv.FormatBool(*q.AsciiKompatibel))
	}
	if len(v) == 0 {
		return nil, invalid("sok", "no search parameter given")
	}
	return v, paging("sok", v, q.TreffPerSide, q.Side)
}

func (q PointQuery) values() (url.Values, error) {
	if math.IsNaN(q.Lat) || math.IsNaN(q.Lon) || math.IsInf(q.Lat, 0) || math.IsInf(q.Lon, 0) {
		return nil, invalid("punktsok", "coordinate is not a number")
	}
	if (q.Koordsys == 0 || q.Koordsys == EPSG4258) && (q.Lat < -90 || q.Lat > 90 || q.Lon < -180 || q.Lon > 180) {
		return nil, invalid("punktsok", "lat/lon out of range")
	}
	if q.Radius <= 0 {
		return nil, invalid("punktsok", "radius must be a positive number of metres")
	}
	v := url.Values{}
	v.Set("lat", strconv.FormatFloat(q.Lat, 'f', -1, 64))
	v.Set("lon", strconv.FormatFloat(q.Lon, 'f', -1, 64))
	v.Set("radius", strconv.Itoa(q.Radius))
	if q.Koordsys != 0 {
		v.Set("koordsys", strconv.Itoa(q.Koordsys))
	}
	if q.Utkoordsys != 0 {
		v.Set("utkoordsys", strconv.Itoa(q.Utkoordsys))
	}
	if q.Filtrer != "" {
		v.Set("filtrer", q.Filtrer)
	}
	if q.AsciiKompatibel != nil {
		v.Set("asciiKompatibel", strconv.FormatBool(*q.AsciiKompatibel))
	}
	return v, paging("punktsok", v, q.TreffPerSide, q.Side)
}

func (c *Client) get(ctx context.Context, op, path string, v url.Values) (*Result, error) {
	return fetch.Cached(ctx, c.cache, fetch.Lookup[*Result]{
		Key: op + "?" + v.Encode(),
		Fetch: func(ctx context.Context) (fetch.Entry, error) {
			return c.api.Raw(ctx, http.MethodGet, op, path, v, "", nil)
		},
		Decode: func(e fetch.Entry) (*Result, error) {
			var r Result
			if err := c.api.Decode(op, e, &r); err != nil {
				return nil, err
			}
			return &r, nil
		},
	})
}

// Search returns one page of a search (the API's sok).
func (c *Client) Search(ctx context.Context, q Query) (*Result, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	return c.get(ctx, "sok", "/sok", v)
}

// SearchPoint returns one page of the addresses within q.Radius of a point,
// nearest first (the API's punktsok).
func (c *Client) SearchPoint(ctx context.Context, q PointQuery) (*Result, error) {
	v, err := q.values()
	if err != nil {
		return nil, err
	}
	return c.get(ctx, "punktsok", "/punktsok", v)
}

// SearchAll yields every hit of a search, page after page from q.Side.
func (c *Client) SearchAll(ctx context.Context, q Query) iter.Seq2[*Adresse, error] {
	return all(func(side int) (*Result, error) { q.Side = side; return c.Search(ctx, q) }, q.Side)
}

// SearchPointAll yields every address within the radius, nearest first.
func (c *Client) SearchPointAll(ctx context.Context, q PointQuery) iter.Seq2[*Adresse, error] {
	return all(func(side int) (*Result, error) { q.Side = side; return c.SearchPoint(ctx, q) }, q.Side)
}

func all(page func(side int) (*Result, error), first int) iter.Seq2[*Adresse, error] {
	return func(yield func(*Adresse, error) bool) {
		for side := first; ; side++ {
			r, err := page(side)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range r.Adresser {
				if !yield(&r.Adresser[i], nil) {
					return
				}
			}
			if len(r.Adresser) == 0 || r.Metadata.ViserTil >= r.Metadata.TotaltAntallTreff {
				return
			}
		}
	}
}
