package registrytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fake"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// KRR scopes.
const (
	ScopeKRRKontaktinformasjon = "krr:global/kontaktinformasjon.read"
	ScopeKRRDigitalpost        = "krr:global/digitalpost.read"
)

// KRR is a fake Kontakt- og reservasjonsregisteret: POST /rest/v1/personer
// with up to 1000 personidentifikatorer, answering what the scopes allow. It
// is seeded with the KRR records of Persons.
type KRR struct {
	fake.Faults

	cfg     KRRConfig
	mu      sync.RWMutex
	records map[string]KRRRecord
	batches []int // sizes of the batches received
	cert    string
	handler http.Handler
}

// KRRConfig configures a fake KRR. Its zero value is ready to use.
type KRRConfig struct {
	// Authorize decides on each request: 0 lets it through, else the status to
	// refuse it with. nil requires a Bearer token (401 without one).
	Authorize func(r *http.Request) (status int)
	// Scopes are the scopes the caller's token is taken to have; nil means
	// both kontaktinformasjon and digitalpost.
	Scopes []string
}

// NewKRR returns a fake KRR holding Persons' KRR records.
func NewKRR(cfg KRRConfig) *KRR {
	k := &KRR{cfg: cfg, records: map[string]KRRRecord{}, cert: selfSigned()}
	for _, p := range Persons() {
		k.records[p.FNR.Reveal()] = p.KRR
	}
	k.handler = wrap(&k.Faults, k.serve)
	return k
}

// Set stores a person's KRR record; a Status of "" removes them.
func (k *KRR) Set(person ident.Fodselsnummer, rec KRRRecord) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if rec.Status == "" {
		delete(k.records, person.Reveal())
		return
	}
	k.records[person.Reveal()] = rec
}

// Batches returns the number of persons in each request received, in order.
func (k *KRR) Batches() []int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return slices.Clone(k.batches)
}

// ServeHTTP serves the API.
func (k *KRR) ServeHTTP(w http.ResponseWriter, r *http.Request) { k.handler.ServeHTTP(w, r) }

func krrError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "error": http.StatusText(status), "message": msg})
}

func (k *KRR) serve(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSuffix(r.URL.Path, "/") != "/rest/v1/personer" {
		krrError(w, http.StatusNotFound, "no such resource")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		krrError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	status := 0
	if k.cfg.Authorize != nil {
		status = k.cfg.Authorize(r)
	} else if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		status = http.StatusUnauthorized
	}
	if status != 0 {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		krrError(w, status, "missing or insufficient access token")
		return
	}
	var req struct {
		Personidentifikatorer []string `json:"personidentifikatorer"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		krrError(w, http.StatusBadRequest, "body must be JSON with personidentifikatorer")
		return
	}
	if n := len(req.Personidentifikatorer); n < 1 || n > 1000 {
		krrError(w, http.StatusBadRequest, "personidentifikatorer must hold 1 to 1000 elements")
		return
	}
	for _, id := range req.Personidentifikatorer {
		if len(id) != 11 || strings.Trim(id, "0123456789") != "" {
			krrError(w, http.StatusBadRequest, "personidentifikator must be 11 digits")
			return
		}
	}
	scopes := k.cfg.Scopes
	if scopes == nil {
		scopes = []string{ScopeKRRKontaktinformasjon, ScopeKRRDigitalpost}
	}
	contact, post := slices.Contains(scopes, ScopeKRRKontaktinformasjon), slices.Contains(scopes, ScopeKRRDigitalpost)
	k.mu.Lock()
	k.batches = append(k.batches, len(req.Personidentifikatorer))
	k.mu.Unlock()
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := []any{}
	for _, id := range req.Personidentifikatorer {
		out = append(out, k.person(id, contact, post))
	}
	writeJSON(w, http.StatusOK, map[string]any{"personer": out})
}

// person is one person's answer, with what the scopes allow: contact
// information with kontaktinformasjon.read, the mailbox with digitalpost.read.
func (k *KRR) person(id string, contact, post bool) map[string]any {
	rec, ok := k.records[id]
	if !ok || rec.Status == "IKKE_REGISTRERT" {
		return map[string]any{"personidentifikator": id, "status": "IKKE_REGISTRERT"}
	}
	p := map[string]any{"personidentifikator": id, "status": rec.Status, "reservasjon": "NEI"}
	if rec.Reserved {
		p["reservasjon"] = "JA"
	}
	if rec.Status != "AKTIV" {
		return p
	}
	if contact {
		p["varslingsstatus"] = rec.Varslingsstatus
		ki := map[string]any{}
		upd := rec.Updated.In(civil.Oslo).Format("2006-01-02T15:04:05-07")
		if rec.Email != "" {
			ki["epostadresse"], ki["epostadresse_oppdatert"], ki["epostadresse_sist_verifisert"] = rec.Email, upd, upd
		}
		if rec.Mobile != "" {
			ki["mobiltelefonnummer"], ki["mobiltelefonnummer_oppdatert"], ki["mobiltelefonnummer_sist_verifisert"] = rec.Mobile, upd, upd
		}
		p["kontaktinformasjon"] = ki
		if rec.Language != "" {
			p["spraak"], p["spraak_oppdatert"] = rec.Language, upd
		}
	}
	if post && rec.Mailbox != "" && !rec.Reserved {
		p["digital_post"] = map[string]any{"postkasseadresse": rec.Mailbox, "postkasseleverandoeradresse": rec.MailboxProvider}
		p["sertifikat"] = k.cert
	}
	return p
}

// selfSigned makes a throwaway encryption certificate for the digital mailboxes.
func selfSigned() string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "registrytest digital post", Organization: []string{"grunnmur test"}},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageKeyAgreement | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}
