package main

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
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

	// svc is the wiring every service shares (site.New); the fields below
	// are its parts, named for this service.
	svc     *site.Service
	log     *slog.Logger
	now     func() time.Time
	citizen *auth.Manager
	officer *auth.Manager
	def     *forms.Definition
	forms   forms.Store
	owners  forms.OwnerKeys
	brreg   *brreg.Client
	pay     *payment.Service
	book    *booking.Service
	sak     *sak.Service
	outbox  *svarut.Outbox
	letters svarut.Store
	files   forms.Files
	ext     *site.Externals
}

// New builds the service with its fakes started. Close stops them.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	if messagesErr != nil {
		return nil, messagesErr
	}
	a := &App{}
	if a.def, err = forms.Parse(formJSON); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"fileSize": forms.FormatBytes, "fileType": forms.FileTypeName,
		"amount": func(a money.Amount, lang i18n.Lang) string { return lang.Amount(a) }}
	s, err := site.New(ctx, site.ServiceConfig{Config: cfg, Messages: messages, Pages: templateFS, Funcs: funcs,
		Scopes: []string{scopeBrregRoller, scopeFiks}, Sandbox: sandbox, Officers: true, Forms: true, DraftMaxAge: draftRetention, Menu: menu,
		Payments: &payment.Service{ReferencePrefix: "skjenk", OnSettled: a.feePaid},
		Bookings: &booking.Service{},
		// A decision is made only with its letter.
		Cases: &sak.Service{DecisionPeriod: decisionDays,
			PrepareDecision: func(ctx context.Context, c *sak.Case) error { _, err := a.letter(ctx, c); return err }},
		Letters: &svarut.Outbox{Documents: a.documents(), OnFinal: a.letterFinal,
			PollInterval: 5 * time.Second, RetryBase: 5 * time.Second},
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	a.svc, a.log, a.now, a.Fakes, a.ext = s, s.Config.Logger, s.Config.Now, s.Fakes, s.Externals
	a.citizen, a.officer, a.owners, a.forms, a.files = s.Citizen, s.Officer, s.OwnerKeys, s.Forms, s.Files
	a.pay, a.book, a.sak, a.outbox, a.letters = s.Payments, s.Bookings, s.Cases, s.Letters, s.Letters.Store
	if a.brreg, err = a.ext.BrregClient(a.now, a.log); err != nil {
		return nil, err
	}
	if err := a.putInspection(ctx); err != nil {
		return nil, err
	}
	a.routes()
	a.Handler = s.Handler()
	return a, nil
}

// menu is the header's menu: Min side for a citizen, the case list for an
// officer.
func menu(_ *http.Request, officer bool) []site.NavLink {
	if officer {
		return []site.NavLink{{Href: "/ansatt", Text: "nav.officer"}}
	}
	return []site.NavLink{{Href: "/min-side", Text: "nav.minside"}}
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

// Run does the background work until ctx ends (site.Service.RunJobs).
func (a *App) Run(ctx context.Context) { a.svc.RunJobs(ctx) }

// draftRetention is how long an application not sent is kept after its
// last change: its answers and uploads are then deleted.
const draftRetention = 90 * 24 * time.Hour

// draftExpiry is the job that deletes the applications abandoned for
// draftRetention, with their uploads.
func (a *App) draftExpiry() *forms.DraftExpiry {
	return &forms.DraftExpiry{Store: a.forms, Files: a.files, MaxAge: draftRetention, Now: a.now, Logger: a.log}
}

// Close stops the fakes and closes the database.
func (a *App) Close() { a.svc.Close() }

// routes mounts the service's own pages on the shared ones (site.New).
func (a *App) routes() {
	mux, citizen, officer := a.svc.Mux, a.svc.ForCitizens, a.svc.ForOfficers
	mux.HandleFunc("GET /{$}", a.start)
	mux.Handle("GET /soknad/ny", citizen(a.orgPage))
	mux.Handle("POST /soknad/ny", citizen(a.orgPost))
	a.svc.Form(&forms.Flow{Def: a.def, Prefix: "/soknad", Submitted: a.submitted, Renderer: forms.Renderer{Templates: a.formTemplates()}})
	mux.Handle("GET /kvittering/{sub}", citizen(a.afterSubmit))

	mux.Handle("GET /sak/{id}", citizen(a.casePage))
	mux.Handle("POST /sak/{id}/betal", citizen(a.payStart))
	mux.Handle("GET /sak/{id}/betalt", citizen(a.payReturn))
	mux.Handle("GET /sak/{id}/befaring", citizen(a.bookPage))
	mux.Handle("POST /sak/{id}/befaring", citizen(a.bookHold))
	mux.Handle("POST /sak/{id}/befaring/{res}", citizen(a.bookConfirm))
	mux.Handle("GET /sak/{id}/befaring/{res}", citizen(a.bookHeld))
	mux.Handle("GET /sak/{id}/befaring/{res}/ics", citizen(a.bookICS))
	mux.Handle("GET /sak/{id}/brev.pdf", citizen(a.letterPDF))
	mux.Handle("GET /sak/{id}/vedlegg/{file}", citizen(a.citizenAttachment))
	mux.Handle("GET /min-side", citizen(a.minSide))

	mux.Handle("GET /ansatt", officer(a.officerList))
	mux.Handle("GET /ansatt/sak/{id}", officer(a.officerCase))
	mux.Handle("POST /ansatt/sak/{id}/vedtak", officer(a.officerDecide))
	mux.Handle("GET /ansatt/sak/{id}/brev.pdf", officer(a.officerLetterPDF))
	mux.Handle("GET /ansatt/sak/{id}/vedlegg/{file}", officer(a.officerAttachment))
	mux.Handle("GET /ansatt/uttrekk", officer(a.extract))
}
