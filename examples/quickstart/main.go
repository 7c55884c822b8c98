// Command quickstart is the smallest complete grunnmur service: ID-porten
// login, a two-page form (form.json) whose submission opens a case, the fee
// paid with Vipps, a receipt and logout. Every outside service is faked in
// the process until its GRUNNMUR_* variables name the real one.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/devenv/sandbox"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

//go:embed form.json texts.json templates/*.html
var files embed.FS // the form, the pages' texts in nb, nn and en, and the pages

const fee = money.Amount(500_00) // 500 kr, in øre

func main() { site.Run("quickstart", "127.0.0.1:8082", start) }

// service is what the handlers share.
type service struct {
	public string
	login  *auth.Manager
	owner  func(r *http.Request) (string, error)
	cases  *sak.Service
	pay    *payment.Service
	pages  site.ErrorPages
}

// start wires ID-porten, Vipps, the cases and the form into one handler.
func start(ctx context.Context, cfg site.Config) (*site.Running, error) {
	ext, err := site.Setup(cfg.Getenv, site.Options{Public: cfg.PublicURL, Sandbox: sandbox.Start, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s := &service{public: cfg.PublicURL, cases: &sak.Service{Logger: cfg.Logger},
		login: &auth.Manager{AfterLogout: "/?loggedout=1", AfterCancel: site.AfterCancel, Logger: cfg.Logger},
		pages: site.ErrorPages{Log: cfg.Logger, NotFound: []error{sak.ErrNotFound}}}
	owners, err1 := site.OwnerKeys(cfg)
	vipps, err2 := ext.VippsClient(nil, cfg.Logger)
	pages, err3 := site.Templates(files, nil, "templates/*.html")
	texts, _ := files.ReadFile("texts.json")
	if err := errors.Join(ext.CitizenLogin(s.login), err1, err2, err3, json.Unmarshal(texts, &s.pages.Messages)); err != nil {
		ext.Close()
		return nil, err
	}
	s.owner, s.pages.Templates = site.CitizenOwner(owners), pages
	s.pay = &payment.Service{Provider: vipps, OnSettled: s.settled, Logger: cfg.Logger}
	form, _ := files.ReadFile("form.json")
	flow := &forms.Flow{Def: forms.MustParse(form), Prefix: "/soknad", Owner: s.owner, Submitted: s.submitted,
		Lang: site.Lang, Hidden: s.login.CSRFField, Renderer: forms.Renderer{Stylesheet: "/static/forms.css"}}

	login := s.login.RequireLogin(idporten.Substantial)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
	mux.HandleFunc("GET /static/forms.css", site.Static("text/css; charset=utf-8", forms.CSS()))
	mux.Handle("/auth/", s.login.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, "home", site.StartNotice(r.URL.Query())) // "you are logged out", say
	})
	mux.Handle("/soknad/", login(http.StripPrefix("/soknad", flow.Limit(s.login.CSRF(flow)))))
	// The form's own receipt gives way to one that shows the case and its fee.
	mux.Handle("GET /soknad/receipt/{sub}", login(s.pages.Handle(s.receipt)))
	mux.Handle("POST /soknad/receipt/{sub}", login(s.login.CSRF(s.pages.Handle(s.startPayment))))
	mux.Handle("/", s.pages.NotFoundHandler())
	return &site.Running{Handler: ext.Headers().Secure(site.Log(cfg.Logger, site.RememberLang(mux))),
		Jobs: []site.Job{{Name: "payments", Every: 30 * time.Second, Runner: s.pay},
			{Name: "sessions", Every: 5 * time.Minute, Runner: s.login.Cleaner()}},
		Close: ext.Close, Banner: ext.Fakes.Print}, nil
}

// submitted opens a case for the submission, waiting for its fee.
func (s *service) submitted(ctx context.Context, sub *forms.Submission) error {
	_, err := s.cases.Open(ctx, sak.Application{Kind: "torgplass", Title: "Søknad om torgplass", Owner: sub.Owner,
		AwaitPayment: true, Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: sub.ID}}})
	return err
}

// caseOf is the citizen's own case that the request's submission opened,
// with its fee settled: the citizen may be back from paying with Vipps.
func (s *service) caseOf(r *http.Request) (*sak.Case, error) {
	owner, err := s.owner(r)
	if err != nil {
		return nil, err
	}
	citizen := sak.Actor{Role: sak.RoleApplicant, ID: owner}
	c, err := s.cases.ByLink(r.Context(), citizen, sak.LinkSubmission, r.PathValue("sub"))
	if err != nil {
		return nil, err
	}
	if p, err := s.pay.Latest(r.Context(), c.ID); err == nil && p.Outcome() == "" {
		s.pay.Settle(r.Context(), p.Reference) // if Vipps does not answer, the payments job tries again
		return s.cases.Get(r.Context(), citizen, c.ID)
	}
	return c, nil
}

// startPayment sends the citizen to Vipps to pay the case's fee.
func (s *service) startPayment(w http.ResponseWriter, r *http.Request) error {
	c, err := s.caseOf(r)
	if err != nil {
		return err
	}
	p, err := s.pay.Start(r.Context(), payment.Order{BusinessKey: c.ID, Amount: fee, Description: "Torgplass " + c.Number(),
		ReturnURL: s.public + r.URL.Path, Metadata: map[string]string{"case": c.ID}})
	if err != nil {
		return err
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
	return nil
}

// settled moves a case whose fee is paid on to the officers, whichever of
// the receipt page and the payments job settles the payment first.
func (s *service) settled(ctx context.Context, p *payment.Payment) error {
	if p.Outcome() != payment.OutcomePaid {
		return nil
	}
	_, err := s.cases.FeePaid(ctx, sak.Actor{Role: sak.RoleSystem, ID: "quickstart"}, p.Metadata["case"], "")
	return err
}

// receipt shows the case and whether its fee is paid.
func (s *service) receipt(w http.ResponseWriter, r *http.Request) error {
	c, err := s.caseOf(r)
	if err != nil {
		return err
	}
	s.render(w, r, "receipt", map[string]any{"Case": c, "Fee": fee, "Paid": c.State != sak.AwaitingPayment})
	return nil
}

// render writes a page of templates/ in the layout, with the logout button
// when the citizen is logged in.
func (s *service) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	page := site.NewPage(r, s.pages.Messages, name+".title", data).WithLogin(s.login, r)
	site.Render(w, s.pages.Log, s.pages.Templates, name, http.StatusOK, page)
}
