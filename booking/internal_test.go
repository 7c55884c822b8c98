package booking

import (
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// TestWallClockAcrossDST: a wall clock the spring change skips does not
// exist; one the autumn change repeats is the first, earlier instant.
func TestWallClockAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    civil.Date
		c    Clock
		ok   bool
		want string // UTC
	}{
		{"spring 01:30", civil.NewDate(2026, 3, 29), At(1, 30), true, "2026-03-29T00:30:00Z"},
		{"spring 02:30", civil.NewDate(2026, 3, 29), At(2, 30), false, ""},
		{"spring 03:00", civil.NewDate(2026, 3, 29), At(3, 0), true, "2026-03-29T01:00:00Z"},
		{"autumn 02:30, first", civil.NewDate(2026, 10, 25), At(2, 30), true, "2026-10-25T00:30:00Z"},
		{"autumn 03:00", civil.NewDate(2026, 10, 25), At(3, 0), true, "2026-10-25T02:00:00Z"},
		{"end of day", civil.NewDate(2026, 10, 25), At(24, 0), true, "2026-10-25T23:00:00Z"},
	} {
		got, ok := wallClock(tc.d, tc.c, civil.Oslo)
		if ok != tc.ok || ok && got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("%s: %s %v, want %s %v", tc.name, got.UTC().Format(time.RFC3339), ok, tc.want, tc.ok)
		}
	}
}

func TestEscapeText(t *testing.T) {
	for in, want := range map[string]string{
		`a,b;c\d`:   `a\,b\;c\\d`,
		"line\r\n2": `line\n2`,
		"bell\a":    "bell",
		"Ærlig":     "Ærlig",
	} {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}
