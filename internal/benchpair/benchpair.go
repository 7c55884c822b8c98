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

// blockTime is about how long a block of calls of one side runs between
// two clock readings: long enough that reading the clock costs next to
// nothing, short enough that few blocks share a slice of the CPU with
// another process.
const blockTime = 20 * time.Microsecond

// Run calls ours and base alternately, a block of calls of each per
// benchmark iteration, and reports the median time of ours' blocks over
// base's as "ours/base", and each side's median time per call as "ns/ours"
// and "ns/base".
func Run(b *testing.B, ours, base func()) {
	b.Helper()
	t0 := time.Now() // untimed: b.Loop starts the clock afresh
	ours()
	base()
	p := pair{block: blockSize(time.Since(t0))}
	for b.Loop() {
		p.step(ours, base)
	}
	b.ReportMetric(p.ratio(), "ours/base")
	b.ReportMetric(p.perCall(median(p.ours)), "ns/ours")
	b.ReportMetric(p.perCall(median(p.base)), "ns/base")
}

// blockSize is how many calls of each side make a block, given how long
// one call of both took.
func blockSize(both time.Duration) int {
	return int(min(max(blockTime/max(both, 1), 1), 64))
}

// pair keeps the time each block of each side took.
type pair struct {
	block      int // calls per block
	ours, base []time.Duration
}

// step runs one block of each side, ours first.
func (p *pair) step(ours, base func()) {
	t0 := time.Now()
	for range p.block {
		ours()
	}
	t1 := time.Now()
	for range p.block {
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

func (p *pair) perCall(block time.Duration) float64 {
	return float64(block.Nanoseconds()) / float64(max(p.block, 1))
}
