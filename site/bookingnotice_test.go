package site_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/testclock"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// serveBookings serves a service with Bookings and BookingNotices (in
// PostgreSQL with databaseURL) on a clock that starts at the pinned instant
// and moves on by the real time elapsed plus what the test adds to skip. A
// citizen's GET /hold?at=RFC3339[&weeks=N] holds the hall at that time (N
// weeks from it) and answers the reservations' ids.
func serveBookings(t *testing.T, databaseURL string) (*site.Service, string, *atomic.Int64) {
	t.Helper()
	var skip atomic.Int64
	advancing := testclock.At(t, "2026-03-27T23:30:00+01:00")
	c := site.ServiceConfig{Messages: texts, Pages: pages, Bookings: &booking.Service{}, BookingNotices: &site.BookingNotices{}}
	var svc *site.Service
	base := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		c.PublicURL, c.Getenv, c.Sandbox = public, func(k string) string {
			if k == "GRUNNMUR_DATABASE_URL" {
				return databaseURL
			}
			return ""
		}, devenv.Sandbox
		c.Now = func() time.Time { return advancing().Add(time.Duration(skip.Load())) }
		var err error
		if svc, err = site.New(context.Background(), c); err != nil {
			return nil, nil, err
		}
		return svc.Handler(), svc.Close, nil
	})
	every := booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(22, 0)})
	every[time.Saturday], every[time.Sunday] = every[time.Monday], every[time.Monday]
	// A hall name an admin typed: long, with an emoji, so an SMS is UCS-2.
	if err := svc.Bookings.PutResource(context.Background(), &booking.Resource{ID: "hall", Capacity: 1, Slot: time.Hour, Hours: every,
		Name: "Idrettshallen på Nordbyen skole 🏐 (hall A, inngang fra parkeringsplassen bak skolen)"}); err != nil {
		t.Fatal(err)
	}
	svc.Mux.Handle("GET /hold", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		owner, err := svc.Owner(r)
		at, err2 := time.Parse(time.RFC3339, r.URL.Query().Get("at"))
		if err = errors.Join(err, err2); err != nil {
			svc.Fail(w, r, err)
			return
		}
		in := booking.HoldInput{ResourceID: "hall", Owner: owner, Start: at}
		var rs []*booking.Reservation
		if n := r.URL.Query().Get("weeks"); n != "" {
			rs, err = svc.Bookings.HoldSeries(r.Context(), booking.SeriesInput{HoldInput: in, Rule: booking.Recurrence{Freq: booking.Weekly, Count: int(n[0] - '0')}})
		} else {
			var res *booking.Reservation
			res, err = svc.Bookings.Hold(r.Context(), in)
			rs = append(rs, res)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, res := range rs {
			fmt.Fprintln(w, res.ID)
		}
	}))
	return svc, base, &skip
}

// hold logs pid in and holds at (weeks occurrences when > 0); it returns
// the holds, by start.
func hold(t *testing.T, svc *site.Service, base, pid, at string, weeks int) []*booking.Reservation {
	t.Helper()
	u := base + "/hold?at=" + url.QueryEscape(at)
	if weeks > 0 {
		u += fmt.Sprintf("&weeks=%d", weeks)
	}
	res, page := sitetest.NewBrowser(t).Login(u, pid)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("hold: %d %s", res.StatusCode, page)
	}
	var rs []*booking.Reservation
	for id := range strings.FieldsSeq(page) {
		r, err := svc.Bookings.Reservation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

// delivered is what the fake Altinn Notifications delivered, as
// "key channel to" lines.
func deliveredNotices(svc *site.Service) []string {
	fake := svc.Fakes.Sandbox.(*devenv.Env).Notifications
	fake.Process(context.Background())
	var got []string
	for _, d := range fake.Delivered() {
		got = append(got, d.SendersReference+" "+d.Channel+" "+d.To)
	}
	return got
}

// TestBookingNotices: a citizen who holds a booking is told of its
// confirmation once, even when a webhook confirms it with nobody logged in
// and others confirm it at the same time,
// gets a reminder queued 24 hours before it begins (across the DST change)
// with its condition, and is told when a hall admin cancels it; a series
// gets one confirmation, a reminder per week and one notice for the weeks
// cancelled together, by SMS once the citizen chose it. When the time
// comes, only the reminder of a booking still confirmed and not yet begun
// goes. A reserved
// person and a hold without a logged-in citizen get nothing.
func TestBookingNotices(t *testing.T)         { testBookingNotices(t, "") }
func TestBookingNoticesPostgres(t *testing.T) { testBookingNotices(t, postgrestest.URL(t)) }

func testBookingNotices(t *testing.T, databaseURL string) {
	ctx := context.Background() // no citizen: as a webhook or an admin
	svc, base, skip := serveBookings(t, databaseURL)
	sigridPID := registrytest.Persons()[registrytest.SigridHaugland].FNR
	monday := testclock.Oslo(t, "2026-03-30T18:00:00+02:00") // CEST, the day after the change

	// The webhook, the payer's return and the reconciliation job confirm it
	// at once: one confirmation.
	one := hold(t, svc, base, sigrid, monday.Format(time.RFC3339), 0)[0]
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := svc.Bookings.Confirm(ctx, one.ID, "webhook"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := []string{"booking/" + one.ID + "/confirmed email sigrid.haugland@example.no"}
	if got := deliveredNotices(svc); !slices.Equal(got, want) {
		t.Fatalf("after the confirmation: %q, want %q", got, want)
	}
	reminder, err := svc.Notify.Get(ctx, fmt.Sprintf("booking/%s/reminder/%d", one.ID, monday.Unix()))
	if err != nil || reminder.Status != notify.Queued || reminder.Condition != site.BookingReminderCondition ||
		!reminder.NotBefore.Equal(monday.Add(-24*time.Hour)) || !strings.Contains(reminder.Text, "mandag 30. mars 2026 kl. 18.00–19.00") {
		t.Fatalf("the reminder: %+v %v", reminder, err)
	}

	owner, _ := svc.OwnerKeys.Key(forms.Owner{Person: sigridPID})
	if err := svc.Channels.SetChannel(ctx, owner, notify.SMS); err != nil {
		t.Fatal(err)
	}
	series := hold(t, svc, base, sigrid, monday.Add(2*time.Hour).Format(time.RFC3339), 3)
	if _, err := svc.Bookings.ConfirmSeries(ctx, series, "invoice"); err != nil {
		t.Fatal(err)
	}
	conf, err := svc.Notify.Get(ctx, "booking/series/"+series[0].SeriesID+"/confirmed")
	if err != nil || conf.Template != "booking.series.confirmed.sms" || !strings.Contains(conf.Text, "3 ganger") || !strings.Contains(conf.Text, "🏐") {
		t.Fatalf("the series' confirmation: %+v %v", conf, err)
	}
	for _, r := range series {
		if rec, err := svc.Notify.Get(ctx, fmt.Sprintf("booking/%s/reminder/%d", r.ID, r.Start.Unix())); err != nil || rec.Channel != notify.SMS {
			t.Fatalf("the reminder of %s: %+v %v", r.Start, rec, err)
		}
	}

	if _, err := svc.Bookings.Cancel(ctx, one.ID, "admin"); err != nil { // the hall admin
		t.Fatal(err)
	}
	if _, err := svc.Bookings.CancelSeries(ctx, series[:2], "cancel/"); err != nil {
		t.Fatal(err)
	}
	got := deliveredNotices(svc)
	for _, w := range []string{"booking/series/" + series[0].SeriesID + "/confirmed sms +4799000001",
		"booking/" + one.ID + "/cancelled sms +4799000001", "booking/" + series[0].ID + "/cancelled sms +4799000001"} {
		if !slices.Contains(got, w) {
			t.Errorf("not delivered: %q (got %q)", w, got)
		}
	}
	if rec, err := svc.Notify.Get(ctx, "booking/"+series[0].ID+"/cancelled"); err != nil || rec.Template != "booking.series.cancelled.sms" || !strings.Contains(rec.Text, "2 bookinger") {
		t.Errorf("the series' cancellation: %+v %v", rec, err)
	}

	// A booking at 08.00 the last Monday: its SMS reminder waits for the
	// window, 09.00 the day before, and is not sent once it has begun.
	early := hold(t, svc, base, sigrid, "2026-04-13T08:00:00+02:00", 0)[0]
	if _, err := svc.Bookings.Confirm(ctx, early.ID, "webhook-early"); err != nil {
		t.Fatal(err)
	}

	// On the morning of the last week (the SMS window open): the cancelled
	// bookings' reminders are cancelled by their condition; the week still
	// booked is reminded of.
	skip.Add(int64(testclock.Oslo(t, "2026-04-13T10:00:00+02:00").Sub(testclock.Oslo(t, "2026-03-27T23:30:00+01:00"))))
	if err := svc.Notify.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range append([]*booking.Reservation{one, early}, series...) {
		rec, err := svc.Notify.Get(ctx, fmt.Sprintf("booking/%s/reminder/%d", r.ID, r.Start.Unix()))
		wantSent := r.ID == series[2].ID
		if err != nil || (rec.Status == notify.Cancelled) == wantSent {
			t.Errorf("the reminder of %s (to be sent: %v): %+v %v", r.Start, wantSent, rec, err)
		}
	}

	if w := fmt.Sprintf("booking/%s/reminder/%d sms +4799000001", series[2].ID, series[2].Start.Unix()); !slices.Contains(deliveredNotices(svc), w) {
		t.Errorf("not delivered: %q", w)
	}

	// Ola has reserved himself against digital communication: nothing.
	ola := hold(t, svc, base, registrytest.Persons()[registrytest.OlaBakken].FNR.Reveal(), monday.Add(21*24*time.Hour).Format(time.RFC3339), 0)[0]
	if _, err := svc.Bookings.Confirm(ctx, ola.ID, "webhook-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Notify.Get(ctx, "booking/"+ola.ID+"/confirmed"); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("a reserved person's confirmation: %v", err)
	}
	// A booking made with nobody logged in has nobody to tell.
	free, err := svc.Bookings.Book(ctx, booking.HoldInput{ResourceID: "hall", Owner: "someone", Start: monday.Add(22 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Notify.Get(ctx, "booking/"+free.ID+"/confirmed"); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("a booking without a citizen: %v", err)
	}
}

// TestBookingTemplates: the site's booking templates render in nb, nn and
// en within their SMS segment limits, also with the longest values a
// booking gives: a title cut to 60 bytes with an emoji (UCS-2), the
// longest date, a long service name.
func TestBookingTemplates(t *testing.T) {
	ts, err := site.BookingTemplates()
	if err != nil {
		t.Fatal(err)
	}
	start := testclock.Oslo(t, "2026-09-30T18:00:00+02:00") // "onsdag 30. september 2026"
	for _, name := range []string{site.BookingConfirmed, site.BookingSeriesConfirmed, site.BookingReminder, site.BookingCancelled, site.BookingSeriesCancelled} {
		for _, ch := range []string{".email", ".sms"} {
			for _, lang := range []i18n.Lang{i18n.NB, i18n.NN, i18n.EN} {
				r, err := ts.Render(name+ch, string(lang), map[string]string{"sted": "Idrettshallen på Nordbyen skole 🏐 (hall A, inngang fr",
					"tid": lang.Time(start), "slutt": lang.Clock(start.Add(time.Hour)), "antall": "26",
					"tjeneste": "Leie av idrettshaller, gymsaler og møterom", "lenke": "https://hall.example.kommune.no/min-side"})
				if err != nil {
					t.Errorf("%s%s %s: %v", name, ch, lang, err)
					continue
				}
				if !strings.Contains(r.Text, "Idrettshallen") || !strings.Contains(r.Text, lang.Clock(start)) {
					t.Errorf("%s%s %s says neither the hall nor the time: %q", name, ch, lang, r.Text)
				}
			}
		}
	}
}
