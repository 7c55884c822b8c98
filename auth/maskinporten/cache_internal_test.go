package maskinporten

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
)

// Tokens asked for on behalf of many persons (pid) must not pile up: an
// expired one leaves the cache when the next token is stored.
func TestCacheDropsExpiredTokens(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","expires_in":120,"scope":"nav:test"}`))
	}))
	defer srv.Close()
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts, err := New(Config{Issuer: srv.URL, ClientID: "c", Key: key, KeyID: "k", HTTPClient: srv.Client(),
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	birth := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		pid, err := ident.Synthetic(civil.DateOf(birth), i)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ts.TokenFor(ctx, Request{Scopes: []string{"nav:test"}, PID: pid}); err != nil {
			t.Fatal(err)
		}
	}
	ts.mu.Lock()
	n := len(ts.cache)
	ts.mu.Unlock()
	if n != 5 {
		t.Fatalf("%d cached tokens, want 5", n)
	}
	mu.Lock()
	now = now.Add(3 * time.Minute) // all five have expired
	mu.Unlock()
	if _, err := ts.Token(ctx); err == nil {
		t.Fatal("no scopes configured, yet a token")
	}
	if _, err := ts.TokenFor(ctx, Request{Scopes: []string{"nav:test"}}); err != nil {
		t.Fatal(err)
	}
	ts.mu.Lock()
	n = len(ts.cache)
	ts.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d cached tokens after expiry, want 1", n)
	}
}

// RefreshBefore is capped at half the token's life: a server that hands out
// 20-second tokens must not make every call fetch a new one under the default
// 30-second margin.
func TestShortTokensAreReused(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	grants := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		grants++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","expires_in":20,"scope":"nav:test"}`))
	}))
	defer srv.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts, err := New(Config{Issuer: srv.URL, ClientID: "c", Key: key, KeyID: "k", HTTPClient: srv.Client(), Scopes: []string{"nav:test"},
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return grants }
	for range 3 {
		if _, err := ts.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("%d grants for three calls within a 20 s token's first half, want 1", n)
	}
	mu.Lock()
	now = now.Add(11 * time.Second) // past half its life
	mu.Unlock()
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d grants after half the token's life, want 2", n)
	}
}
