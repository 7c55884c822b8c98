package svarut_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// handlerTransport serves requests with a handler in memory, so that a test
// runs inside a synctest bubble without a network.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test")
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if r.Body != nil {
		r.Body.Close()
	}
	return rec.Result(), nil
}

// TestOutboxRunAutoAdvance runs the outbox loop against the fake, whose
// statuses move on by themselves over (fake) time: the letter goes from
// enqueued to LEST and is reported once, with no test sleeping for real.
func TestOutboxRunAutoAdvance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := svaruttest.New(svaruttest.Config{KontoID: testKonto, AutoAdvance: 3 * time.Minute})
		client, err := svarut.New(svarut.Config{BaseURL: "http://svarut.test", KontoID: testKonto, IntegrasjonID: testIntegID,
			IntegrasjonPassord: secret.New("p"), HTTPClient: &http.Client{Transport: handlerTransport{fake}}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var reported []svarut.Status
		ob := &svarut.Outbox{Client: client, Store: svarut.NewMemoryStore(), Documents: docs, PollInterval: time.Minute,
			OnFinal: func(_ context.Context, e *svarut.Entry) error {
				mu.Lock()
				defer mu.Unlock()
				reported = append(reported, e.Status)
				return nil
			}}
		e, err := ob.Enqueue(context.Background(), "", letter("run-1"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- ob.Run(ctx, 30*time.Second) }()

		synctest.Wait()
		got, _ := ob.Store.Get(context.Background(), e.ID)
		if got.State != svarut.EntrySent {
			t.Fatalf("after the first pass: %s", got.State)
		}
		time.Sleep(4 * time.Minute) // MOTTATT -> AKSEPTERT at 3 min
		synctest.Wait()
		got, _ = ob.Store.Get(context.Background(), e.ID)
		if got.Status != svarut.StatusAkseptert {
			t.Fatalf("after 4 minutes: %s", got.Status)
		}
		time.Sleep(10 * time.Minute) // VARSLET at 6, LEST at 9
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run after ctx ended = %v, want nil", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(reported) != 1 || reported[0] != svarut.StatusLest {
			t.Fatalf("reported %v, want one LEST", reported)
		}
	})
}

// TestReceiverRun runs the SvarInn receiver's loop against the fake: a
// shipment offered before the loop starts is received at once, one offered
// later at the next pass, and Run returns nil when ctx ends.
func TestReceiverRun(t *testing.T) {
	k := loadKeys(t)
	synctest.Test(t, func(t *testing.T) {
		fake := svaruttest.New(svaruttest.Config{SvarInnCertificate: k.cert})
		client, err := svarut.New(svarut.Config{BaseURL: "http://svarut.test", IntegrasjonID: testIntegID,
			IntegrasjonPassord: secret.New("p"), HTTPClient: &http.Client{Transport: handlerTransport{fake}}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		got := &received{files: map[string]string{}}
		r := &svarut.Receiver{Client: client, Certificate: k.cert, Key: k.key, TempDir: t.TempDir(), Handler: got.handler(nil)}
		add := func(name string) string {
			id, err := fake.AddIncoming(svaruttest.Incoming{Title: name,
				Files: []svaruttest.IncomingFile{{Name: name, MimeType: "application/pdf", Content: pdf(100)}}})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		first := add("a.pdf")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- r.Run(ctx, time.Minute) }()
		synctest.Wait()
		if st, _ := fake.IncomingState(first); st.Status != "MOTTATT" {
			t.Fatalf("first pass: %+v", st)
		}
		second := add("b.pdf")
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if st, _ := fake.IncomingState(second); st.Status != "" {
			t.Fatalf("received before the next pass: %+v", st)
		}
		time.Sleep(31 * time.Second)
		synctest.Wait()
		if st, _ := fake.IncomingState(second); st.Status != "MOTTATT" {
			t.Fatalf("second pass: %+v", st)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run after ctx ended = %v, want nil", err)
		}
		if len(got.files) != 2 {
			t.Fatalf("handler saw %v", got.files)
		}
	})
}
