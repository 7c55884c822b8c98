package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/booking"
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

// App is the hall-booking service.
type App struct {
	Handler http.Handler

	public  string
	log     *slog.Logger
	now     func() time.Time
	ext     *site.Externals
	citizen *auth.Manager
	owners  forms.OwnerKeys
	brreg   *brreg.Client
	freg    *folkeregisteret.Client
	db      *postgres.DB
	vipps   *payment.Service
	invoice *payment.Service
	book    *booking.Service
	tmpl    map[string]*template.Template
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
// Enhetsregisteret check and kept in the login session (auth.Session.Values),
// so it ends with the login. A person without one books as themselves.
type club struct {
	Orgnr   ident.Orgnr    `json:"orgnr"`
	Name    string         `json:"name"`
	Address svarut.Address `json:"address"` // from Enhetsregisteret, for the letter's print copy
}

// What one party may take. Holds cost nothing, so besides booking's caps on
// open holds every hall limits a party's bookings per day and per week, and
// each login may create holds only so fast.
const (
	hallPerDay, hallPerWeek = 2, 4
	holdBurst               = 10
	holdEvery               = 6 * time.Second
)

// Halls are the resources the service starts with.
func halls() []*booking.Resource {
	evening := booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)})
	evening[time.Saturday] = []booking.Span{{From: booking.At(9, 0), To: booking.At(18, 0)}}
	evening[time.Sunday] = []booking.Span{{From: booking.At(12, 0), To: booking.At(18, 0)}}
	return []*booking.Resource{
		{ID: "storhallen", Name: "Storhallen (idrettshall)", Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true, Hours: evening,
			MinNotice: time.Hour, MaxHorizon: 200 * 24 * time.Hour, Price: money.Kroner(600), CancelDeadline: 48 * time.Hour, ChargeLateCancel: true,
			PerDay: hallPerDay, PerWeek: hallPerWeek},
		{ID: "moterom", Name: "Møterom 2, rådhuset", Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true,
			Hours:     booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(21, 0)}),
			MinNotice: time.Hour, MaxHorizon: 200 * 24 * time.Hour, Price: money.Kroner(150), CancelDeadline: 24 * time.Hour, ChargeLateCancel: true,
			PerDay: hallPerDay, PerWeek: hallPerWeek},
	}
}

// New builds the service with its fakes started. Close stops them.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	if cfg, err = cfg.Defaults(); err != nil {
		return nil, err
	}
	getenv := cfg.Getenv
	a := &App{public: cfg.PublicURL, log: cfg.Logger, now: cfg.Now}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.ext, err = site.Setup(getenv, site.Options{Public: a.public, Scopes: []string{scopeBrregRoller, scopeFiks, scopeFolkereg}, Logger: a.log, Now: a.now, Sandbox: sandbox}); err != nil {
		return nil, err
	}
	if err := a.readAdmins(getenv); err != nil {
		return nil, err
	}
	if a.owners, err = site.OwnerKeys(cfg); err != nil {
		return nil, err
	}
	st, err := a.openStores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := a.setupLogin(st.auth); err != nil {
		return nil, err
	}
	if a.brreg, err = a.ext.BrregClient(a.now, a.log); err != nil {
		return nil, err
	}
	if a.freg, err = a.ext.FolkeregisteretClient(a.now, a.log); err != nil {
		return nil, err
	}
	if err := a.setupPayments(ctx, getenv, st); err != nil {
		return nil, err
	}
	if err := a.setupOutbox(st.letters); err != nil {
		return nil, err
	}
	a.book = &booking.Service{Store: st.book, Now: a.now, Logger: a.log, HoldTTL: holdTTL}
	a.holdRate = &site.Limiter{Every: holdEvery, Burst: holdBurst, Now: a.now}
	if err := a.putHalls(ctx); err != nil {
		return nil, err
	}
	if a.tmpl, err = site.Templates(templateFS, template.FuncMap{}, "templates/*.html"); err != nil {
		return nil, err
	}
	a.Handler = a.routes()
	return a, nil
}

// stores are where the service keeps its data: in memory, or in
// PostgreSQL when the configuration has a database.
type stores struct {
	auth    auth.Store // nil: the auth.Manager's own memory store
	pay     payment.Store
	invoice payment.InvoiceStore // nil: payment.Invoicing's own memory
	book    booking.Store
	letters svarut.Store
}

// openStores opens the database (a.db) when cfg names one and returns its
// stores, or the memory stores without it.
func (a *App) openStores(ctx context.Context, cfg Config) (stores, error) {
	st := stores{pay: payment.NewMemoryStore(), book: booking.NewMemoryStore(), letters: svarut.NewMemoryStore()}
	var err error
	if a.db, err = site.OpenDatabase(ctx, cfg); err != nil {
		return stores{}, err
	}
	if a.db != nil {
		st.auth, st.pay, st.invoice = postgres.NewAuthStore(a.db), postgres.NewPaymentStore(a.db), postgres.NewInvoiceStore(a.db)
		st.book, st.letters = postgres.NewBookingStore(a.db), postgres.NewSvarUTStore(a.db)
	}
	return st, nil
}

// setupLogin makes the citizens' login through ID-porten, its sessions kept
// in authStore.
func (a *App) setupLogin(authStore auth.Store) error {
	lc := a.ext.IDPorten
	lc.HTTPClient, lc.Now, lc.Logger = &http.Client{Timeout: 15 * time.Second}, a.now, a.log
	login, err := idporten.New(lc)
	if err != nil {
		return fmt.Errorf("hallbooking: ID-porten: %w", err)
	}
	a.citizen = &auth.Manager{Login: login, Store: authStore, Insecure: strings.HasPrefix(a.public, "http://"), Lang: site.Lang, Now: a.now,
		Logger: a.log, AfterLogout: "/?loggedout=1", AfterCancel: site.AfterCancel, ErrorHandler: a.loginFailed}
	return nil
}

// setupPayments makes the two payment services, both keeping their
// records in st.pay: Vipps, with its webhook registered and settling the
// booking, and invoices to GRUNNMUR_INVOICE_ACCOUNT.
func (a *App) setupPayments(ctx context.Context, getenv func(string) string, st stores) error {
	provider, err := a.ext.VippsClient(a.now, a.log)
	if err != nil {
		return err
	}
	a.vipps = &payment.Service{Provider: provider, Store: st.pay, Now: a.now, Logger: a.log, ReferencePrefix: "hall",
		Wanted: a.wanted, OnSettled: a.settled}
	if err := a.ext.RegisterWebhook(ctx, provider, a.vipps); err != nil {
		return err
	}
	account, err := ident.ParseKontonummer(or(getenv("GRUNNMUR_INVOICE_ACCOUNT"), "1503.10.12349"))
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_INVOICE_ACCOUNT: %v", site.ErrConfig, err)
	}
	a.invoice = &payment.Service{Provider: &payment.Invoicing{Account: account, Prefix: "77", Store: st.invoice, Now: a.now}, Store: st.pay, Now: a.now, Logger: a.log, ReferencePrefix: "hallf"}
	return nil
}

// setupOutbox makes the SvarUT outbox that sends the letters kept in
// letters.
func (a *App) setupOutbox(letters svarut.Store) error {
	sc := a.ext.SvarUT
	sc.Now = a.now
	sclient, err := svarut.New(sc)
	if err != nil {
		return fmt.Errorf("hallbooking: SvarUT: %w", err)
	}
	a.letters = letters
	a.outbox = &svarut.Outbox{Client: sclient, Store: a.letters, Documents: a.documents(),
		PollInterval: 5 * time.Second, RetryBase: 5 * time.Second, Now: a.now, Logger: a.log}
	return nil
}

// putHalls stores the starting halls, except those a hall admin has saved
// already.
func (a *App) putHalls(ctx context.Context) error {
	for _, h := range halls() {
		if _, err := a.book.Resource(ctx, h.ID); err == nil {
			continue
		} else if !errors.Is(err, booking.ErrNotFound) {
			return err
		}
		if err := a.book.PutResource(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Run does the background work until ctx ends: the SvarUT outbox, payment
// polling (the webhooks' safety net, which settles the payments: a.settled
// confirms the holds paid for), and session clean-up.
func (a *App) Run(ctx context.Context) {
	site.RunJobs(ctx, a.log,
		site.Job{Name: "svarut outbox", Every: 5 * time.Second, Runner: a.outbox},
		site.Job{Name: "payment poll", Every: 30 * time.Second, Runner: a.vipps},
		site.Job{Name: "sessions", Every: 5 * time.Minute, Runner: a.citizen.Cleaner()})
}

// ready reports whether the service can serve: its store answers.
func (a *App) ready(ctx context.Context) error {
	_, err := a.book.Store.Resources(ctx)
	return err
}

// Close stops the fakes and closes the database.
func (a *App) Close() {
	if a.ext != nil {
		a.ext.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	site.Health(mux, a.ready)
	mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
	mux.Handle("/auth/", a.citizen.Handler())
	mux.Handle("POST "+site.WebhookPath, a.ext.Webhook) // signed by Vipps: no login, no CSRF
	login := a.citizen.RequireLogin(idporten.Substantial)
	post := func(h http.HandlerFunc) http.Handler { return login(a.citizen.CSRF(h)) }

	mux.HandleFunc("GET /{$}", a.start)
	mux.HandleFunc("GET /hall/{id}", a.calendar)
	mux.Handle("POST /hall/{id}/hold", post(a.hold))
	mux.Handle("POST /hall/{id}/serie", post(a.seriesPost))
	mux.Handle("GET /serie/{id}", login(http.HandlerFunc(a.seriesShow)))
	mux.Handle("POST /serie/{id}/vipps", post(a.payVipps))
	mux.Handle("POST /serie/{id}/faktura", post(a.payInvoice))
	mux.Handle("GET /serie/{id}/avbestill", login(http.HandlerFunc(a.cancelPage)))
	mux.Handle("POST /serie/{id}/avbestill", post(a.cancel))
	mux.Handle("GET /serie/{id}/brev.pdf", login(http.HandlerFunc(a.letterPDF)))
	mux.Handle("GET /klubb", login(http.HandlerFunc(a.clubPage)))
	mux.Handle("POST /klubb", post(a.clubPost))
	mux.Handle("GET /booking/{id}", login(http.HandlerFunc(a.bookingPage)))
	mux.Handle("POST /booking/{id}/vipps", post(a.payVipps))
	mux.Handle("POST /booking/{id}/faktura", post(a.payInvoice))
	mux.Handle("GET /booking/{id}/avbestill", login(http.HandlerFunc(a.cancelPage)))
	mux.Handle("POST /booking/{id}/avbestill", post(a.cancel))
	mux.Handle("GET /booking/{id}/brev.pdf", login(http.HandlerFunc(a.letterPDF)))
	mux.Handle("GET /booking/{id}/ics", login(http.HandlerFunc(a.ics)))
	mux.Handle("GET /min-side", login(http.HandlerFunc(a.minSide)))
	mux.Handle("POST /min-side/kalender", post(a.newFeed))
	mux.Handle("POST /min-side/kalender/stopp", post(a.stopFeed))
	admin := func(h http.HandlerFunc) http.Handler { return login(a.requireAdmin(h)) }
	mux.Handle("GET /admin", admin(a.adminList))
	adminPost := func(h http.HandlerFunc) http.Handler { return login(a.citizen.CSRF(a.requireAdmin(h))) }
	mux.Handle("POST /admin/ny", adminPost(a.adminNew))
	mux.Handle("GET /admin/hall/{id}", admin(a.adminHallPage))
	mux.Handle("POST /admin/hall/{id}", adminPost(a.adminHallPost))
	mux.Handle("POST /admin/hall/{id}/stengt", adminPost(a.adminBlock))
	mux.Handle("POST /admin/hall/{id}/apne", adminPost(a.adminOpen))
	mux.Handle("GET /kalender/", http.StripPrefix("/kalender", a.book.FeedHandler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { a.errorPage(w, r, http.StatusNotFound) })

	hd := site.Headers{
		FrameAncestors: []string{a.ext.IDPorten.Issuer},
		FramePath:      []string{"/auth/frontchannel-logout"},
		FormAction:     []string{a.ext.IDPorten.Issuer, a.ext.Vipps.BaseURL, "https://pay.vipps.no", "https://pay-mt.vipps.no"},
		TrustProxy:     true,
	}
	return hd.Secure(site.Log(a.log, site.RememberLang(mux)))
}
