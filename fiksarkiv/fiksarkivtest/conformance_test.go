package fiksarkivtest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
	"github.com/grunnmur/grunnmur/fiksarkiv/internal/kscase"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
)

// ksCase is one of KS' conformance cases (../testdata/validator).
type ksCase = kscase.Case

func ksCases(t *testing.T) []ksCase {
	cases, err := kscase.Load(filepath.Join("..", "testdata", "validator"))
	if err != nil || len(cases) != 38 {
		t.Fatalf("%d cases, want 38: %v", len(cases), err)
	}
	return cases
}

// raw sends a case's payload as it is.
type raw []byte

func (r raw) Marshal() ([]byte, error) { return r, nil }

var docfil = regexp.MustCompile(`referanseDokumentfil[^>]*>([^<]+)<`)

// replies records the reply types per request melding-id, in arrival order.
type replies struct {
	mu sync.Mutex
	m  map[uuid.UUID][]string
}

func (r *replies) wrap(h fiksio.Handler) fiksio.Handler {
	return func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		r.mu.Lock()
		r.m[m.SvarPaMelding] = append(r.m[m.SvarPaMelding], m.Type)
		r.mu.Unlock()
		return h(ctx, m)
	}
}

func (r *replies) of(id uuid.UUID) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.m[id])
}

// conform runs every supported case through c and reports the ones that
// fail; the reply types must equal expectedResponseMessageTypes and every
// payloadQuery hold on the final reply.
func conform(t *testing.T, c *fiksarkiv.Sender, rec *replies, broken map[string][]string) (passed, total int) {
	pdf, err := os.ReadFile(filepath.Join("..", "testdata", "validator", "rekvisisjon.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	cases := ksCases(t)
	// KS' order: the saksmappe, then the journalposts into it
	// (NySaksmappeN1 makes what HentSaksmappeN1 fetches, NyJournalpostN1
	// what the avskrivning and dokumentobjekt cases name), then changes,
	// fetches and the delete.
	phase := func(name string) int {
		for i, p := range []string{"NySaksmappe", "NyMappe", "NyJournalpost", "Ny", "Oppdater", "Hent", "Slett"} {
			if strings.HasPrefix(name, p) {
				return i
			}
		}
		return 7
	}
	sort.SliceStable(cases, func(i, j int) bool { return phase(cases[i].Name) < phase(cases[j].Name) })
	for _, kc := range cases {
		if !kc.Supported {
			continue
		}
		total++
		t.Run(kc.Name, func(t *testing.T) {
			want, isBroken := broken[kc.Name]
			if !isBroken {
				want = kc.Expected
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			req := fiksarkiv.Request{KlientMeldingID: kc.Name + "-" + uuid.NewString(), Type: kc.MessageType, Payload: raw(kc.Payload)}
			seen := map[string]bool{}
			for _, m := range docfil.FindAllSubmatch(kc.Payload, -1) {
				if name := strings.TrimSpace(string(m[1])); name == "" || seen[name] {
					continue
				}
				seen[string(bytes.TrimSpace(m[1]))] = true
				req.Attachments = append(req.Attachments, fiksarkiv.Attachment{Name: strings.TrimSpace(string(m[1])), MimeType: "application/pdf",
					Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pdf)), nil }})
			}
			x, err := c.Send(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if x, err = c.Wait(ctx, x.KlientMeldingID); err != nil {
				t.Fatal(err)
			}
			got := rec.of(x.MeldingIDs[0])
			if !slices.Equal(got, want) {
				t.Fatalf("replies %v, want %v", got, want)
			}
			if isBroken {
				return // the right answer to a broken case, not KS' expectation
			}
			for _, q := range kc.Queries {
				if v := query(t, x.ReplyPayload, q.Query, q.ValueType == 1); q.Value == "*" && strings.TrimSpace(v) == "" || q.Value != "*" && v != q.Value {
					t.Errorf("%s = %q, want %q", q.Query, v, q.Value)
				}
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	return passed, total
}

// query evaluates an XPath on doc (names match local names) and returns
// the first node's text, or its xsi:type for valueType 1.
func query(t *testing.T, doc []byte, path string, attr bool) string {
	d, err := xmlquery.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Errorf("%s: the reply is not XML: %v", path, err)
		return ""
	}
	n, err := xmlquery.Query(d, path)
	if err != nil || n == nil {
		return ""
	}
	if attr {
		for _, a := range n.Attr {
			if a.Name.Local == "type" {
				return a.Value[strings.IndexByte(a.Value, ':')+1:]
			}
		}
		return ""
	}
	return strings.TrimSpace(n.InnerText())
}

// seed stores what KS' cases refer to (the notes: identifiers "must be
// changed to something that exists in the receiving archive"), with the
// cases' own identifiers, so the payloads go unchanged.
func seed(a *fiksarkivtest.Archive) {
	vkey := func(n string) *fiksarkiv.EksternNoekkel {
		return &fiksarkiv.EksternNoekkel{Fagsystem: "Fiks protokoll validator", Noekkel: n}
	}
	jp := func(id, regID string, aar, sekv int, noekkel string) fiksarkivtest.Journalpost {
		return fiksarkivtest.Journalpost{SystemID: id, Journalpost: fiksarkiv.Journalpost{Tittel: "Seed " + noekkel, RegistreringsID: regID,
			ReferanseEksternNoekkel: vkey(noekkel), Journalposttype: fiksarkiv.Kode{Kode: "I"}}, Journalaar: aar, Journalsekvensnummer: sekv,
			Journalpostnummer: 1, Journaldato: civil.NewDate(aar, 1, 2), Dokumenter: []fiksarkivtest.Dokument{{SystemID: uuid.NewString(), Nummer: 1, Tittel: "Seed"}}}
	}
	mappe := func(id, mappeID string, sekv int, noekkel string) fiksarkivtest.Mappe {
		return fiksarkivtest.Mappe{SystemID: id, MappeID: mappeID, Saksmappe: fiksarkiv.Saksmappe{Tittel: "Test seed " + noekkel,
			ReferanseEksternNoekkel: vkey(noekkel)}, Saksaar: 2022, Sakssekvensnummer: sekv, Saksdato: civil.NewDate(2022, 1, 2)}
	}
	// NyJournalpostN*'s parent, and HentJournalpostN*'s and
	// NyAvskrivningN2's journalposts. (The journalpost the avskrivning,
	// dokumentobjekt and slett cases name by key is NyJournalpostN1's.)
	a.Seed(mappe("22f05e04-37c4-4051-8b3a-853c8eac4b33", "", 4, "seed-mappe"),
		jp("6f358ced-036d-4c9b-b372-a2b7d83c5cc5", "en-registreringsid", 2025, 1, "seed-hent"),
		jp(uuid.NewString(), "", 2025, 2, "86af5c8f-e06e-4c5c-b49b-97ccb1ce68a2"))
	// The Oppdater cases: a journalpost named by systemID, registreringsID
	// and journalnummer 2022/1; another by the key the first is given; the
	// saksmapper by key, mappeID "en-mappe-id" and saksnummer 2022/1.
	a.Seed(mappe(uuid.NewString(), "", 1, "nøkkel-til-saksmappe"),
		jp("ca3ce092-0bfa-46bb-ad18-b00a340cdd8c", "an-existing-id", 2022, 1, "seed-journalpost"),
		jp(uuid.NewString(), "", 2022, 2, "ca3ce092-0bfa-46bb-ad18-b00a340cdd8c"))
	a.Seed(mappe(uuid.NewString(), "en-mappe-id", 2, "ca3ce092-0bfa-46bb-ad18-b00a340cdd8c"))
	a.Seed(mappe(uuid.NewString(), "", 3, "1-skjerming-som-med-ny-nøkkel"))
}

// brokenCases are the supported cases the notes call invalid, with the
// answer a faithful archive gives instead of KS' expectation:
// OppdaterMappeStatusN3's namespace has a space in it ("https://ks- no.github.io/...").
var brokenCases = map[string][]string{
	"OppdaterMappeStatusN3": {fiksarkiv.TypeUgyldigforespoersel},
}

// TestKSConformance runs KS' supported cases through the client to the
// fake archive.
func TestKSConformance(t *testing.T) {
	rec := &replies{m: map[uuid.UUID][]string{}}
	e := setupWith(t, options{delay: 10 * time.Millisecond, wrap: rec.wrap})
	seed(e.archive)
	passed, total := conform(t, e.client, rec, brokenCases)
	t.Logf("KS conformance against the fake: %d of %d supported cases pass; %d broken cases answered ugyldigforespoersel",
		passed, total, len(brokenCases))
	if passed+len(brokenCases) != total || total != 36 {
		t.Errorf("%d of %d pass", passed, total)
	}
}

// TestKSConformanceRemote runs the same cases against a real archive
// through KS' test environment, configured by environment variables only:
// GRUNNMUR_FIKSARKIV_KS_ARKIV (the archive's account), the fiksio variables
// under GRUNNMUR_FIKSARKIV_KS_FIKSIO_ (KONTO_ID, INTEGRASJON_ID,
// INTEGRASJON_PASSORD ...), the Maskinporten variables under
// GRUNNMUR_FIKSARKIV_KS_MASKINPORTEN_, and GRUNNMUR_FIKSARKIV_KS_KEY_FILE
// and _CERT_FILE (the account's PEM key and certificate, which decrypt and
// sign). The archive must hold the objects the cases name.
func TestKSConformanceRemote(t *testing.T) {
	arkiv, err := uuid.Parse(os.Getenv("GRUNNMUR_FIKSARKIV_KS_ARKIV"))
	if err != nil {
		t.Skip("GRUNNMUR_FIKSARKIV_KS_ARKIV is not set: no KS test environment configured")
	}
	cfg, err := fiksio.ConfigFromEnv("GRUNNMUR_FIKSARKIV_KS_FIKSIO_", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	mcfg, err := maskinporten.ConfigFromEnv("GRUNNMUR_FIKSARKIV_KS_MASKINPORTEN_", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	mcfg.Scopes = []string{fiksio.Scope}
	if cfg.Maskinporten, err = maskinporten.New(mcfg); err != nil {
		t.Fatal(err)
	}
	key, cert := pemPair(t, os.Getenv("GRUNNMUR_FIKSARKIV_KS_KEY_FILE"), os.Getenv("GRUNNMUR_FIKSARKIV_KS_CERT_FILE"))
	cfg.Keys, cfg.Signer = []crypto.Decrypter{key.(crypto.Decrypter)}, asice.Signer{Certificate: cert, Key: key}
	fc, err := fiksio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: fc, Arkiv: arkiv, System: "grunnmur conformance"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &replies{m: map[uuid.UUID][]string{}}
	run(t, func(ctx context.Context) error { return fc.Receive(ctx, rec.wrap(c.Handle)) })
	passed, total := conform(t, c, rec, nil)
	t.Logf("KS conformance against %s: %d of %d supported cases pass", arkiv, passed, total)
}

func pemPair(t *testing.T, keyFile, certFile string) (crypto.Signer, *x509.Certificate) {
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	kp, _ := pem.Decode(kb)
	cp, _ := pem.Decode(cb)
	if kp == nil || cp == nil {
		t.Fatal("the key or certificate file is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(kp.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(cp.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer), cert
}
