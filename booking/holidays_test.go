package booking_test

import (
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
)

func TestClosedOnHolidays(t *testing.T) {
	r := &booking.Resource{ID: "hall", Hours: booking.EveryDay(booking.Span{From: booking.At(8, 0), To: booking.At(10, 0)}), ClosedOnHolidays: true,
		Exceptions: []booking.Exception{{Date: civil.NewDate(2027, 5, 16), Hours: []booking.Span{{From: booking.At(12, 0), To: booking.At(13, 0)}}}}}
	oslo := civil.Oslo
	day := func(m time.Month, d int) []booking.Slot {
		s, err := r.Slots(time.Date(2027, m, d, 0, 0, 0, 0, oslo), time.Date(2027, m, d+1, 0, 0, 0, 0, oslo))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if n := len(day(5, 17)); n != 0 {
		t.Errorf("17 May 2027 (Grunnlovsdag and 2. pinsedag): %d slots, want closed", n)
	}
	if n := len(day(5, 18)); n != 2 {
		t.Errorf("18 May 2027: %d slots, want 2", n)
	}
	if s := day(5, 16); len(s) != 1 || s[0].Start.In(oslo).Hour() != 12 {
		t.Errorf("an exception opens a holiday: %+v", s)
	}
	r.ClosedOnHolidays = false
	if n := len(day(5, 17)); n != 2 {
		t.Errorf("open on holidays: %d slots, want 2", n)
	}
}
