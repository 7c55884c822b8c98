package events_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/secret"
)

// FuzzParse: Parse never panics, refuses with ErrInvalid, and what it
// accepts survives a round trip through MarshalJSON unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(vecBody))
	f.Add([]byte(`{"specversion":"1.0","id":"x","source":"/grunnmur/a","type":"no.grunnmur.a.b.c.v1","subject":"s","time":"2026-10-25T02:30:00+02:00","datacontenttype":"application/json","data":{"a":[1,{"b":null}]},"ext":1}`))
	f.Add([]byte(`{"specversion":"1.0","data":"\u0000"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := events.Parse(b)
		if err != nil {
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("Parse error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("an accepted event does not marshal: %v", err)
		}
		back, err := events.Parse(out)
		if err != nil {
			t.Fatalf("the marshalled event %s does not parse: %v", out, err)
		}
		if back.ID != e.ID || back.Type != e.Type || back.Subject != e.Subject || back.Source != e.Source ||
			!back.Time.Equal(e.Time) || string(back.Data) != string(e.Data) {
			t.Fatalf("round trip changed %+v into %+v", e, back)
		}
	})
}

// FuzzWebhookVerify: Verify never panics on any header values and body, and
// a body signed by SignWebhook always verifies.
func FuzzWebhookVerify(f *testing.F) {
	f.Add(vecID, vecTS, vecSig, []byte(vecBody))
	f.Add("", "-1", "v1,", []byte{})
	f.Add("x", "99999999999999999999", "v1,AAAA v2,BBBB", []byte("{}"))
	now := func() time.Time { return time.Unix(1774742400, 0) }
	v := events.WebhookVerifier{Secrets: []secret.Value{secret.New(vecSecret)}, Now: now}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set("Webhook-Id", id)
		h.Set("Webhook-Timestamp", ts)
		h.Set("Webhook-Signature", sig)
		_ = v.Verify(h, body)
		if id == "" {
			return
		}
		signed := events.SignWebhook(secret.New(vecSecret), id, now(), body)
		if err := v.Verify(signed, body); err != nil {
			t.Fatalf("a signed delivery does not verify: %v", err)
		}
	})
}

// FuzzMarshalJSON: Event's own encoder writes what encoding/json writes for
// the same fields.
func FuzzMarshalJSON(f *testing.F) {
	f.Add("id", "case-1", "/grunnmur/sak", "no.grunnmur.sak.case.decided.v1", int64(0), `{"a":1}`)
	f.Add("<&>\u2028\u2029\x00\xff\"\\", "æøå 👍\t\n", "", "x", int64(-62135596800), ` { } `)
	f.Fuzz(func(t *testing.T, id, subject, source, typ string, unix int64, data string) {
		if !json.Valid([]byte(data)) {
			return
		}
		at := time.Unix(unix%(1<<40), unix%1e9).UTC()
		e := events.Event{ID: id, Subject: subject, Source: source, Type: typ, Time: at, DataContentType: "application/json", Data: json.RawMessage(data)}
		got, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(struct {
			SpecVersion     string          `json:"specversion"`
			ID              string          `json:"id"`
			Source          string          `json:"source"`
			Type            string          `json:"type"`
			Subject         string          `json:"subject"`
			Time            string          `json:"time"`
			DataContentType string          `json:"datacontenttype"`
			Data            json.RawMessage `json:"data"`
		}{"1.0", id, source, typ, subject, at.Format(time.RFC3339Nano), "application/json", json.RawMessage(data)})
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
			t.Fatalf("not JSON: %s", got)
		}
		if gs, ws := fmt.Sprint(g), fmt.Sprint(w); gs != ws {
			t.Fatalf("MarshalJSON = %s\nencoding/json = %s", got, want)
		}
	})
}
