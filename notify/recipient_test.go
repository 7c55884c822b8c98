package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

type bearer struct{}

func (bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test")
	return http.DefaultTransport.RoundTrip(r)
}

func person(t *testing.T, n int) ident.Fodselsnummer {
	f, err := ident.Synthetic(civil.NewDate(1990, time.January, 1), n)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestKRRRules runs Notify against the fake KRR through the real krr client.
func TestKRRRules(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, civil.Oslo)
	fresh, old := now.AddDate(0, -3, 0), now.AddDate(-2, 0, 0)
	fake := registrytest.NewKRR(registrytest.KRRConfig{})
	people := map[string]ident.Fodselsnummer{}
	for i, tc := range []struct {
		name string
		rec  registrytest.KRRRecord
	}{
		{"ok", registrytest.KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Email: "kari@example.no", Mobile: "+4791234567", Language: "nn", Updated: fresh}},
		{"reserved", registrytest.KRRRecord{Status: "AKTIV", Reserved: true, Varslingsstatus: "KAN_VARSLES", Email: "ola@example.no", Mobile: "41234567", Updated: fresh}},
		{"deleted", registrytest.KRRRecord{Status: "SLETTET"}},
		{"unknown", registrytest.KRRRecord{Status: "IKKE_REGISTRERT"}},
		{"krr-stale", registrytest.KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_IKKE_VARSLES", Email: "emil@example.no", Updated: fresh}},
		{"old", registrytest.KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Email: "aud@example.no", Updated: old}},
		{"email-only", registrytest.KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Email: "maja@example.no", Updated: fresh}},
		{"bad-mobile", registrytest.KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Mobile: "22 22 22 22", Updated: fresh}},
	} {
		people[tc.name] = person(t, i+1)
		fake.Set(people[tc.name], tc.rec)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	kc, err := krr.New(krr.Config{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: bearer{}}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := notify.NewTemplates(receipt(), reminder())
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	email := notifytest.EmailFunc(func(_ context.Context, m *notify.OutgoingEmail) (notify.Receipt, error) {
		sent = append(sent, m.To.Reveal()+" "+m.Subject)
		return notify.Receipt{Status: notify.Delivered}, nil
	})
	sms := notifytest.SMSFunc(func(_ context.Context, m *notify.OutgoingSMS) (notify.Receipt, error) {
		sent = append(sent, m.To.Reveal()+" "+m.Text)
		return notify.Receipt{Status: notify.Delivered}, nil
	})
	var logs bytes.Buffer
	s, err := notify.New(notify.Config{Email: email, SMS: sms, Templates: ts, Contacts: kc, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]string{"navn": "Kari", "sak": "2026/1", "tid": "18.00"}
	key := 0
	notice := func(who, tpl string, f func(*notify.Notice)) notify.Notice {
		key++
		n := notify.Notice{Key: "k" + string(rune('a'+key)), Template: tpl, Values: vals, Person: people[who]}
		if f != nil {
			f(&n)
		}
		return n
	}
	for _, tc := range []struct {
		name    string
		n       notify.Notice
		refused notify.Refusal
		err     error
		sent    string
	}{
		{"email in KRR's language", notice("ok", "kvittering", nil), "", nil, "kari@example.no Vi har motteke søknaden 2026/1"},
		{"sms in the window", notice("ok", "paaminnelse", nil), "", nil, "+4791234567 Påminning: du har booka salen i morgon kl. 18.00."},
		// Local's values are in the language KRR gives, over Values, which
		// stay as they were (the cases below use them).
		{"local values", notice("ok", "paaminnelse", func(n *notify.Notice) {
			n.Local = func(lang string) map[string]string { return map[string]string{"tid": "18.00 (" + lang + ")"} }
		}), "", nil, "+4791234567 Påminning: du har booka salen i morgon kl. 18.00 (nn)."},
		{"language chosen", notice("ok", "kvittering", func(n *notify.Notice) { n.Lang = "en" }), "", nil, "kari@example.no We have received application 2026/1"},
		{"reserved", notice("reserved", "kvittering", nil), notify.Reserved, nil, ""},
		{"reserved, own address", notice("reserved", "kvittering", func(n *notify.Notice) { n.To = notify.NewAddress("ola@privat.no") }), notify.Reserved, nil, ""},
		{"reserved, legal basis", notice("reserved", "paaminnelse", func(n *notify.Notice) { n.LegalBasis = "forvaltningsloven § 16" }), "", nil, "+4741234567 Påminnelse: du har booket salen i morgen kl. 18.00."},
		{"deleted", notice("deleted", "kvittering", nil), notify.NotActive, nil, ""},
		{"unknown", notice("unknown", "kvittering", nil), notify.NotActive, nil, ""},
		{"KRR says stale", notice("krr-stale", "kvittering", nil), notify.Stale, nil, ""},
		{"KRR says stale, opted in", notice("krr-stale", "kvittering", func(n *notify.Notice) { n.UseStale = true }), "", nil, "emil@example.no Vi har mottatt søknaden 2026/1"},
		{"two years old", notice("old", "kvittering", nil), notify.Stale, nil, ""},
		{"two years old, opted in", notice("old", "kvittering", func(n *notify.Notice) { n.UseStale = true }), "", nil, "aud@example.no Vi har mottatt søknaden 2026/1"},
		{"no mobile", notice("email-only", "paaminnelse", nil), notify.NoContact, nil, ""},
		{"fixed line in KRR", notice("bad-mobile", "paaminnelse", nil), "", notify.ErrInvalidPhone, ""},
		{"own address", notice("", "paaminnelse", func(n *notify.Notice) { n.To = notify.NewAddress("0047 987 65 432") }), "", nil, "+4798765432 Påminnelse: du har booket salen i morgen kl. 18.00."},
		{"own bad address", notice("", "paaminnelse", func(n *notify.Notice) { n.To = notify.NewAddress("12345") }), "", notify.ErrInvalidPhone, ""},
		{"nobody", notice("", "paaminnelse", nil), "", notify.ErrInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent = nil
			res, err := s.Notify(ctx, tc.n)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if res.Refused != tc.refused {
				t.Fatalf("refused %q, want %q", res.Refused, tc.refused)
			}
			if tc.sent == "" {
				if len(sent) != 0 || res.Record != nil {
					t.Fatalf("sent %v", sent)
				}
				return
			}
			if len(sent) != 1 || sent[0] != tc.sent {
				t.Fatalf("sent %q, want %q", sent, tc.sent)
			}
		})
	}
	log := logs.String()
	if !strings.Contains(log, `"legal_basis":"forvaltningsloven § 16"`) || strings.Count(log, "reservation set aside") != 1 {
		t.Fatalf("the exception is not logged once: %s", log)
	}
	for _, p := range people {
		if strings.Contains(log, p.Reveal()) || strings.Contains(log, p.String()) {
			t.Fatalf("the log names the person: %s", log)
		}
	}
	if strings.Contains(log, "41234567") {
		t.Fatal("the log holds the number")
	}
}
