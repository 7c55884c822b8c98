package defaults

import (
	"bytes"
	"log/slog"
	"testing"
	"time"
)

func TestNow(t *testing.T) {
	at := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)
	if got := Now(func() time.Time { return at }); !got.Equal(at) {
		t.Fatalf("Now(clock) = %v", got)
	}
	before := time.Now()
	if got := Now(nil); got.Before(before) || got.After(time.Now()) {
		t.Fatalf("Now(nil) = %v, not the system clock", got)
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	if Logger(l) != l {
		t.Fatal("a given logger is not used")
	}
	Logger(nil).Error("dropped")
	if Logger(nil).Enabled(t.Context(), slog.LevelError) {
		t.Fatal("the default logger does not discard")
	}
}
