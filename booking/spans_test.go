package booking_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/grunnmur/grunnmur/booking"
)

func TestParseSpans(t *testing.T) {
	got, err := booking.ParseSpans(" 08:00-12:00, 16:00 - 22:00 ,")
	if err != nil || len(got) != 2 || got[0].From != booking.At(8, 0) || got[1].To != booking.At(22, 0) {
		t.Fatalf("%v %v", got, err)
	}
	if got, err := booking.ParseSpans(" , "); err != nil || len(got) != 0 {
		t.Errorf("closed: %v %v", got, err)
	}
	for _, bad := range []string{"8-12", "12:00-08:00", "25:00-26:00", "10:00-10:00", "x", "08:00-", "08:00-12:00-13:00"} {
		if _, err := booking.ParseSpans(bad); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestFormatSpansRoundTrip(t *testing.T) {
	for _, s := range []string{"", "08:00-12:00", "08:00-12:00, 16:00-24:00"} {
		spans, err := booking.ParseSpans(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := booking.FormatSpans(spans); got != s {
			t.Errorf("%q -> %q", s, got)
		}
	}
}

// FuzzParseSpans: what an admin types never panics, and what is accepted
// is a list of valid, non-empty spans within the day that formats back to
// the same spans.
func FuzzParseSpans(f *testing.F) {
	f.Add("16:00-22:00")
	f.Add("08:00-12:00,13:00-24:00")
	f.Add("99:99-00:00,,")
	f.Fuzz(func(t *testing.T, s string) {
		spans, err := booking.ParseSpans(s)
		if err != nil {
			return
		}
		for _, sp := range spans {
			if sp.From >= sp.To || sp.To > booking.At(24, 0) {
				t.Fatalf("%q gives %v", s, sp)
			}
		}
		again, err := booking.ParseSpans(booking.FormatSpans(spans))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(spans) {
			t.Fatalf("%q: round trip %v %v", s, again, err)
		}
	})
}

func ExampleParseSpans() {
	spans, err := booking.ParseSpans("08:00-12:00, 16:00 - 22:00")
	fmt.Println(len(spans), err)
	fmt.Println(booking.FormatSpans(spans))
	_, err = booking.ParseSpans("22:00-16:00")
	fmt.Println(err != nil)
	// Output:
	// 2 <nil>
	// 08:00-12:00, 16:00-22:00
	// true
}
