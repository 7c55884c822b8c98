package benchpair

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestPair: with a fake clock, a side that takes three times as long as the
// other gives a ratio of exactly 3, whatever one slow block of either side
// took.
func TestPair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pair{block: 8}
		for i := range 5 {
			slow := time.Duration(1)
			if i == 2 {
				slow = 100 // another process took the machine
			}
			p.step(func() { time.Sleep(3 * time.Millisecond) }, func() { time.Sleep(slow * time.Millisecond) })
		}
		if len(p.ours) != 5 || len(p.base) != 5 {
			t.Fatalf("blocks %d and %d, want 5", len(p.ours), len(p.base))
		}
		if r := p.ratio(); r != 3 {
			t.Fatalf("ratio %v, want 3", r)
		}
		if got := p.perCall(median(p.base)); got != 1e6 {
			t.Fatalf("base %v ns per call, want 1e6", got)
		}
	})
}

// TestMedian of an even number of blocks is the mean of the middle two.
func TestMedian(t *testing.T) {
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Fatalf("median %v, want 2", got)
	}
}

// TestBlockSize: blocks of about 20 µs, of one call at least and 64 at most.
func TestBlockSize(t *testing.T) {
	for both, want := range map[time.Duration]int{0: 64, time.Microsecond: 20, 3 * time.Microsecond: 6, time.Millisecond: 1} {
		if got := blockSize(both); got != want {
			t.Errorf("blockSize(%v) = %d, want %d", both, got, want)
		}
	}
}

// TestPairEmpty: no run gives zeros, not a division by zero.
func TestPairEmpty(t *testing.T) {
	var p pair
	if p.ratio() != 0 || median(p.ours) != 0 {
		t.Fatalf("empty pair: %v %v", p.ratio(), median(p.ours))
	}
}
