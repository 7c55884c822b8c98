package fiksiotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/secret"
)

// The send endpoint refuses what Fiks IO refuses, with the status a
// client branches on.
func TestSendRefusals(t *testing.T) {
	t.Parallel()
	mp := idportentest.New(idportentest.Config{})
	mpSrv := httptest.NewServer(mp)
	defer mpSrv.Close()
	mp.SetBaseURL(mpSrv.URL)
	ctx := context.Background()
	fk := fiksiotest.New(fiksiotest.Config{BrokerURL: testenv.AMQPURL(t), Maskinporten: mp})
	if err := fk.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer fk.Close()
	api := httptest.NewServer(fk)
	defer api.Close()
	integ := uuid.New()
	a, err := fk.AddAccount(ctx, fiksiotest.Account{IntegrasjonID: integ, IntegrasjonPassord: secret.New("pw")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := fk.AddAccount(ctx, fiksiotest.Account{IntegrasjonID: uuid.New(), IntegrasjonPassord: secret.New("pw2")})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := mp.MaskinportenSource("c", "974760673", nil, fiksio.Scope)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	post := func(md any, bearer, pw string) int {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="metadata"`)
		w, _ := mw.CreatePart(h)
		_ = json.NewEncoder(w).Encode(md)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, api.URL+"/fiks-io/api/v1/send", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+bearer)
		req.Header.Set(fiksio.HeaderIntegrasjonID, integ.String())
		req.Header.Set(fiksio.HeaderIntegrasjonPassord, pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := func() map[string]any {
		return map[string]any{"avsenderKontoId": a.KontoID, "mottakerKontoId": other.KontoID, "meldingType": "no.ks.fiks.test", "svarPaMelding": nil, "headere": map[string]string{}}
	}
	bearer := tok.AccessToken.Reveal()
	with := func(k string, v any) map[string]any { m := good(); m[k] = v; return m }
	for _, c := range []struct {
		name   string
		md     any
		bearer string
		pw     string
		want   int
	}{
		{"good", good(), bearer, "pw", http.StatusAccepted},
		{"bad token", good(), "x", "pw", http.StatusUnauthorized},
		{"bad password", good(), bearer, "nope", http.StatusUnauthorized},
		{"not our account", with("avsenderKontoId", other.KontoID), bearer, "pw", http.StatusForbidden},
		{"unknown receiver", with("mottakerKontoId", uuid.New()), bearer, "pw", http.StatusNotFound},
		{"ttl under a second", with("ttl", 999), bearer, "pw", http.StatusBadRequest},
		{"unknown field", with("prioritet", 1), bearer, "pw", http.StatusBadRequest},
		{"prefixed header", with("headere", map[string]string{"egendefinert-header.x": "y"}), bearer, "pw", http.StatusBadRequest},
		{"bad type", with("meldingType", "a b"), bearer, "pw", http.StatusBadRequest},
	} {
		if got := post(c.md, c.bearer, c.pw); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
}
