package site

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/svarut"
)

// Where a Service mounts the logins and the officers' pages.
const (
	// CitizenAuth is the citizens' login (ID-porten): CitizenAuth+"/login",
	// "/logout" and the provider's callbacks.
	CitizenAuth = "/auth"
	// OfficerArea holds the officers' pages: Page shows the officer's
	// menu and logout there.
	OfficerArea = "/ansatt"
	// OfficerAuth is the officers' login (Ansattporten).
	OfficerAuth = OfficerArea + "/auth"
)

// ErrNotYours means a record belongs to someone else than the person asking
// for it: Fail answers it, like a record that does not exist, with 404.
var ErrNotYours = errors.New("site: not the person's own")

// ServiceConfig configures New. Config (PublicURL, DatabaseURL, Getenv,
// Logger, Now) is the one required part; every other part is in use only
// when it is set: a service without officers, payments or bookings gets none
// of them.
//
// The parts given as values (Payments, Bookings, Cases, Letters) are the
// service's own settings of that part: New fills in what is left zero (the
// store, in PostgreSQL with a DatabaseURL; the clock; the logger; the
// client of the outside service) and puts the same value in the Service.
type ServiceConfig struct {
	Config
	// Messages are the service's texts (the key "service" is its name in
	// the header); Common's stand behind them.
	Messages Messages
	// Pages holds the page templates (each defines "content"), matched by
	// PagePatterns, default "templates/*.html"; Funcs are their functions.
	// A service without an "error" page gets the site's.
	Pages        fs.FS
	PagePatterns []string
	Funcs        template.FuncMap
	// Menu, when set, gives the header links of a logged-in page: officer
	// is true on the officers' pages (under OfficerArea). Each link's Text
	// is a message key; Page translates it and marks the current link.
	Menu func(r *http.Request, officer bool) []NavLink
	// Scopes the service asks Maskinporten for (the registries, SvarUT).
	Scopes []string
	// Sandbox starts the fakes for the outside services left unset in
	// development (Options.Sandbox): devenv.Sandbox, assigned in a file
	// built without -tags production. Nil makes an unset service an error.
	Sandbox StartSandbox
	// Officers adds the officers' login through Ansattporten at
	// OfficerAuth, for the people on GRUNNMUR_OFFICERS (ForOfficers).
	Officers bool
	// Forms keeps applications: Service.Forms and Files are their stores,
	// and RunJobs deletes the drafts left for DraftMaxAge (default
	// forms.DefaultMaxDraftAge) with their uploads.
	Forms       bool
	DraftMaxAge time.Duration
	// Payments takes payments through Vipps, with its webhook at
	// WebhookPath; its Provider defaults to the Vipps client.
	Payments *payment.Service
	// Invoices takes payments by invoice with a KID, paid by bank
	// transfer to GRUNNMUR_INVOICE_ACCOUNT (see Invoicing); its records are
	// kept with the Vipps payments'.
	Invoices *payment.Service
	// Bookings books resources (rooms, inspections).
	Bookings *booking.Service
	// Cases keeps the case files (sak).
	Cases *sak.Service
	// Archive, when set, journals every case's entries (the application,
	// the decision letter, their documents) into the municipality's
	// archive through KS Fiks Arkiv, exactly once (sak.Archiver), when
	// Fiks IO and GRUNNMUR_FIKSARKIV_KONTO_ID are configured (in
	// development: the sandbox's fake archive, with GRUNNMUR_DEV_AMQP_URL).
	// It gives the mapping of the cases (their documents' Open); it is
	// called once the Service is built. Otherwise journaling is off and
	// Service.ArchiveOff says why.
	Archive func() sak.ArchiveOptions
	// Letters sends letters through SvarUT; Documents is required.
	Letters *svarut.Outbox
	// Notify sends e-mail and SMS to the citizens (Service.NotifyCitizen):
	// its Templates are the service's, each notice as name+".email" and
	// name+".sms". New fills in what is left zero: Altinn Notifications for
	// SMS and e-mail (GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL; the sandbox's
	// fake in development), SMTP for e-mail when GRUNNMUR_SMTP_URL is set,
	// KRR (GRUNNMUR_KRR_BASE_URL) for addresses and reservations, the
	// outbox, clock and logger. It adds KRR's and Altinn's scopes, so that
	// production refuses to start without them, and mounts the Min side
	// choice of channel at ChannelPath (ChannelChoice), which goes back to
	// ChoiceBack ("/min-side" when empty).
	Notify     *notify.Config
	ChoiceBack string
	// BookingNotices tells the citizen of their bookings' confirmation,
	// a reminder and a cancellation by e-mail or SMS (see BookingNotices).
	// It needs Bookings; Notify is made when nil, with the site's templates
	// (BookingTemplates) when it has none.
	BookingNotices *BookingNotices
	// NotFound are more errors that Fail answers with 404 without a log
	// line; the parts' own not-found errors and ErrNotYours are there
	// already.
	NotFound []error
}

// Service is a running municipal e-service's wiring, built by New: the
// outside services (real, or the sandbox's fakes), the stores, the logins,
// the parts in use, the pages and the routes they share. The service adds
// its own routes to Mux and serves Handler.
type Service struct {
	// Config is the configuration with its defaults filled in.
	Config Config
	// Externals are the outside services' configurations; Fakes the
	// sandbox, when one runs.
	Externals *Externals
	Fakes     *Fakes
	// DB is the PostgreSQL database; nil in memory.
	DB *postgres.DB
	// Events is the outbox every memory store of the service appends its
	// events to (see package events); nil with a database, whose stores
	// write them to its events_outbox table.
	Events *events.Memory
	// MinSide is the citizens' Min side, kept from the events of the
	// service's stores (see MinSideFor); RunJobs feeds it in process, or,
	// with GRUNNMUR_NATS_URL, from the service's NATS stream.
	MinSide *MinSide
	// Mux holds the routes: New's (health, styles, logins, webhook, the
	// not-found page at "/") and the service's own.
	Mux *http.ServeMux
	// Citizen is the citizens' login (ID-porten at CitizenAuth); Officer
	// the officers' (Ansattporten at OfficerAuth), nil without officers.
	Citizen, Officer *auth.Manager
	// Officers are the allow-listed officers' fødselsnumre (digits).
	Officers map[string]bool
	// OwnerKeys turn a person or an organisation into the opaque key that
	// records are kept under (GRUNNMUR_OWNER_SECRET).
	OwnerKeys forms.OwnerKeys
	// Forms and Files keep applications and uploads; nil without Forms.
	Forms forms.Store
	Files forms.Files
	// The parts of the ServiceConfig, completed; nil when not in use.
	Payments *payment.Service
	Invoices *payment.Service
	Webhook  *Webhook
	Bookings *booking.Service
	Cases    *sak.Service
	Letters  *svarut.Outbox
	// Archiver journals the cases into the archive (ServiceConfig.Archive);
	// nil when journaling is off, and ArchiveOff says why.
	Archiver   *sak.Archiver
	ArchiveOff string
	// Notify sends the notifications, Channels keeps the citizens' choice
	// of channel; both nil without ServiceConfig.Notify.
	Notify   *notify.Sender
	Channels notify.Channels
	// Messages are the service's texts with the parts' own behind them.
	Messages Messages
	// Templates are the parsed pages, by name.
	Templates map[string]*template.Template

	menu            func(r *http.Request, officer bool) []NavLink
	notifyTemplates *notify.Templates
	bookingNotice   *BookingNotices
	choiceBack      string
	notFound        []error
	minSideFeed     *minSideFeed
	nats            *natsEvents
	draftMaxAge     time.Duration
	fiksio          *fiksio.Client
	archiveOptions  func() sak.ArchiveOptions
	closeOnce       sync.Once
}

// New builds the service that c describes: it reads the outside services'
// configuration (Setup: the sandbox stands in for those left unset in
// development), opens the database or the memory stores, makes the logins
// and the parts in use, parses the pages and mounts the shared routes. A
// failure is returned with everything started so far stopped; on success
// the caller Closes the Service.
//
// A whole service is New, its own pages on Mux, and Handler, RunJobs and
// Close handed to Main:
//
//	svc, err := site.New(ctx, site.ServiceConfig{Config: cfg, Messages: texts, Pages: templateFS,
//		Forms: true, Cases: &sak.Service{}, Payments: &payment.Service{ReferencePrefix: "hund"}})
//	if err != nil {
//		return nil, err
//	}
//	svc.Form(&forms.Flow{Def: def, Prefix: "/soknad", Submitted: openCase})
//	svc.Mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
//		svc.Render(w, r, "start", http.StatusOK, svc.Page(r, "start.title", nil))
//	})
//	svc.Mux.Handle("GET /mine", svc.ForCitizens(minePage))
//	return &site.Running{Handler: svc.Handler(), Run: svc.RunJobs, Close: svc.Close}, nil
func New(ctx context.Context, c ServiceConfig) (_ *Service, err error) {
	cfg, err := c.Config.Defaults()
	if err != nil {
		return nil, err
	}
	s := &Service{Config: cfg, Mux: http.NewServeMux(), menu: c.Menu, draftMaxAge: c.DraftMaxAge,
		Messages: withPartTexts(c.Messages)}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	scopes := c.Scopes
	if c.BookingNotices != nil && c.Notify == nil {
		c.Notify = &notify.Config{}
	}
	if c.Notify != nil {
		scopes = append(slices.Clip(scopes), notifyScopes...)
	}
	o := Options{Public: cfg.PublicURL, Scopes: scopes, Invoices: c.Invoices != nil, Sandbox: c.Sandbox, Logger: cfg.Logger, Now: cfg.Now}
	if c.Officers {
		o.OfficerPrefix = OfficerAuth // a service without officers needs no Ansattporten
	}
	if s.Externals, err = Setup(cfg.Getenv, o); err != nil {
		return nil, err
	}
	s.Fakes, s.Officers = s.Externals.Fakes, s.Externals.Officers
	if s.OwnerKeys, err = OwnerKeys(cfg); err != nil {
		return nil, err
	}
	if s.DB, err = OpenDatabase(ctx, cfg); err != nil {
		return nil, err
	}
	if err := s.eventFeed(ctx); err != nil {
		return nil, err
	}
	if err := s.logins(c.Officers); err != nil {
		return nil, err
	}
	if c.Forms {
		s.openForms()
	}
	if err := s.parts(ctx, c); err != nil {
		return nil, err
	}
	if err := s.journaling(c); err != nil {
		return nil, err
	}
	if s.Templates, err = s.parsePages(c); err != nil {
		return nil, err
	}
	s.notFound = append([]error{ErrNotYours, sak.ErrNotFound, sak.ErrForbidden, booking.ErrNotFound, forms.ErrFileNotFound}, c.NotFound...)
	s.routes()
	return s, nil
}

// eventFeed makes the outbox (in memory without a database), Min side and
// the one relay of the outbox: to the NATS stream when GRUNNMUR_NATS_URL is
// set, else to Min side in process.
func (s *Service) eventFeed(ctx context.Context) error {
	s.MinSide = &MinSide{}
	var o events.Outbox
	if s.DB == nil {
		s.Events = &events.Memory{}
		o = s.Events
	} else {
		o = postgres.NewEventOutbox(s.DB)
	}
	if c := s.Externals.NATS; c != nil {
		n, err := connectNATS(ctx, *c, cmp.Or(s.Config.Name, nameFrom(ctx)), s.MinSide, s.Config.Logger)
		if err != nil {
			return err
		}
		s.nats = n
	}
	s.minSideFeed = newMinSideFeed(o, s.MinSide, s.nats, s.Config.Logger)
	return nil
}

// logins makes the citizens' auth.Manager and, with officers, the
// officers', their sessions in the database when there is one.
func (s *Service) logins(officers bool) error {
	var store auth.Store
	if s.DB != nil {
		store = postgres.NewAuthStore(s.DB)
	}
	var err error
	if s.Citizen, err = s.manager(s.Externals.IDPorten, store, CitizenAuth, ""); err != nil {
		return fmt.Errorf("site: ID-porten: %w", err)
	}
	if officers {
		if s.Officer, err = s.manager(s.Externals.Ansattporten, store, OfficerAuth, "grunnmur_officer"); err != nil {
			return fmt.Errorf("site: Ansattporten: %w", err)
		}
	}
	return nil
}

// manager is one provider's auth.Manager at prefix, on the service's
// clock, language and error page.
func (s *Service) manager(lc idporten.Config, store auth.Store, prefix, cookie string) (*auth.Manager, error) {
	lc.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	lc.Now, lc.Logger = s.Config.Now, s.Config.Logger
	login, err := idporten.New(lc)
	if err != nil {
		return nil, err
	}
	return &auth.Manager{Login: login, Store: store, Prefix: prefix, CookieName: cookie,
		Insecure: strings.HasPrefix(s.Config.PublicURL, "http://"), Lang: Lang, Now: s.Config.Now, Logger: s.Config.Logger,
		AfterLogout: "/?loggedout=1", AfterCancel: AfterCancel, ErrorHandler: s.LoginFailed}, nil
}

// openForms sets the application and upload stores.
func (s *Service) openForms() {
	if s.DB == nil {
		s.Forms, s.Files = &forms.MemoryStore{Events: s.Events}, &forms.MemoryFileStore{Now: s.Config.Now}
		return
	}
	files := postgres.NewFileStore(s.DB)
	files.Now = s.Config.Now
	s.Forms, s.Files = postgres.NewFormsStore(s.DB), files
}

// parts completes the parts c sets and keeps them: each gets its store, the
// clock and the logger where they are zero; payments get the Vipps client
// and its webhook, letters the SvarUT client.
func (s *Service) parts(ctx context.Context, c ServiceConfig) error {
	db := s.DB
	if p := c.Payments; p != nil {
		if err := s.payments(ctx, p); err != nil {
			return err
		}
	}
	if p := c.Invoices; p != nil {
		if err := s.invoices(p); err != nil {
			return err
		}
	}
	if b := c.Bookings; b != nil {
		switch {
		case b.Store != nil:
		case db != nil:
			b.Store = postgres.NewBookingStore(db)
		default:
			b.Store = &booking.MemoryStore{Events: s.Events}
		}
		s.fill(&b.Now, &b.Logger)
		s.Bookings = b
	}
	if k := c.Cases; k != nil {
		switch {
		case k.Store != nil:
		case db != nil:
			k.Store = postgres.NewSakStore(db)
		default:
			k.Store = &sak.MemoryStore{Events: s.Events}
		}
		s.fill(&k.Now, &k.Logger)
		s.Cases = k
	}
	if o := c.Letters; o != nil {
		if err := s.letters(o); err != nil {
			return err
		}
	}
	if c.BookingNotices != nil {
		if err := s.prepareBookingNotices(&c); err != nil {
			return err
		}
	}
	if n := c.Notify; n != nil {
		s.choiceBack = cmp.Or(c.ChoiceBack, "/min-side")
		if err := s.notifier(n); err != nil {
			return err
		}
	}
	if c.BookingNotices != nil {
		s.bookingNotices(c.BookingNotices)
	}
	return nil
}

// payments completes p: without a Provider of its own it takes payments
// through Vipps, whose webhook it registers.
func (s *Service) payments(ctx context.Context, p *payment.Service) error {
	s.paymentStore(p)
	s.Payments = p
	if p.Provider != nil {
		return nil
	}
	client, err := s.Externals.VippsClient(p.Now, p.Logger)
	if err != nil {
		return err
	}
	p.Provider = client
	if err := s.Externals.RegisterWebhook(ctx, client, p); err != nil {
		return err
	}
	s.Webhook = s.Externals.Webhook
	return nil
}

// DevInvoiceAccount is the account invoices name in development while
// GRUNNMUR_INVOICE_ACCOUNT is unset: a valid number that belongs to no one.
const DevInvoiceAccount = "1503.10.12349"

// invoices completes p, the payments by invoice: without a Provider of its
// own it is a payment.Invoicing whose zero fields New fills: the Account
// from GRUNNMUR_INVOICE_ACCOUNT (required in production; DevInvoiceAccount
// in development), the invoices' Store (PostgreSQL with a database) and the
// clock. p's records go in the Vipps payments' store when there is one.
func (s *Service) invoices(p *payment.Service) error {
	inv, ok := p.Provider.(*payment.Invoicing)
	if p.Provider == nil {
		inv, ok = &payment.Invoicing{}, true
		p.Provider = inv
	}
	if ok && inv.Account == "" {
		raw := s.Config.Getenv("GRUNNMUR_INVOICE_ACCOUNT")
		if raw == "" && s.Externals.Env == Production {
			return fmt.Errorf("%w: GRUNNMUR_INVOICE_ACCOUNT is unset", ErrConfig)
		} else if raw == "" {
			raw = DevInvoiceAccount
		}
		account, err := ident.ParseKontonummer(raw)
		if err != nil {
			return fmt.Errorf("%w: GRUNNMUR_INVOICE_ACCOUNT: %w", ErrConfig, err)
		}
		inv.Account = account
	}
	if ok && inv.Store == nil && s.DB != nil {
		inv.Store = postgres.NewInvoiceStore(s.DB)
	}
	if ok && inv.Now == nil {
		inv.Now = s.Config.Now
	}
	if p.Store == nil && s.Payments != nil {
		p.Store = s.Payments.Store
	}
	s.paymentStore(p)
	s.Invoices = p
	return nil
}

// paymentStore fills p's zero Store (PostgreSQL with a database, else in
// memory), clock and logger.
func (s *Service) paymentStore(p *payment.Service) {
	switch {
	case p.Store != nil:
	case s.DB != nil:
		p.Store = postgres.NewPaymentStore(s.DB)
	default:
		p.Store = &payment.MemoryStore{Events: s.Events}
	}
	s.fill(&p.Now, &p.Logger)
}

// letters completes the SvarUT outbox o.
func (s *Service) letters(o *svarut.Outbox) error {
	if o.Documents == nil {
		return fmt.Errorf("%w: Letters without Documents", ErrConfig)
	}
	if o.Store == nil && s.DB != nil {
		o.Store = postgres.NewSvarUTStore(s.DB)
	}
	if o.Store == nil {
		o.Store = &svarut.MemoryStore{Events: s.Events}
	}
	s.fill(&o.Now, &o.Logger)
	if o.Client == nil {
		sc := s.Externals.SvarUT
		sc.Now = s.Config.Now
		client, err := svarut.New(sc)
		if err != nil {
			return fmt.Errorf("site: SvarUT: %w", err)
		}
		o.Client = client
	}
	s.Letters = o
	return nil
}

// fill sets *now and *log to the service's clock and logger where they
// are nil.
func (s *Service) fill(now *func() time.Time, log **slog.Logger) {
	if *now == nil {
		*now = s.Config.Now
	}
	if *log == nil {
		*log = s.Config.Logger
	}
}

// parsePages parses c's page templates over the layout.
func (s *Service) parsePages(c ServiceConfig) (map[string]*template.Template, error) {
	if c.Pages == nil {
		return Templates(pagesNone{}, c.Funcs)
	}
	pats := c.PagePatterns
	if len(pats) == 0 {
		pats = []string{"templates/*.html"}
	}
	return Templates(c.Pages, c.Funcs, pats...)
}

// pagesNone is an empty file system: a service with no pages of its own
// still has the error page.
type pagesNone struct{}

func (pagesNone) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
