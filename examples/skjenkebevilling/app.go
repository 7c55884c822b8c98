package main

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/devenv/sandbox"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// The form, the pages (templates/*.html; templates/form/ adds the way on
// to the payment to the form's receipt) and every text in nb, nn and en.
//
//go:embed skjenkebevilling.json messages.json notify.json templates
var files embed.FS

var formJSON, _ = files.ReadFile("skjenkebevilling.json")

// The notifications (receipt, payment reminder, decision), checked at start.
var notifyJSON, _ = files.ReadFile("notify.json")

// A bad messages.json stops New with a site.ErrMessages naming the key.
var messages, messagesErr = site.LoadMessages(files, "messages.json")

// The service's fixed choices.
const (
	kind           = "skjenkebevilling"
	fee            = money.Amount(150000) // 1 500 kr in øre
	inspection     = "befaring"           // the booking resource: the officers' inspection calendar
	decisionDays   = sak.Days(60)         // saksbehandlingsfrist, in calendar days
	draftRetention = 90 * 24 * time.Hour  // an application not sent is deleted this long after its last change
	casesPerPage   = 25                   // the officer's list
	// Scopes asked of Maskinporten.
	scopeBrregRoller = "brreg:data:enhetsregisteret:roller"
	scopeFiks        = "ks:fiks"
)

var system = sak.Actor{Role: sak.RoleSystem, ID: "skjenkebevilling"}

// App is the skjenkebevilling service: the wiring every service shares
// (site.Service), the form and Enhetsregisteret.
type App struct {
	*site.Service
	def   *forms.Definition
	brreg *brreg.Client
}

// New builds the service with its fakes started; Close stops them.
func New(ctx context.Context, cfg site.Config) (_ *App, err error) {
	if messagesErr != nil {
		return nil, messagesErr
	}
	a := &App{}
	if a.def, err = forms.Parse(formJSON); err != nil {
		return nil, err
	}
	notices, err := notify.ParseTemplates(notifyJSON)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"fileSize": forms.FormatBytes, "fileType": forms.FileTypeName,
		"amount": func(a money.Amount, lang i18n.Lang) string { return lang.Amount(a) }}
	a.Service, err = site.New(ctx, site.ServiceConfig{Config: cfg, Messages: messages, Pages: files, Funcs: funcs,
		Scopes: []string{scopeBrregRoller, scopeFiks}, Sandbox: sandbox.Start, Officers: true, Forms: true, DraftMaxAge: draftRetention,
		Menu:     menu,
		Notify:   &notify.Config{Templates: notices, Conditions: map[string]notify.Condition{"unpaid": a.unpaid}},
		Payments: &payment.Service{ReferencePrefix: "skjenk", OnSettled: a.feePaid},
		Bookings: &booking.Service{}, Archive: a.archiveOptions,
		// A decision is made only with its letter.
		Cases: &sak.Service{DecisionPeriod: decisionDays,
			PrepareDecision: func(ctx context.Context, c *sak.Case) error { _, err := a.letter(ctx, c); return err }},
		Letters: &svarut.Outbox{Documents: a.documents(), OnFinal: a.letterFinal, PollInterval: 5 * time.Second, RetryBase: 5 * time.Second},
	})
	if err != nil {
		return nil, err
	}
	if err = a.wire(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// wire adds Enhetsregisteret, the inspection calendar (an hour on weekdays
// from 9 to 15, a day to 60 days ahead) and the service's own pages.
func (a *App) wire(ctx context.Context) (err error) {
	if a.brreg, err = a.Externals.BrregClient(a.Config.Now, a.Config.Logger); err != nil {
		return err
	}
	if err := a.Bookings.PutResource(ctx, &booking.Resource{
		ID: inspection, Name: "Befaring skjenkested", Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true,
		Hours:     booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)}),
		MinNotice: 24 * time.Hour, MaxHorizon: 60 * 24 * time.Hour, PerDay: 1,
	}); err != nil {
		return err
	}
	formPages, err := a.FormPages("/soknad", files, "templates/form/*.html")
	if err != nil {
		return err
	}
	a.Form(&forms.Flow{Def: a.def, Prefix: "/soknad", Submitted: a.submitted, Renderer: forms.Renderer{Templates: formPages}})
	if err := a.Appointment(site.Appointment{Resource: inspection, Base: "/sak", Path: "befaring",
		Title: func(c *sak.Case) string { return "Befaring " + c.Number() }}); err != nil {
		return err
	}
	mux, citizen, officer := a.Mux, a.ForCitizens, a.ForOfficers
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		a.Render(w, r, "start", http.StatusOK, a.Page(r, "start.title", map[string]any{"Notice": site.StartNotice(r.URL.Query())}))
	})
	mux.Handle("GET /soknad/ny", citizen(func(w http.ResponseWriter, r *http.Request) {
		a.Render(w, r, "org", http.StatusOK, a.Page(r, "org.title", orgForm{}))
	}))
	mux.Handle("POST /soknad/ny", citizen(a.orgPost))
	mux.Handle("GET /kvittering/{sub}", citizen(a.afterSubmit))
	mux.Handle("GET /sak/{id}", citizen(a.casePage))
	mux.Handle("POST /sak/{id}/betal", citizen(a.payStart))
	mux.Handle("GET /sak/{id}/betalt", citizen(a.payReturn))
	mux.Handle("GET /sak/{id}/brev.pdf", citizen(a.letterPDF))
	mux.Handle("GET /sak/{id}/vedlegg/{file}", citizen(a.attachment))
	mux.Handle("GET /min-side", citizen(a.minSide))
	mux.Handle("GET /ansatt", officer(a.officerList))
	mux.Handle("GET /ansatt/sak/{id}", officer(a.officerCase))
	mux.Handle("POST /ansatt/sak/{id}/vedtak", officer(a.officerDecide))
	mux.Handle("GET /ansatt/sak/{id}/brev.pdf", officer(a.letterPDF))
	mux.Handle("GET /ansatt/sak/{id}/vedlegg/{file}", officer(a.attachment))
	mux.Handle("GET /ansatt/uttrekk", officer(a.extract))
	return nil
}

// menu is the header's menu: Min side for a citizen, the case list for an
// officer.
func menu(_ *http.Request, officer bool) []site.NavLink {
	if officer {
		return []site.NavLink{{Href: "/ansatt", Text: "nav.officer"}}
	}
	return []site.NavLink{{Href: "/min-side", Text: "nav.minside"}}
}
