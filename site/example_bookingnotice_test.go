package site_test

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/site"
)

// A booking service sets ServiceConfig.BookingNotices (with Bookings):
//
//	site.New(ctx, site.ServiceConfig{..., Bookings: &booking.Service{}, BookingNotices: &site.BookingNotices{}})
//
// and its citizens are told of their bookings with the site's templates:
// here the reminder by SMS, in nynorsk, as it is queued a day before: in
// GSM-7 (a hyphen, not a dash), one segment.
func ExampleBookingTemplates() {
	ts, err := site.BookingTemplates()
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 3, 30, 18, 0, 0, 0, civil.Oslo)
	nn := i18n.NN
	r, err := ts.Render(site.BookingReminder+".sms", string(nn), map[string]string{"sted": "Storhallen",
		"tid": nn.Time(start), "slutt": nn.Clock(start.Add(time.Hour)), "tjeneste": "Leige av hall"})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Text)
	fmt.Println(r.Segments.Count, "segment(s)")
	// Output:
	// Leige av hall: Påminning: Storhallen, måndag 30. mars 2026 kl. 18.00-19.00. Kan du ikkje kome, avbestill på Mi side.
	// 1 segment(s)
}
