package benchpair

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestPair: with a fake clock, a side that takes three times as long as the
// other gives a ratio of exactly 3, and each side's time per call.
func TestPair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p pair
		for range 5 {
			p.step(func() { time.Sleep(3 * time.Millisecond) }, func() { time.Sleep(time.Millisecond) })
		}
		if p.calls != 5*Block {
			t.Fatalf("calls %d, want %d", p.calls, 5*Block)
		}
		if r := p.ratio(); r != 3 {
			t.Fatalf("ratio %v, want 3", r)
		}
		if got := p.perCall(p.base); got != 1e6 {
			t.Fatalf("base %v ns per call, want 1e6", got)
		}
	})
}

// TestPairEmpty: no run gives zeros, not a division by zero.
func TestPairEmpty(t *testing.T) {
	var p pair
	if p.ratio() != 0 || p.perCall(p.ours) != 0 {
		t.Fatalf("empty pair: %v %v", p.ratio(), p.perCall(p.ours))
	}
}

