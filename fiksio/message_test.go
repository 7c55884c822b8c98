package fiksio_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
)

const (
	idA = "0b7ba4a4-6a4b-4d50-8a31-5d1e0c0f0a01"
	idB = "5f2a0c5e-1111-4c0b-9d2e-7e3f4a5b6c7d"
	idM = "c7d4f2a1-2222-4e3a-8b1c-0a9b8c7d6e5f"
)

func goodHeaders() map[string]any {
	return map[string]any{
		"melding-id": idM, "type": "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett", "avsender-id": idA,
		"egendefinert-header.klientMeldingId": "km", "x-delivery-count": int64(2),
	}
}

func TestParseHeaders(t *testing.T) {
	m, err := fiksio.ParseHeaders("fiksio.konto."+idB, goodHeaders(), "60000")
	if err != nil {
		t.Fatal(err)
	}
	if m.MeldingID.String() != idM || m.AvsenderKontoID.String() != idA || m.MottakerKontoID.String() != idB ||
		m.TTL != time.Minute || m.KlientMeldingID() != "km" || m.SvarPaMelding != uuid.Nil {
		t.Errorf("%+v", m)
	}
	for _, c := range []struct {
		name   string
		key    string
		mod    func(h map[string]any)
		exp    string
		header string
	}{
		{"no melding-id", "", func(h map[string]any) { delete(h, "melding-id") }, "", "melding-id"},
		{"no type", "", func(h map[string]any) { delete(h, "type") }, "", "type"},
		{"no avsender", "", func(h map[string]any) { delete(h, "avsender-id") }, "", "avsender-id"},
		{"melding-id not a uuid", "", func(h map[string]any) { h["melding-id"] = "12345678901" }, "", "melding-id"},
		{"melding-id not a string", "", func(h map[string]any) { h["melding-id"] = int32(1) }, "", "melding-id"},
		{"svar-til braces", "", func(h map[string]any) { h["svar-til"] = "{" + idA + "}" }, "", "svar-til"},
		{"type with spaces", "", func(h map[string]any) { h["type"] = "a b" }, "", "type"},
		{"custom not a string", "", func(h map[string]any) { h["egendefinert-header.x"] = true }, "", "egendefinert-header.x"},
		{"custom without a name", "", func(h map[string]any) { h["egendefinert-header."] = "v" }, "", "egendefinert-header."},
		{"routing key", "amq.gen-1", nil, "", "routing key"},
		{"routing key account", "fiksio.konto.nope", nil, "", "routing key"},
		{"expiration", "", nil, "soon", "expiration"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := goodHeaders()
			if c.mod != nil {
				c.mod(h)
			}
			key := c.key
			if key == "" {
				key = "fiksio.konto." + idB
			}
			_, err := fiksio.ParseHeaders(key, h, c.exp)
			var he *fiksio.HeaderError
			if !errors.As(err, &he) || he.Header != c.header || !errors.Is(err, fiksio.ErrHeader) {
				t.Errorf("err = %v, want a HeaderError on %s", err, c.header)
			}
		})
	}
}

// A header's value never appears in the error: it may hold anything.
func TestHeaderErrorHidesValues(t *testing.T) {
	h := goodHeaders()
	h["melding-id"] = "01019012345 secret"
	_, err := fiksio.ParseHeaders("fiksio.konto."+idB, h, "")
	if err == nil || strings.Contains(fmt.Sprintf("%v %+v", err, err), "01019012345") {
		t.Errorf("err = %v", err)
	}
}

func FuzzParseHeaders(f *testing.F) {
	f.Add("fiksio.konto."+idB, idM, "no.ks.fiks.test", idA, "", "", "k", "v", "1000")
	f.Add("fiksio.konto."+idB, idM, "no.ks.fiks.kvittering.tidsavbrudd", idA, idM, "no.ks.fiks.test", "klientKorrelasjonsId", "🐟\u202e", "")
	f.Add("fiksio.konto.", "", "", "", "", "", "", "", "-1")
	f.Add("x", "\xff", "\x00", "{"+idA+"}", "urn:uuid:"+idA, "\n", "\xff", "\x00", "99999999999999999999")
	f.Fuzz(func(t *testing.T, key, meldingID, typ, avsender, svarTil, svarTilType, custom, value, exp string) {
		h := map[string]any{"melding-id": meldingID, "type": typ, "avsender-id": avsender,
			"egendefinert-header." + custom: value}
		if svarTil != "" {
			h["svar-til"] = svarTil
		}
		if svarTilType != "" {
			h["svar-til-type"] = []byte(svarTilType)
		}
		m, err := fiksio.ParseHeaders(key, h, exp)
		if err != nil {
			if !errors.Is(err, fiksio.ErrHeader) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if m.MeldingID == uuid.Nil || m.AvsenderKontoID == uuid.Nil || m.MottakerKontoID == uuid.Nil || m.Type == "" || m.TTL < 0 {
			t.Fatalf("accepted %+v", m)
		}
		if m.Headers[custom] != value {
			t.Fatalf("custom header %q lost", custom)
		}
	})
}
