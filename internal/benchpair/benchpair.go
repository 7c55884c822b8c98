// Package benchpair measures a function against its baseline in one
// benchmark, the two alternating in every iteration. On a machine shared with
// other work a slow spell then slows both alike, and one run gives their
// ratio, reported as the metric "ours/base" (lower is better) next to each side's
// ns per call.
//
//	func BenchmarkVerifyPair(b *testing.B) {
//		benchpair.Run(b, func() { v.Verify(...) }, func() { hmac.New(...) ... })
//	}
//
// Compare runs with -count 5 and take the median of ours/base.
package benchpair

import (
	"testing"
	"time"
)

// Block is how many calls of one side run between two clock readings, so
// that reading the clock costs next to nothing even for sub-microsecond work.
const Block = 8

// Run calls ours and base Block times each per benchmark iteration,
// alternately, and reports ours' time over base's as "ours/base", and each side's
// time per call as "ns/ours" and "ns/base".
func Run(b *testing.B, ours, base func()) {
	b.Helper()
	var p pair
	for b.Loop() {
		p.step(ours, base)
	}
	b.ReportMetric(p.ratio(), "ours/base")
	b.ReportMetric(p.perCall(p.ours), "ns/ours")
	b.ReportMetric(p.perCall(p.base), "ns/base")
}

// pair adds up the time each side took.
type pair struct {
	ours, base time.Duration
	calls      int // per side
}

// step runs one block of each side, ours first.
func (p *pair) step(ours, base func()) {
	t0 := time.Now()
	for range Block {
		ours()
	}
	t1 := time.Now()
	for range Block {
		base()
	}
	t2 := time.Now()
	p.ours += t1.Sub(t0)
	p.base += t2.Sub(t1)
	p.calls += Block
}

func (p *pair) ratio() float64 {
	if p.base <= 0 {
		return 0
	}
	return float64(p.ours) / float64(p.base)
}

func (p *pair) perCall(d time.Duration) float64 {
	if p.calls == 0 {
		return 0
	}
	return float64(d.Nanoseconds()) / float64(p.calls)
}
