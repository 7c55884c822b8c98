package svarut_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

const (
	testKonto    = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	testIntegID  = "0b7f7c1e-1111-4222-8333-944455556666"
	testPassword = "hemmelig-passord-123"
	testFnr      = "20036914700"
)

// bearer adds a Maskinporten-style token, as the caller's transport does.
type bearer struct{ next http.RoundTripper }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test-token")
	next := b.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

type env struct {
	fake   *svaruttest.Server
	client *svarut.Client
	url    string
}

func setup(t *testing.T, fcfg svaruttest.Config, mod ...func(*svarut.Config)) *env {
	t.Helper()
	fcfg.KontoID = testKonto
	fcfg.IntegrasjonID = testIntegID
	fcfg.IntegrasjonPassord = secret.New(testPassword)
	fake := svaruttest.New(fcfg)
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	cfg := svarut.Config{
		BaseURL: ts.URL, KontoID: testKonto, IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New(testPassword),
		HTTPClient: &http.Client{Transport: bearer{ts.Client().Transport}},
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := svarut.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, client: c, url: ts.URL}
}

func pdf(n int) []byte {
	b := bytes.Repeat([]byte("x"), n)
	copy(b, "%PDF-1.7\n")
	return b
}

// memSource serves documents from memory by Ref.
type memSource map[string][]byte

func (m memSource) Open(_ context.Context, d svarut.Document) (io.ReadCloser, error) {
	b, ok := m[d.Ref]
	if !ok {
		return nil, fmt.Errorf("no document %q", d.Ref)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func letter(ref string) *svarut.Shipment {
	return &svarut.Shipment{
		Title: "Vedtak om skjenkebevilling",
		Recipient: svarut.Recipient{
			Person:  ident.MustParseFodselsnummer(testFnr),
			Address: svarut.Address{Name: "Kari Nordmann", Line1: "Storgata 1", PostalCode: "0155", PostTown: "Oslo"},
		},
		Documents: []svarut.Document{
			{Name: "vedtak.pdf", MimeType: "application/pdf", Ref: "vedtak"},
			{Name: "vedlegg.pdf", MimeType: "application/pdf", Ref: "vedlegg"},
		},
		ExternalRef:     ref,
		ArchiveMetadata: &svarut.ArchiveMetadata{Saksaar: 2026, Sakssekvensnummer: 42, Journalpostnummer: 3, Title: "Vedtak"},
		Print:           svarut.PrintConfig{TwoSided: true},
	}
}

var docs = memSource{"vedtak": pdf(5000), "vedlegg": pdf(300)}

func TestSendStatusRead(t *testing.T) {
	e := setup(t, svaruttest.Config{})
	ctx := context.Background()
	id, err := e.client.Send(ctx, letter("sak-2026-42-1"), docs)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := e.fake.Shipment(id)
	if !ok {
		t.Fatal("fake has no shipment", id)
	}
	if len(got.Files) != 2 || got.Files[0].Name != "vedtak.pdf" || !bytes.Equal(got.Files[0].Content, docs["vedtak"]) ||
		got.Files[1].Size != 300 {
		t.Fatalf("files at the fake: %+v", got.Files)
	}
	if got.Shipment.Recipient.Person.Reveal() != testFnr || got.Shipment.ArchiveMetadata.Sakssekvensnummer != 42 {
		t.Fatalf("metadata at the fake: %+v", got.Shipment)
	}

	st, err := e.client.Status(ctx, id)
	if err != nil || st.Status != svarut.StatusMottatt {
		t.Fatalf("status = %v, %v", st, err)
	}
	for _, want := range []svarut.Status{svarut.StatusAkseptert, svarut.StatusVarslet} {
		if _, err := e.fake.Advance(id); err != nil {
			t.Fatal(err)
		}
		st, err := e.client.Status(ctx, id)
		if err != nil || st.Status != want {
			t.Fatalf("status = %v, %v; want %s", st.Status, err, want)
		}
	}
	at := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	if err := e.client.MarkRead(ctx, id, ident.MustParseFodselsnummer(testFnr), at, "Min side"); err != nil {
		t.Fatal(err)
	}
	st, err = e.client.Status(ctx, id)
	if err != nil || st.Status != svarut.StatusLest || !st.Status.Delivered() || !st.Status.Final() {
		t.Fatalf("after MarkRead: %v, %v", st, err)
	}
	if v, _ := e.fake.Shipment(id); v.ReadBy != testFnr {
		t.Fatalf("ReadBy = %q", v.ReadBy)
	}
	events, err := e.client.Events(ctx, id)
	if err != nil || len(events) != 4 {
		t.Fatalf("events = %v, %v", events, err)
	}
	ids, err := e.client.FindByExternalRef(ctx, "sak-2026-42-1")
	if err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("FindByExternalRef = %v, %v", ids, err)
	}
	refs, err := e.client.FindByExternalRefMetadata(ctx, "sak-2026-42-1")
	if err != nil || len(refs) != 1 || refs[0].ID != id || refs[0].Date.IsZero() {
		t.Fatalf("FindByExternalRefMetadata = %v, %v", refs, err)
	}
	none, err := e.client.FindByExternalRef(ctx, "no-such-ref")
	if err != nil || len(none) != 0 {
		t.Fatalf("FindByExternalRef(unknown) = %v, %v", none, err)
	}
	meta, err := e.client.Metadata(ctx, id)
	if err != nil || len(meta) != 2 || meta[1].Size != 300 || len(meta[0].SHA256) != 64 {
		t.Fatalf("Metadata = %+v, %v", meta, err)
	}
	if err := e.client.DeleteFiles(ctx, id, svarut.DeleteAll); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.fake.Shipment(id); v.Deleted != "ALLE" {
		t.Fatalf("Deleted = %q", v.Deleted)
	}
}

func TestRoutes(t *testing.T) {
	e := setup(t, svaruttest.Config{})
	ctx := context.Background()
	// Print: no digital id.
	s := letter("print-1")
	s.Recipient.Person = ident.Fodselsnummer{}
	id, err := e.client.Send(ctx, s, docs)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.fake.Complete(id); st != svarut.StatusPrintet {
		t.Fatalf("print route ends %s", st)
	}
	// Digital only, unreachable: IKKE_LEVERT.
	e.fake.Unreachable(testFnr)
	s = letter("digital-1")
	s.DigitalOnly = true
	id, err = e.client.Send(ctx, s, docs)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.fake.Complete(id); st != svarut.StatusIkkeLevert || !st.Failed() {
		t.Fatalf("digital-only unreachable ends %s", st)
	}
	// Not a PDF although printable (mime says pdf): AVVIST.
	id, err = e.client.Send(ctx, letter("bad-pdf"), memSource{"vedtak": []byte("not a pdf"), "vedlegg": pdf(10)})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.fake.Complete(id); st != svarut.StatusAvvist {
		t.Fatalf("bad pdf ends %s", st)
	}
}

func TestAuthAndErrors(t *testing.T) {
	e := setup(t, svaruttest.Config{}, func(c *svarut.Config) { c.IntegrasjonPassord = secret.New("wrong") })
	_, err := e.client.Send(context.Background(), letter("x"), docs)
	var se *svarut.Error
	if !errors.As(err, &se) || se.Status != 401 || !errors.Is(err, svarut.ErrUnauthorized) ||
		se.RequestID == "" || se.Temporary() {
		t.Fatalf("err = %v", err)
	}
	for _, v := range []string{fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(v, "wrong") || strings.Contains(v, testPassword) {
			t.Fatalf("error leaks the password: %s", v)
		}
	}

	e = setup(t, svaruttest.Config{})
	_, err = e.client.Status(context.Background(), "6f3c2a1e-8d4b-4c2f-9a7e-000000000000")
	if !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("unknown status: %v", err)
	}
	_, err = e.client.Events(context.Background(), "6f3c2a1e-8d4b-4c2f-9a7e-000000000000")
	if !errors.As(err, &se) || se.Status != 404 || se.Code != "FORSENDELSE_IKKE_FUNNET" || !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("unknown events: %v", err)
	}
}

func TestFakeRejectsLikeSvarUT(t *testing.T) {
	e := setup(t, svaruttest.Config{})
	ctx := context.Background()
	// The fake checks the file parts against the metadata: a declared size
	// that does not match makes the client stop mid-stream.
	s := letter("size")
	s.Documents[0].Size = 1
	if _, err := e.client.Send(ctx, s, docs); !errors.Is(err, svarut.ErrInvalid) {
		t.Fatalf("size mismatch: %v", err)
	}
	if n := len(e.fake.Shipments()); n != 0 {
		t.Fatalf("fake stored %d shipments from a broken send", n)
	}
	// A raw multipart request with a wrong filename is refused with 400.
	body := "--b\r\nContent-Disposition: form-data; name=\"forsendelse\"\r\nContent-Type: application/json\r\n\r\n" +
		`{"tittel":"t","mottaker":{"navn":"n","postnummer":"0155","poststed":"Oslo"},"dokumenter":[{"filnavn":"a.pdf","mimeType":"application/pdf"}]}` +
		"\r\n--b\r\nContent-Disposition: form-data; name=\"filer_0\"; filename=\"b.pdf\"\r\n\r\n%PDF-x\r\n--b--\r\n"
	req, _ := http.NewRequest("POST", e.url+"/api/v2/kontoer/"+testKonto+"/forsendelser", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.Header.Set(svarut.HeaderIntegrasjonID, testIntegID)
	req.Header.Set(svarut.HeaderIntegrasjonPassord, testPassword)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(raw), `"errorCode":"UGYLDIG_FORSENDELSE"`) || !strings.Contains(string(raw), "b.pdf") {
		t.Fatalf("wrong filename: %d %s", resp.StatusCode, raw)
	}
}

func TestLookups(t *testing.T) {
	e := setup(t, svaruttest.Config{ShipmentTypes: []string{"Vedtak", "Faktura"}})
	ctx := context.Background()
	types, err := e.client.ShipmentTypes(ctx)
	if err != nil || len(types) != 2 {
		t.Fatalf("types = %v, %v", types, err)
	}
	e.fake.AddReceivingSystem(svarut.ReceivingSystem{ID: "ms-1", Name: "Sak", Orgnr: "974760673", ShipmentType: "Vedtak", Level: 3})
	e.fake.AddReceivingSystem(svarut.ReceivingSystem{ID: "ms-2", Name: "Annet", Orgnr: "974760673", ShipmentType: "Faktura", Level: 3})
	rs, err := e.client.ReceivingSystems(ctx, "974760673", "Vedtak", 3)
	if err != nil || len(rs) != 1 || rs[0].ID != "ms-1" {
		t.Fatalf("ReceivingSystems = %v, %v", rs, err)
	}
	id, err := e.client.Send(ctx, letter("sign"), docs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.SigningEvents(ctx, id); err != nil {
		t.Fatal(err)
	}
}
