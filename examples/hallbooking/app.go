package main

import (
	"context"
	"embed"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

//go:embed templates/*.html
var templateFS embed.FS

// messages.json holds every text the service shows, in nb, nn and en, for
// translators to edit without touching Go. A bad file stops New with a
// site.ErrMessages naming the key.
//
//go:embed messages.json
var messagesFS embed.FS

var messages, messagesErr = site.LoadMessages(messagesFS, "messages.json")

const (
	scopeBrregRoller = "brreg:data:enhetsregisteret:roller"
	scopeFiks        = "ks:fiks"
	scopeFolkereg    = "folkeregister:deling/offentligmedhjemmel"
	holdTTL          = 10 * time.Minute
)

// App is the hall-booking service: the shared wiring (site.Service) and
// what is particular to hall booking.
type App struct {
	*site.Service

	brreg *brreg.Client
	freg  *folkeregisteret.Client
	co    *checkout.Checkout         // takes payment for bookings (bill.go)
	mail  *checkout.Letters          // sends their confirmation letters
	weeks booking.WeekCache[calWeek] // the calendar of visitors not logged in

	// admins are the hall admins' fødselsnumre (digits), from
	// GRUNNMUR_HALL_ADMINS (site.Service.AllowList: the sandbox's officer
	// while it is unset in development).
	admins map[string]bool
	// holdRate limits each login's new holds and series.
	holdRate *site.Limiter

	// beforeHold, when set (by a test), runs before every hold: the race
	// test holds two requests at a barrier there and releases them together.
	beforeHold atomic.Pointer[func()]
}

// club is the organisation a person acts for, chosen after an
// Enhetsregisteret check (site.Service.ActFor). A person without one books
// as themselves.
type club = site.Organisation

// What one party may take. Holds cost nothing, so besides booking's caps on
// open holds every hall limits a party's bookings per day and per week, and
// each login may create holds only so fast.
const (
	hallPerDay, hallPerWeek = 2, 4
	holdBurst               = 10
	holdEvery               = 6 * time.Second
)

// halls are the resources the service starts with.
func halls() []*booking.Resource {
	evening := booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)})
	evening[time.Saturday] = []booking.Span{{From: booking.At(9, 0), To: booking.At(18, 0)}}
	evening[time.Sunday] = []booking.Span{{From: booking.At(12, 0), To: booking.At(18, 0)}}
	return []*booking.Resource{newHall("storhallen", "Storhallen (idrettshall)", evening, 600, 48*time.Hour),
		newHall("moterom", "Møterom 2, rådhuset", booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(21, 0)}), 150, 24*time.Hour)}
}

// newHall is a hall of one seat, booked by the hour up to 200 days ahead,
// closed on holidays, that charges a cancellation later than deadline.
func newHall(id, name string, hours booking.WeeklyHours, kroner int64, deadline time.Duration) *booking.Resource {
	return &booking.Resource{ID: id, Name: name, Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true, Hours: hours,
		MinNotice: time.Hour, MaxHorizon: 200 * 24 * time.Hour, Price: money.Kroner(kroner), CancelDeadline: deadline, ChargeLateCancel: true,
		PerDay: hallPerDay, PerWeek: hallPerWeek}
}

// New builds the service on cfg (with only PublicURL set, every outside
// service is an in-process fake and everything is kept in memory) with its
// fakes started. Close stops them.
func New(ctx context.Context, cfg site.Config) (_ *App, err error) {
	if messagesErr != nil {
		return nil, messagesErr
	}
	a := &App{co: &checkout.Checkout{}}
	a.Service, err = site.New(ctx, site.ServiceConfig{Config: cfg, Messages: messages, Pages: templateFS, Sandbox: sandbox,
		Scopes: []string{scopeBrregRoller, scopeFiks, scopeFolkereg}, Menu: a.menu, NotFound: []error{booking.ErrNotFound},
		Payments: &payment.Service{ReferencePrefix: "hall", Wanted: a.co.Wanted, OnSettled: a.co.OnSettled},
		Invoices: &payment.Service{Provider: &payment.Invoicing{Prefix: "77"}, ReferencePrefix: "hallf"},
		Bookings: &booking.Service{HoldTTL: holdTTL},
		// E-mail or SMS: a confirmation, a reminder 24 h before, a cancellation.
		BookingNotices: &site.BookingNotices{},
		Letters:        &svarut.Outbox{Documents: a.co.Documents(a.letter), PollInterval: 5 * time.Second, RetryBase: 5 * time.Second}})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.admins, err = a.AllowList("GRUNNMUR_HALL_ADMINS"); err != nil {
		return nil, err
	}
	if a.brreg, err = a.Externals.BrregClient(a.Config.Now, a.Config.Logger); err != nil {
		return nil, err
	}
	if a.freg, err = a.Externals.FolkeregisteretClient(a.Config.Now, a.Config.Logger); err != nil {
		return nil, err
	}
	a.setupCheckout()
	a.holdRate = &site.Limiter{Every: holdEvery, Burst: holdBurst, Now: a.Config.Now}
	if err := a.Bookings.Seed(ctx, halls()...); err != nil {
		return nil, err
	}
	a.routes()
	return a, nil
}

// menu is the logged-in person's menu; the hall admins' has the admin pages.
func (a *App) menu(r *http.Request, _ bool) []site.NavLink {
	nav := []site.NavLink{{Href: "/min-side", Text: "nav.minside"}, {Href: "/klubb", Text: "nav.club"}}
	if a.Listed(r, a.admins) {
		nav = append(nav, site.NavLink{Href: "/admin", Text: "nav.admin"})
	}
	return nav
}

// routes mounts hall booking's pages on the service's mux.
func (a *App) routes() {
	mux := a.Mux
	citizen := a.ForCitizens // the login, and CSRF on a post

	mux.HandleFunc("GET /{$}", a.start)
	mux.HandleFunc("GET /hall/{id}", a.calendar)
	mux.Handle("POST /hall/{id}/hold", citizen(a.hold(false)))
	mux.Handle("POST /hall/{id}/serie", citizen(a.hold(true)))
	mux.Handle("GET /serie/{id}", citizen(a.seriesShow))
	mux.Handle("POST /serie/{id}/vipps", citizen(a.payVipps))
	mux.Handle("POST /serie/{id}/faktura", citizen(a.payInvoice))
	mux.Handle("GET /serie/{id}/avbestill", citizen(a.cancelPage))
	mux.Handle("POST /serie/{id}/avbestill", citizen(a.cancel))
	mux.Handle("GET /serie/{id}/brev.pdf", citizen(a.letterPDF))
	mux.Handle("/klubb", citizen(a.ActForPage(a.brreg, "/")))
	mux.Handle("GET /booking/{id}", citizen(a.bookingPage))
	mux.Handle("POST /booking/{id}/vipps", citizen(a.payVipps))
	mux.Handle("POST /booking/{id}/faktura", citizen(a.payInvoice))
	mux.Handle("GET /booking/{id}/avbestill", citizen(a.cancelPage))
	mux.Handle("POST /booking/{id}/avbestill", citizen(a.cancel))
	mux.Handle("GET /booking/{id}/brev.pdf", citizen(a.letterPDF))
	mux.Handle("GET /booking/{id}/ics", citizen(a.OwnICS))
	mux.Handle("GET /min-side", citizen(a.minSide))
	mux.Handle("POST /min-side/kalender", citizen(a.minSide))
	mux.Handle("POST /min-side/kalender/stopp", citizen(a.minSide))
	admin := func(h http.HandlerFunc) http.Handler { return a.ForListed(a.admins, h) } // login and CSRF
	mux.Handle("GET /admin", admin(a.adminList))
	mux.Handle("POST /admin/ny", admin(a.adminNew))
	mux.Handle("GET /admin/hall/{id}", admin(a.adminHallPage))
	mux.Handle("POST /admin/hall/{id}", admin(a.editHall(saveHall)))
	mux.Handle("POST /admin/hall/{id}/stengt", admin(a.editHall(closeHall)))
	mux.Handle("POST /admin/hall/{id}/apne", admin(a.editHall(openHall)))
	mux.Handle("GET /kalender/", http.StripPrefix("/kalender", a.Bookings.FeedHandler()))
}
