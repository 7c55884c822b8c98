package testheap_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/internal/testheap"
)

var sink []byte

func TestSampleSeesAnAllocation(t *testing.T) {
	stop := testheap.Sample()
	sink = make([]byte, 64<<20)
	for i := range sink {
		sink[i] = byte(i)
	}
	growth := stop()
	sink = nil
	if growth < 32<<20 {
		t.Fatalf("growth %d after holding 64 MiB", growth)
	}
}

func TestSampleFlatWork(t *testing.T) {
	stop := testheap.Sample()
	buf := make([]byte, 4096)
	for i := range 1000 {
		buf[i%len(buf)]++
	}
	if growth := stop(); growth >= 32<<20 {
		t.Fatalf("growth %d for 4 KiB", growth)
	}
}
