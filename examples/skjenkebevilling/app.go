package main

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

//go:embed skjenkebevilling.json
var formJSON []byte

//go:embed templates/*.html
var templateFS embed.FS

// The service's fixed choices.
const (
	kind         = "skjenkebevilling"
	fee          = money.Amount(150000) // 1 500 kr in øre
	inspection   = "befaring"           // the booking resource: the officers' inspection calendar
	holdTTL      = 10 * time.Minute
	decisionDays = sak.Days(60) // saksbehandlingsfrist, in calendar days
)

// App is the skjenkebevilling service.
type App struct {
	Fakes   *site.Fakes
	Handler http.Handler

	public   string
	log      *slog.Logger
	now      func() time.Time
	citizen  *auth.Manager
	officer  *auth.Manager
	officers map[string]bool
	def      *forms.Definition
	forms    forms.Store
	owners   forms.OwnerKeys
	brreg    *brreg.Client
	pay      *payment.Service
	book     *booking.Service
	sak      *sak.Service
	outbox   *svarut.Outbox
	letters  svarut.Store
	files    forms.Files
	db       *postgres.DB
	tmpl     map[string]*template.Template
	ext      *site.Externals
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
	if a.ext, err = site.Setup(getenv, site.Options{Public: a.public, OfficerPrefix: "/ansatt/auth",
		Scopes: []string{scopeBrregRoller, scopeFiks}, Logger: a.log, Now: a.now, Sandbox: sandbox}); err != nil {
		return nil, err
	}
	a.Fakes, a.officers = a.ext.Fakes, a.ext.Officers

	if a.owners, err = site.OwnerKeys(cfg); err != nil {
		return nil, err
	}
	st, err := a.openStores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := a.setupLogins(st.auth); err != nil {
		return nil, err
	}
	if a.def, err = forms.Parse(formJSON); err != nil {
		return nil, err
	}
	if a.brreg, err = a.ext.BrregClient(a.now, a.log); err != nil {
		return nil, err
	}
	if err := a.setupCases(ctx, st); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"fileSize": forms.FormatBytes, "fileType": forms.FileTypeName,
		"amount": func(a money.Amount, lang string) string { return i18n.Lang(lang).Amount(a) }}
	if a.tmpl, err = site.Templates(templateFS, funcs, "templates/*.html"); err != nil {
		return nil, err
	}
	a.Handler = a.routes()
	return a, nil
}

// stores are the stores that openStores does not keep on the App: in
// memory, or in PostgreSQL when the configuration has a database.
type stores struct {
	auth    auth.Store    // nil: the auth.Managers' own memory stores
	sak     sak.Store     // the memory store explicitly, so that tests can reach the cases
	booking booking.Store // nil: booking.Service's own memory store
	payment payment.Store // nil: payment.Service's own memory store
}

// openStores opens the database (a.db) when cfg names one, sets the
// application, letter and file stores (a.forms, a.letters, a.files) and
// returns the others; without a database they are all in memory.
func (a *App) openStores(ctx context.Context, cfg Config) (stores, error) {
	st := stores{sak: sak.NewMemoryStore()}
	a.forms, a.letters, a.files = forms.NewMemoryStore(), svarut.NewMemoryStore(), &forms.MemoryFileStore{Now: a.now}
	var err error
	if a.db, err = site.OpenDatabase(ctx, cfg); err != nil {
		return stores{}, err
	}
	if a.db != nil {
		st = stores{auth: postgres.NewAuthStore(a.db), sak: postgres.NewSakStore(a.db), booking: postgres.NewBookingStore(a.db), payment: postgres.NewPaymentStore(a.db)}
		files := postgres.NewFileStore(a.db)
		files.Now = a.now
		a.forms, a.letters, a.files = postgres.NewFormsStore(a.db), postgres.NewSvarUTStore(a.db), files
	}
	return st, nil
}

// setupLogins makes the citizens' login through ID-porten (at /auth) and
// the officers' through Ansattporten (at /ansatt/auth, with a cookie of its
// own), their sessions kept in authStore.
func (a *App) setupLogins(authStore auth.Store) error {
	insecure := strings.HasPrefix(a.public, "http://")
	citizenLogin, err := idporten.New(a.withDefaults(a.ext.IDPorten))
	if err != nil {
		return fmt.Errorf("skjenkebevilling: ID-porten: %w", err)
	}
	officerLogin, err := idporten.New(a.withDefaults(a.ext.Ansattporten))
	if err != nil {
		return fmt.Errorf("skjenkebevilling: Ansattporten: %w", err)
	}
	a.citizen = &auth.Manager{Login: citizenLogin, Store: authStore, Insecure: insecure, Lang: site.Lang, Now: a.now,
		Logger: a.log, AfterLogout: "/?loggedout=1", AfterCancel: site.AfterCancel, ErrorHandler: a.loginFailed}
	a.officer = &auth.Manager{Login: officerLogin, Store: authStore, Prefix: "/ansatt/auth", CookieName: "grunnmur_officer",
		Insecure: insecure, Lang: site.Lang, Now: a.now, Logger: a.log, AfterLogout: "/?loggedout=1", AfterCancel: site.AfterCancel, ErrorHandler: a.loginFailed}
	return nil
}

// setupCases makes what an application becomes a case with: the fee's
// payment through Vipps (its webhook registered), the inspection calendar,
// the case service, and the SvarUT outbox for its letters.
func (a *App) setupCases(ctx context.Context, st stores) error {
	provider, err := a.ext.VippsClient(a.now, a.log)
	if err != nil {
		return err
	}
	a.pay = &payment.Service{Provider: provider, Store: st.payment, Now: a.now, Logger: a.log, ReferencePrefix: "skjenk", OnSettled: a.feePaid}
	if err := a.ext.RegisterWebhook(ctx, provider, a.pay); err != nil {
		return err
	}
	a.book = &booking.Service{Store: st.booking, Now: a.now}
	a.sak = &sak.Service{Store: st.sak, Now: a.now, Logger: a.log, DecisionPeriod: decisionDays,
		// A decision is made only with its letter.
		PrepareDecision: func(ctx context.Context, c *sak.Case) error { _, err := a.letter(ctx, c); return err }}
	sc := a.ext.SvarUT
	sc.Now = a.now
	client, err := svarut.New(sc)
	if err != nil {
		return fmt.Errorf("skjenkebevilling: SvarUT: %w", err)
	}
	a.outbox = &svarut.Outbox{Client: client, Store: a.letters, Documents: svarut.SourceFunc(a.openDocument),
		OnFinal: a.letterFinal, PollInterval: 5 * time.Second, RetryBase: 5 * time.Second, Now: a.now, Logger: a.log}
	return a.putInspection(ctx)
}

// putInspection stores the officers' inspection calendar: an hour on
// weekdays from 9 to 15, booked at least a day and at most 60 days ahead.
func (a *App) putInspection(ctx context.Context) error {
	return a.book.PutResource(ctx, &booking.Resource{
		ID: inspection, Name: "Befaring skjenkested", Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true,
		Hours:     booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)}),
		MinNotice: 24 * time.Hour, MaxHorizon: 60 * 24 * time.Hour, PerDay: 1,
	})
}

// withDefaults gives a login client configuration the service's HTTP
// timeout, clock and logger.
func (a *App) withDefaults(c idporten.Config) idporten.Config {
	c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	c.Now, c.Logger = a.now, a.log
	return c
}

// Run does the background work until ctx ends: the SvarUT outbox, payment
// polling (the webhooks' safety net), deleting abandoned applications and
// session clean-up (site.RunJobs).
func (a *App) Run(ctx context.Context) {
	site.RunJobs(ctx, a.log,
		site.Job{Name: "svarut outbox", Every: 5 * time.Second, Runner: a.outbox},
		site.Job{Name: "draft expiry", Every: 24 * time.Hour, Runner: a.draftExpiry()},
		site.Job{Name: "payment poll", Every: 30 * time.Second, Runner: a.pay},
		site.Job{Name: "citizen sessions", Every: 5 * time.Minute, Runner: a.citizen.Cleaner()},
		site.Job{Name: "officer sessions", Every: 5 * time.Minute, Runner: a.officer.Cleaner()})
}

// draftRetention is how long an application not sent is kept after its
// last change: its answers and uploads are then deleted.
const draftRetention = 90 * 24 * time.Hour

// draftExpiry is the job that deletes the applications abandoned for
// draftRetention, with their uploads.
func (a *App) draftExpiry() *forms.DraftExpiry {
	return &forms.DraftExpiry{Store: a.forms, Files: a.files, MaxAge: draftRetention, Now: a.now, Logger: a.log}
}

// Ready reports whether the service can serve: the database answers.
func (a *App) Ready(ctx context.Context) error {
	if a.db == nil {
		return nil
	}
	_, _, err := a.sak.List(ctx, sak.Filter{}, sak.Page{Limit: 1})
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
	site.Health(mux, a.Ready)
	mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
	mux.HandleFunc("GET /static/forms.css", site.Static("text/css; charset=utf-8", forms.CSS()))

	citizen := a.citizen.RequireLogin(idporten.Substantial)
	mux.Handle("/auth/", a.citizen.Handler())
	mux.Handle("/ansatt/auth/", a.officer.Handler())
	mux.Handle("POST "+site.WebhookPath, a.ext.Webhook) // signed by Vipps: no login, no CSRF
	mux.HandleFunc("GET /{$}", a.start)

	mux.Handle("GET /soknad/ny", citizen(http.HandlerFunc(a.orgPage)))
	mux.Handle("POST /soknad/ny", citizen(a.citizen.CSRF(http.HandlerFunc(a.orgPost))))
	flow := &forms.Flow{Def: a.def, Store: a.forms, Files: a.files, Prefix: "/soknad", Now: a.now, Logger: a.log,
		Owner: a.ownerOf, Lang: func(r *http.Request) i18n.Lang { return i18n.Lang(site.Lang(r)) }, Submitted: a.submitted,
		Hidden:   a.citizen.CSRFField,
		Renderer: forms.Renderer{Stylesheet: "/static/forms.css", Templates: a.formTemplates()}}
	// flow.Limit outside CSRF: the CSRF check reads the post under the
	// page's limit, not a larger one of its own.
	mux.Handle("/soknad/", citizen(http.StripPrefix("/soknad", flow.Limit(a.citizen.CSRF(flow)))))
	mux.Handle("GET /kvittering/{sub}", citizen(http.HandlerFunc(a.afterSubmit)))

	mux.Handle("GET /sak/{id}", citizen(http.HandlerFunc(a.casePage)))
	mux.Handle("POST /sak/{id}/betal", citizen(a.citizen.CSRF(http.HandlerFunc(a.payStart))))
	mux.Handle("GET /sak/{id}/betalt", citizen(http.HandlerFunc(a.payReturn)))
	mux.Handle("GET /sak/{id}/befaring", citizen(http.HandlerFunc(a.bookPage)))
	mux.Handle("POST /sak/{id}/befaring", citizen(a.citizen.CSRF(http.HandlerFunc(a.bookHold))))
	mux.Handle("POST /sak/{id}/befaring/{res}", citizen(a.citizen.CSRF(http.HandlerFunc(a.bookConfirm))))
	mux.Handle("GET /sak/{id}/befaring/{res}", citizen(http.HandlerFunc(a.bookHeld)))
	mux.Handle("GET /sak/{id}/befaring/{res}/ics", citizen(http.HandlerFunc(a.bookICS)))
	mux.Handle("GET /sak/{id}/brev.pdf", citizen(http.HandlerFunc(a.letterPDF)))
	mux.Handle("GET /sak/{id}/vedlegg/{file}", citizen(http.HandlerFunc(a.citizenAttachment)))
	mux.Handle("GET /min-side", citizen(http.HandlerFunc(a.minSide)))

	officer := func(h http.HandlerFunc) http.Handler {
		return a.officer.RequireLogin(idporten.Substantial)(a.requireOfficer(h))
	}
	mux.Handle("GET /ansatt", officer(a.officerList))
	mux.Handle("GET /ansatt/sak/{id}", officer(a.officerCase))
	mux.Handle("POST /ansatt/sak/{id}/vedtak", a.officer.RequireLogin(idporten.Substantial)(a.officer.CSRF(a.requireOfficer(a.officerDecide))))
	mux.Handle("GET /ansatt/sak/{id}/brev.pdf", officer(a.officerLetterPDF))
	mux.Handle("GET /ansatt/sak/{id}/vedlegg/{file}", officer(a.officerAttachment))
	mux.Handle("GET /ansatt/uttrekk", officer(a.extract))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { a.errorPage(w, r, http.StatusNotFound) })

	var framePaths = []string{"/auth/frontchannel-logout", "/ansatt/auth/frontchannel-logout"}
	hd := site.Headers{
		FrameAncestors: []string{a.ext.IDPorten.Issuer, a.ext.Ansattporten.Issuer},
		FramePath:      framePaths,
		FormAction:     []string{a.ext.IDPorten.Issuer, a.ext.Ansattporten.Issuer, a.ext.Vipps.BaseURL, "https://pay.vipps.no", "https://pay-mt.vipps.no"},
		TrustProxy:     true,
	}
	return hd.Secure(site.Log(a.log, site.RememberLang(mux)))
}
