// Package testheap measures how much a piece of work grows the heap, for
// the tests that promise a payload streams instead of being held:
//
//	stop := testheap.Sample()
//	err := sendTwoHundredMegabytes()
//	if growth := stop(); growth >= 32<<20 { t.Fatalf(...) }
package testheap

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Sample samples HeapInuse every 2 ms from now until the returned stop is
// called, which returns the peak growth in bytes over the starting value.
func Sample() (stop func() int64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	})
	return func() int64 {
		close(done)
		wg.Wait()
		return int64(peak.Load()) - int64(base)
	}
}
