package site

import (
	"fmt"
	"testing"
	"time"
)

// TestLimiter: each key has its own burst and rate; a spent key waits
// while another goes on; idle keys are forgotten, so the map stays small
// however many keys pass, and forgetting changes no answer.
func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	l := &Limiter{Every: 6 * time.Second, Burst: 3, Now: func() time.Time { return now }}
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("a fourth request at once was allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another key was refused after the first spent its burst")
	}
	now = now.Add(5 * time.Second)
	if l.Allow("a") {
		t.Fatal("allowed before a token came back")
	}
	now = now.Add(time.Second)
	if !l.Allow("a") || l.Allow("a") {
		t.Fatal("one token should come back after Every")
	}
	for i := range 1000 {
		now = now.Add(100 * time.Millisecond)
		l.Allow(fmt.Sprint("k", i))
	}
	// 18 s to refill: the keys of the last 18 s (180) and no more.
	if n := l.Len(); n > 2*180 {
		t.Fatalf("%d buckets kept, want those of the last refill time only", n)
	}
	if (&Limiter{}).Allow("x") != true {
		t.Fatal("the zero Limiter refuses")
	}
}
