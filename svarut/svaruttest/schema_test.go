package svaruttest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// exchange is one recorded request and response.
type exchange struct {
	method, path string
	status       int
	reqJSON      []byte // the JSON request body, or the multipart "forsendelse" part
	respBody     []byte
}

// recorder is a RoundTripper that keeps each exchange, and adds a token.
type recorder struct {
	mu   sync.Mutex
	log  []exchange
	next http.RoundTripper
}

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var reqBody []byte
	if r.Body != nil {
		reqBody, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer schema-test")
	resp, err := rec.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	ex := exchange{method: r.Method, path: r.URL.Path, status: resp.StatusCode, respBody: respBody}
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(reqBody), params["boundary"])
		if p, err := mr.NextPart(); err == nil && p.FormName() == "forsendelse" {
			ex.reqJSON, _ = io.ReadAll(p)
		}
	} else if len(reqBody) > 0 {
		ex.reqJSON = reqBody
	}
	rec.mu.Lock()
	rec.log = append(rec.log, ex)
	rec.mu.Unlock()
	return resp, nil
}

// strict sets additionalProperties false on every object schema with
// properties, so a misspelt member fails too (the specs leave it open).
func strict(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"]; ok {
			if _, set := x["additionalProperties"]; !set {
				x["additionalProperties"] = false
			}
		}
		for _, c := range x {
			strict(c)
		}
	case []any:
		for _, c := range x {
			strict(c)
		}
	}
}

func compiler(t *testing.T) *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range []string{
		"v2-openapi/forsendelse-send-api-v2.json", "v2-openapi/forsendelse-status-api-v2.json",
		"v2-openapi/forsendelse-eksternref-api-v2.json", "v2-openapi/forsendelse-hendelser-api-v2.json",
		"v2-openapi/forsendelse-metadata-api-v2.json", "v2-openapi/forsendelse-typer-api-v2.json",
		"v2-openapi/mottakersystem-api-v2.json", "v2-openapi/forsendelse-lest-api-v2.json",
		"svarinn-v2/svarinn-api-v2.json",
	} {
		// The specs live with the svarut package (testdata/svarut/SOURCE.txt).
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "svarut", f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		strict(doc)
		if err := c.AddResource("https://spec.invalid/"+f, doc); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func schema(t *testing.T, c *jsonschema.Compiler, file, name string) *jsonschema.Schema {
	s, err := c.Compile("https://spec.invalid/" + file + "#/components/schemas/" + name)
	if err != nil {
		t.Fatalf("compile %s %s: %v", file, name, err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, data)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not follow the spec: %v\n%s", what, err, data)
	}
}

func selfSigned(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "mottakersystem"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

// TestSchemas drives every call through the client against the fake and
// checks each JSON body in both directions against the spec's schema, with
// unknown members forbidden.
func TestSchemas(t *testing.T) {
	c := compiler(t)
	cert, key := selfSigned(t)
	fake := svaruttest.New(svaruttest.Config{KontoID: konto, SvarInnCertificate: cert})
	ts := httptest.NewServer(fake)
	defer ts.Close()
	rec := &recorder{next: ts.Client().Transport}
	client, err := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, IntegrasjonID: integ, IntegrasjonPassord: secret.New("pw"),
		HTTPClient: &http.Client{Transport: rec}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	when := time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC)
	s := &svarut.Shipment{
		Title: "Vedtak",
		Recipient: svarut.Recipient{Person: ident.MustParseFodselsnummer("20036914700"),
			Address: svarut.Address{Name: "Kari", Line1: "Gate 1", PostalCode: "0155", PostTown: "Oslo"}},
		Documents: []svarut.Document{
			{Name: "a.pdf", MimeType: svarut.MimePDF, Sign: true, GiroPages: []int{1}, Extra: []svarut.KeyValue{{Key: "k", Value: "v"}}},
			{Name: "b.txt", MimeType: "text/plain", ExcludeFromPrint: true, Sensitive: true},
		},
		Links:       []svarut.Link{{URL: "https://k.no", Text: "Sak", Lead: "Se"}},
		Print:       svarut.PrintConfig{Color: true},
		ExternalRef: "ref-1", CorrelationID: "k-1", Type: "Vedtak", SendingSystem: "grunnmur", AccountingCode: "K-1",
		ReplyTo:         &svarut.Address{Name: "Kommunen", Line1: "Postboks 1", PostalCode: "0037", PostTown: "Oslo"},
		ArchiveMetadata: &svarut.ArchiveMetadata{Saksaar: 2026, Sakssekvensnummer: 1, Journaldato: &when, Extra: []svarut.KeyValue{{Key: "a", Value: "b"}}},
		ImportMetadata:  &svarut.ImportMetadata{Saksaar: 2026, DocumentDate: &when},
		ExposedTo:       []string{"974760673"},
	}
	src := svarut.SourceFunc(func(_ context.Context, d svarut.Document) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.7 " + d.Name)), nil
	})
	id, err := client.Send(ctx, s, src)
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(id)
	fake.AddReceivingSystem(svarut.ReceivingSystem{ID: "m", Name: "Sak", Orgnr: "974760673", ShipmentType: "Vedtak", Level: 3})
	mustOK := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = client.Statuses(ctx, id)
	mustOK(err)
	_, err = client.Events(ctx, id)
	mustOK(err)
	_, err = client.SigningEvents(ctx, id)
	mustOK(err)
	_, err = client.FindByExternalRef(ctx, "ref-1")
	mustOK(err)
	_, err = client.FindByExternalRefMetadata(ctx, "ref-1")
	mustOK(err)
	_, err = client.Metadata(ctx, id)
	mustOK(err)
	_, err = client.ShipmentTypes(ctx)
	mustOK(err)
	_, err = client.ReceivingSystems(ctx, "974760673", "Vedtak", 3)
	mustOK(err)
	mustOK(client.MarkRead(ctx, id, ident.MustParseFodselsnummer("20036914700"), when, "Min side"))
	_, _ = client.Events(ctx, "6f3c2a1e-8d4b-4c2f-9a7e-000000000000") // an error response

	inID, err := fake.AddIncoming(svaruttest.Incoming{Title: "Søknad", SenderOrgnr: "974760673", SenderName: "AS", Type: "Søknad",
		ExternalRef: "x", Files: []svaruttest.IncomingFile{{Name: "s.pdf", MimeType: svarut.MimePDF, Content: []byte("%PDF-")}}})
	mustOK(err)
	r := &svarut.Receiver{Client: client, Certificate: cert, Key: key, TempDir: t.TempDir(),
		Handler: func(context.Context, *svarut.Incoming, svarut.IncomingFile, io.Reader) error { return nil }}
	if err := r.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce = %v", err)
	}
	fake.AddIncoming(svaruttest.Incoming{Title: "Feil", Files: []svaruttest.IncomingFile{{Name: "s.pdf", MimeType: svarut.MimePDF, Content: []byte("x"), SHA256: strings.Repeat("1", 64)}}})
	_ = r.RunOnce(ctx)
	if st, _ := fake.IncomingState(inID); st.Status != "MOTTATT" {
		t.Fatalf("incoming: %+v", st)
	}

	const (
		send, status, ref, hend, meta = "v2-openapi/forsendelse-send-api-v2.json", "v2-openapi/forsendelse-status-api-v2.json",
			"v2-openapi/forsendelse-eksternref-api-v2.json", "v2-openapi/forsendelse-hendelser-api-v2.json",
			"v2-openapi/forsendelse-metadata-api-v2.json"
		typer, mottak, lest, inn = "v2-openapi/forsendelse-typer-api-v2.json", "v2-openapi/mottakersystem-api-v2.json",
			"v2-openapi/forsendelse-lest-api-v2.json", "svarinn-v2/svarinn-api-v2.json"
	)
	// The checker itself catches what it should.
	for _, bad := range []string{
		`{"statuser":[{"id":"d6b23522-ddf3-462a-8140-16e59e1f476d","sisteStatusEndring":"2023-01-01T11:33:55Z","status":"NOPE"}]}`,
		`{"statuser":[{"id":"d6b23522-ddf3-462a-8140-16e59e1f476d","sisteStatusEndring":"2023-01-01T11:33:55Z","status":"LEST","extra":1}]}`,
		`{"statuser":[{"id":"not-a-uuid","sisteStatusEndring":"2023-01-01T11:33:55Z","status":"LEST"}]}`,
		`{}`,
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if schema(t, c, status, "ForsendelseStatuser").Validate(v) == nil {
			t.Fatalf("the schema check accepted %s", bad)
		}
	}
	checked := map[string]bool{}
	for _, ex := range rec.log {
		p := ex.path
		var req, resp *jsonschema.Schema
		var key string
		switch {
		case ex.status >= 400:
			key, resp = "error", schema(t, c, send, "ErrorMessage")
		case ex.method == "POST" && strings.HasSuffix(p, "/status-sok"):
			key, req, resp = "status-sok", schema(t, c, status, "StatusSok"), schema(t, c, status, "ForsendelseStatuser")
		case ex.method == "POST" && strings.HasSuffix(p, "/forsendelser"):
			key, req, resp = "send", schema(t, c, send, "Forsendelse"), schema(t, c, send, "SendForsendelseResponse")
		case ex.method == "GET" && strings.HasSuffix(p, "/forsendelser/metadata"):
			key, resp = "eksternref-metadata", schema(t, c, ref, "EksternRefOppslagMetadataResponse")
		case ex.method == "GET" && strings.HasPrefix(p, "/api/v2/kontoer/") && strings.HasSuffix(p, "/forsendelser"):
			key, resp = "eksternref", schema(t, c, ref, "EksternRefOppslagResponse")
		case strings.HasSuffix(p, "/signeringshendelser"):
			key, resp = "signeringshendelser", schema(t, c, hend, "Signeringshendelser")
		case strings.HasSuffix(p, "/hendelser"):
			key, resp = "hendelser", schema(t, c, hend, "Hendelser")
		case strings.HasSuffix(p, "/metadata"):
			key, resp = "metadata", schema(t, c, meta, "ForsendelseMetadata")
		case strings.HasSuffix(p, "/forsendelsestyper"):
			key, resp = "typer", schema(t, c, typer, "Forsendelsestyper")
		case strings.HasSuffix(p, "/mottakersystem"):
			key, resp = "mottakersystem", schema(t, c, mottak, "Mottakersystemer")
		case strings.HasSuffix(p, "/lest"):
			key, req = "lest", schema(t, c, lest, "LestAv")
		case ex.method == "GET" && p == "/tjenester/svarinn/v2/forsendelser":
			key = "svarinn-list"
			var list []json.RawMessage
			if err := json.Unmarshal(ex.respBody, &list); err != nil {
				t.Fatal(err)
			}
			for _, item := range list {
				validate(t, schema(t, c, inn, "Forsendelse"), "svarinn Forsendelse", item)
			}
		case ex.method == "PATCH":
			key, req = "svarinn-status", schema(t, c, inn, "Statusoppdatering")
		case ex.method == "GET" && strings.HasPrefix(p, "/tjenester/svarinn/v2/forsendelser/"):
			key = "svarinn-download" // a binary body
		default:
			t.Errorf("no schema for %s %s", ex.method, p)
			continue
		}
		checked[key] = true
		if req != nil {
			validate(t, req, key+" request", ex.reqJSON)
		}
		if resp != nil {
			validate(t, resp, key+" response", ex.respBody)
		}
	}
	for _, k := range []string{"error", "status-sok", "send", "eksternref-metadata", "eksternref", "signeringshendelser",
		"hendelser", "metadata", "typer", "mottakersystem", "lest", "svarinn-list", "svarinn-status", "svarinn-download"} {
		if !checked[k] {
			t.Errorf("%s was never exercised", k)
		}
	}
}
