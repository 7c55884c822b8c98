package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/site"
)

// The calendar page must serve at least 0.8× the start page's requests/s
// (issue 22). These two give the ratio and the allocations per request of
// the handlers alone; bench/calendar.sh measures the running service with
// wrk.
//
//	go test -run '^$' -bench 'Page$' -benchmem -count 6 ./examples/hallbooking

func benchPage(b *testing.B, path string) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) // Monday 10.00 in Oslo
	a, err := New(context.Background(), site.Config{PublicURL: "http://127.0.0.1:1", Getenv: func(string) string { return "" }, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	h, req := a.Handler(), httptest.NewRequest("GET", path, nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
}

func BenchmarkStartPage(b *testing.B) { benchPage(b, "/") }

func BenchmarkCalendarPage(b *testing.B) { benchPage(b, "/hall/storhallen") }
