// Package benchpair measures a function against its baseline in one
// benchmark, the two alternating in every iteration, so that one run gives
// their ratio, reported as the metric "ours/base" (lower is better) next to
// each side's ns per call. The figures are medians over blocks of calls: on a
// machine shared with other work, a block that another process interrupted
// is an outlier on either side, and the median leaves it out.
//
//	func BenchmarkVerifyPair(b *testing.B) {
//		benchpair.Run(b, func() { v.Verify(...) }, func() { hmac.New(...) ... })
//	}
//
// Compare runs with -count 5 and take the median of ours/base.
package benchpair

import (
	"slices"
	"testing"
	"time"
)

// Block is how many calls of one side run between two clock readings, so
// that reading the clock costs next to nothing even for sub-microsecond work.
const Block = 8

// Run calls ours and base Block times each per benchmark iteration,
// alternately, and reports the median time of ours' blocks over base's as
// "ours/base", and each side's median time per call as "ns/ours" and
// "ns/base".
func Run(b *testing.B, ours, base func()) {
	b.Helper()
	var p pair
	for b.Loop() {
		p.step(ours, base)
	}
	b.ReportMetric(p.ratio(), "ours/base")
	b.ReportMetric(perCall(median(p.ours)), "ns/ours")
	b.ReportMetric(perCall(median(p.base)), "ns/base")
}

// pair keeps the time each block of each side took.
type pair struct {
	ours, base []time.Duration
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
	p.ours = append(p.ours, t1.Sub(t0))
	p.base = append(p.base, t2.Sub(t1))
}

func (p *pair) ratio() float64 {
	if b := median(p.base); b > 0 {
		return float64(median(p.ours)) / float64(b)
	}
	return 0
}

// median sorts ds and returns its median; 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	if n := len(ds); n%2 == 0 {
		return (ds[n/2-1] + ds[n/2]) / 2
	}
	return ds[len(ds)/2]
}

func perCall(block time.Duration) float64 { return float64(block.Nanoseconds()) / Block }
