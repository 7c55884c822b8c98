package main

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

//go:embed templates/*.html
var templateFS embed.FS

// Config is the service's configuration (site.Config): with only PublicURL
// set, every external service runs as an in-process fake and everything is
// kept in memory; DatabaseURL keeps sessions, halls, bookings, payments and
// letters in PostgreSQL.
type Config = site.Config

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
	// Handler serves the service (site.Service.Handler).
	Handler http.Handler

	public  string
	log     *slog.Logger
	now     func() time.Time
	ext     *site.Externals
	citizen *auth.Manager
	owners  forms.OwnerKeys
	brreg   *brreg.Client
	freg    *folkeregisteret.Client
	vipps   *payment.Service
	invoice *payment.Service
	co      *checkout.Checkout // takes payment for bookings (bill.go)
	mail    *checkout.Letters  // sends their confirmation letters
	book    *booking.Service
	weeks   booking.WeekCache[calWeek] // the calendar of visitors not logged in
	outbox  *svarut.Outbox
	letters svarut.Store

	// admins are the hall admins' fødselsnumre (digits), from
	// GRUNNMUR_HALL_ADMINS.
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

// New builds the service with its fakes started. Close stops them.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	if messagesErr != nil {
		return nil, messagesErr
	}
	a := &App{co: &checkout.Checkout{}}
	a.Service, err = site.New(ctx, site.ServiceConfig{Config: cfg, Messages: messages, Pages: templateFS, Sandbox: sandbox,
		Scopes: []string{scopeBrregRoller, scopeFiks, scopeFolkereg}, Menu: a.menu, NotFound: []error{booking.ErrNotFound},
		Payments: &payment.Service{ReferencePrefix: "hall", Wanted: a.co.Wanted, OnSettled: a.co.OnSettled},
		Bookings: &booking.Service{HoldTTL: holdTTL},
		Letters:  &svarut.Outbox{Documents: a.co.Documents(a.letter), PollInterval: 5 * time.Second, RetryBase: 5 * time.Second}})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	a.Handler, a.public, a.log, a.now, a.ext = a.Service.Handler(), a.Config.PublicURL, a.Config.Logger, a.Config.Now, a.Externals
	a.citizen, a.owners, a.vipps, a.book, a.outbox, a.letters = a.Citizen, a.OwnerKeys, a.Payments, a.Bookings, a.Letters, a.Letters.Store
	if err := a.readAdmins(a.Config.Getenv); err != nil {
		return nil, err
	}
	if a.brreg, err = a.ext.BrregClient(a.now, a.log); err != nil {
		return nil, err
	}
	if a.freg, err = a.ext.FolkeregisteretClient(a.now, a.log); err != nil {
		return nil, err
	}
	if err := a.setupInvoices(); err != nil {
		return nil, err
	}
	a.holdRate = &site.Limiter{Every: holdEvery, Burst: holdBurst, Now: a.now}
	if err := a.book.Seed(ctx, halls()...); err != nil {
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

// setupInvoices makes the invoice payments to GRUNNMUR_INVOICE_ACCOUNT,
// their records kept with the Vipps payments'.
func (a *App) setupInvoices() error {
	account, err := ident.ParseKontonummer(or(a.Config.Getenv("GRUNNMUR_INVOICE_ACCOUNT"), "1503.10.12349"))
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_INVOICE_ACCOUNT: %v", site.ErrConfig, err)
	}
	var store payment.InvoiceStore // nil: payment.Invoicing's own memory
	if a.DB != nil {
		store = postgres.NewInvoiceStore(a.DB)
	}
	a.invoice = &payment.Service{Provider: &payment.Invoicing{Account: account, Prefix: "77", Store: store, Now: a.now},
		Store: a.vipps.Store, Now: a.now, Logger: a.log, ReferencePrefix: "hallf"}
	a.setupCheckout()
	return nil
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Run does the background work until ctx ends (site.Service.RunJobs): the
// SvarUT outbox, payment polling (the webhooks' safety net, which settles
// the payments: the checkout confirms the holds paid for), and session clean-up.
func (a *App) Run(ctx context.Context) { a.RunJobs(ctx) }

// routes mounts hall booking's pages on the service's mux.
func (a *App) routes() {
	mux := a.Mux
	login := a.citizen.RequireLogin(idporten.Substantial)
	post := a.ForCitizens // login and CSRF

	mux.HandleFunc("GET /{$}", a.start)
	mux.HandleFunc("GET /hall/{id}", a.calendar)
	mux.Handle("POST /hall/{id}/hold", post(a.hold(false)))
	mux.Handle("POST /hall/{id}/serie", post(a.hold(true)))
	mux.Handle("GET /serie/{id}", login(http.HandlerFunc(a.seriesShow)))
	mux.Handle("POST /serie/{id}/vipps", post(a.payVipps))
	mux.Handle("POST /serie/{id}/faktura", post(a.payInvoice))
	mux.Handle("GET /serie/{id}/avbestill", login(http.HandlerFunc(a.cancelPage)))
	mux.Handle("POST /serie/{id}/avbestill", post(a.cancel))
	mux.Handle("GET /serie/{id}/brev.pdf", login(http.HandlerFunc(a.letterPDF)))
	mux.Handle("/klubb", post(a.ActForPage(a.brreg, "/")))
	mux.Handle("GET /booking/{id}", login(http.HandlerFunc(a.bookingPage)))
	mux.Handle("POST /booking/{id}/vipps", post(a.payVipps))
	mux.Handle("POST /booking/{id}/faktura", post(a.payInvoice))
	mux.Handle("GET /booking/{id}/avbestill", login(http.HandlerFunc(a.cancelPage)))
	mux.Handle("POST /booking/{id}/avbestill", post(a.cancel))
	mux.Handle("GET /booking/{id}/brev.pdf", login(http.HandlerFunc(a.letterPDF)))
	mux.Handle("GET /booking/{id}/ics", login(http.HandlerFunc(a.ics)))
	mux.Handle("GET /min-side", login(http.HandlerFunc(a.minSide)))
	mux.Handle("POST /min-side/kalender", post(a.minSide))
	mux.Handle("POST /min-side/kalender/stopp", post(a.minSide))
	admin := func(h http.HandlerFunc) http.Handler { return a.ForListed(a.admins, h) } // login and CSRF
	mux.Handle("GET /admin", admin(a.adminList))
	mux.Handle("POST /admin/ny", admin(a.adminNew))
	mux.Handle("GET /admin/hall/{id}", admin(a.adminHallPage))
	mux.Handle("POST /admin/hall/{id}", admin(a.editHall(saveHall)))
	mux.Handle("POST /admin/hall/{id}/stengt", admin(a.editHall(closeHall)))
	mux.Handle("POST /admin/hall/{id}/apne", admin(a.editHall(openHall)))
	mux.Handle("GET /kalender/", http.StripPrefix("/kalender", a.book.FeedHandler()))
}
