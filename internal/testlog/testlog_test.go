package testlog_test

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/grunnmur/grunnmur/internal/testlog"
)

// TestConcurrent: writers on many goroutines and a reader at the same time
// (run with -race), and nothing lost.
func TestConcurrent(t *testing.T) {
	var logs testlog.Logs
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				log.Info("line", "writer", i, "n", j)
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			_ = logs.String()
		}
	})
	wg.Wait()
	if n := strings.Count(logs.String(), "msg=line"); n != 400 {
		t.Fatalf("%d lines, want 400", n)
	}
	logs.Reset()
	if logs.String() != "" {
		t.Fatal("Reset left something")
	}
}

func Example() {
	var logs testlog.Logs
	slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})).Info("booking: held", "reservation", "r-1")
	fmt.Print(logs.String())
	// Output: level=INFO msg="booking: held" reservation=r-1
}
