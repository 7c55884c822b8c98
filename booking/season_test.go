package booking_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
)

func TestSeasonEnd(t *testing.T) {
	spring, autumn := booking.YearDay{Month: time.June, Day: 15}, booking.YearDay{Month: time.December, Day: 15}
	for _, c := range []struct{ start, want string }{
		{"2027-01-11T17:00:00+01:00", "2027-06-15T23:59:00+02:00"},
		{"2026-09-01T17:00:00+02:00", "2026-12-15T23:59:00+01:00"},
		{"2026-12-20T17:00:00+01:00", "2027-06-15T23:59:00+02:00"},
		{"2027-06-20T17:00:00+02:00", "2027-12-15T23:59:00+01:00"},
		{"2027-06-15T17:00:00+02:00", "2027-06-15T23:59:00+02:00"},
		{"2027-06-15T22:30:00Z", "2027-12-15T23:59:00+01:00"}, // already 16 June in Oslo
	} {
		s, _ := time.Parse(time.RFC3339, c.start)
		if got := booking.SeasonEnd(s, civil.Oslo, autumn, spring).Format(time.RFC3339); got != c.want {
			t.Errorf("SeasonEnd(%s) = %s, want %s", c.start, got, c.want)
		}
	}
	s := time.Date(2026, 3, 1, 12, 0, 0, 0, civil.Oslo)
	if got := booking.SeasonEnd(s, civil.Oslo); !got.IsZero() {
		t.Errorf("no seasons: %s", got)
	}
	// The season that ends on the DST day ends at 23:59 local time all the same.
	if got := booking.SeasonEnd(s, civil.Oslo, booking.YearDay{Month: time.March, Day: 29}); got.Format(time.RFC3339) != "2026-03-29T23:59:00+02:00" {
		t.Errorf("DST day: %s", got)
	}
}

// A club holds a hall every Monday to the end of the autumn season.
func ExampleSeasonEnd() {
	start := time.Date(2026, 9, 7, 18, 0, 0, 0, civil.Oslo)
	until := booking.SeasonEnd(start, civil.Oslo, booking.YearDay{Month: time.June, Day: 15}, booking.YearDay{Month: time.December, Day: 15})
	rule := booking.Recurrence{Freq: booking.Weekly, Until: until.UTC()}
	weeks, _ := rule.Occurrences(start, civil.Oslo, time.Time{})
	fmt.Println(until, len(weeks), weeks[len(weeks)-1].In(civil.Oslo))
	// Output:
	// 2026-12-15 23:59:00 +0100 CET 15 2026-12-14 18:00:00 +0100 CET
}
