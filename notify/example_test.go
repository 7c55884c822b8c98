package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/secret"
)

func Example() {
	templates, err := notify.ParseTemplates([]byte(`[{
		"name": "kvittering", "channel": "email", "placeholders": ["navn", "sak"],
		"texts": {
			"nb": {"subject": "Vi har mottatt søknaden ((sak))", "body": "Hei ((navn))!\n\nVi har mottatt søknaden din."},
			"nn": {"subject": "Vi har motteke søknaden ((sak))", "body": "Hei ((navn))!\n\nVi har motteke søknaden din."},
			"en": {"subject": "We have received application ((sak))", "body": "Hello ((navn))!\n\nWe have received your application."}
		}}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	email := notifytest.EmailFunc(func(_ context.Context, m *notify.OutgoingEmail) (notify.Receipt, error) {
		fmt.Printf("to %v: %s\n", m.To, m.Subject)
		return notify.Receipt{Status: notify.Delivered}, nil
	})
	s, err := notify.New(notify.Config{Email: email, Templates: templates})
	if err != nil {
		fmt.Println(err)
		return
	}
	n := notify.Notice{Key: "sak-2026-17/kvittering", Template: "kvittering", Lang: "nn",
		Values: map[string]string{"navn": "Åse", "sak": "2026/17"}, To: notify.NewAddress("aase@example.no")}
	for range 2 { // the second Notify with the key sends nothing
		res, err := s.Notify(context.Background(), n)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.Record.Status)
	}
	// Output:
	// to a***@example.no: Vi har motteke søknaden 2026/17
	// delivered
	// delivered
}

func ExampleCountSegments() {
	for _, s := range []string{"Blåbærsyltetøy", "Gebyr: 500 €", "Takk 👍"} {
		seg := notify.CountSegments(s)
		fmt.Printf("%s: %s, %d units, %d segment(s)\n", s, seg.Encoding, seg.Units, seg.Count)
	}
	// Output:
	// Blåbærsyltetøy: GSM-7, 14 units, 1 segment(s)
	// Gebyr: 500 €: GSM-7, 13 units, 1 segment(s)
	// Takk 👍: UCS-2, 7 units, 1 segment(s)
}

func ExampleParsePhone() {
	for _, s := range []string{"912 34 567", "0047 41234567", "22 22 22 22"} {
		a, err := notify.ParsePhone(s)
		fmt.Println(a.Reveal(), err)
	}
	// Output:
	// +4791234567 <nil>
	// +4741234567 <nil>
	//  notify: invalid phone number: not a mobile number
}

func ExampleWindow() {
	var w notify.Window // 09:00–17:00 in Oslo
	night := time.Date(2026, 3, 28, 22, 0, 0, 0, civil.Oslo)
	fmt.Println(w.Next(night)) // the night summer time begins
	// Output:
	// 2026-03-29 09:00:00 +0200 CEST
}

// A vendor's SMS gateway in the gateway shape: the whole server side, in
// front of whatever the vendor sends with (here it prints). Replays of an
// Idempotency-Key answer 200 and send nothing.
func ExampleGateway() {
	var mu sync.Mutex
	sent := map[string]string{}
	vendor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/messages" || r.Header.Get("Authorization") != "Bearer vendor-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		var m notify.GatewayRequest
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.To == "" || m.Text == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		id, seen := sent[m.IdempotencyKey]
		status := http.StatusOK
		if !seen {
			id, status = fmt.Sprint("msg-", len(sent)+1), http.StatusCreated
			sent[m.IdempotencyKey] = id
			fmt.Printf("vendor sends %q from %s\n", m.Text, m.Sender) // the vendor's own API call goes here
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(notify.GatewayResponse{ID: id, Status: "accepted"})
	})
	srv := httptest.NewServer(vendor)
	defer srv.Close()

	g, err := notify.NewGateway(notify.GatewayConfig{BaseURL: srv.URL, Token: secret.New("vendor-token"), Sender: "Kommunen"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		r, err := g.SendSMS(context.Background(), &notify.OutgoingSMS{Key: "booking-7/reminder", To: notify.NewAddress("+4791234567"), Text: "Påminnelse: i morgen kl. 18"})
		fmt.Println(r.ProviderID, r.Status, err)
	}
	// Output:
	// vendor sends "Påminnelse: i morgen kl. 18" from Kommunen
	// msg-1 sending <nil>
	// msg-1 sending <nil>
}
