package svarut_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

const benchSize = 8 << 20

func benchEnv(b *testing.B) *env {
	b.Helper()
	fake := svaruttest.New(svaruttest.Config{KontoID: testKonto, IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New(testPassword), KeepFiles: -1})
	ts := httptest.NewServer(fake)
	b.Cleanup(ts.Close)
	c, err := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: testKonto, IntegrasjonID: testIntegID,
		IntegrasjonPassord: secret.New(testPassword), HTTPClient: &http.Client{Transport: bearer{ts.Client().Transport}}})
	if err != nil {
		b.Fatal(err)
	}
	return &env{fake: fake, client: c, url: ts.URL}
}

// BenchmarkSend streams an 8 MB document through the client to the fake.
func BenchmarkSend(b *testing.B) {
	e := benchEnv(b)
	s := letter("bench")
	s.Documents = []svarut.Document{{Name: "stor.pdf", MimeType: svarut.MimePDF, Size: benchSize}}
	src := svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) { return &pdfLike{n: benchSize}, nil })
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.Send(context.Background(), s, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendBuffered is the baseline: the same request built whole in
// memory first, as a client that does not stream does.
func BenchmarkSendBuffered(b *testing.B) {
	e := benchEnv(b)
	s := letter("bench")
	s.Documents = []svarut.Document{{Name: "stor.pdf", MimeType: svarut.MimePDF}}
	meta, _ := svarut.MarshalShipment(s)
	hc := &http.Client{Transport: bearer{}}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormField("forsendelse")
		w.Write(meta)
		fw, _ := mw.CreateFormFile("filer_0", "stor.pdf")
		doc, _ := io.ReadAll(&pdfLike{n: benchSize})
		fw.Write(doc)
		mw.Close()
		req, _ := http.NewRequest("POST", e.url+"/api/v2/kontoer/"+testKonto+"/forsendelser", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(svarut.HeaderIntegrasjonID, testIntegID)
		req.Header.Set(svarut.HeaderIntegrasjonPassord, testPassword)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != 200 || out.ID == "" {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkValidate checks a two-document letter.
func BenchmarkValidate(b *testing.B) {
	s := letter("v")
	b.ReportAllocs()
	for b.Loop() {
		if err := svarut.Validate(s); err != nil {
			b.Fatal(err)
		}
	}
}
