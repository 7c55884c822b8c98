package testenv

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// SampleHeap samples HeapInuse every 2 ms from now until the returned stop
// is called, which returns the peak growth over the starting value: the
// check behind every "streams, never holds it in memory" test.
func SampleHeap() (stop func() int64) {
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
