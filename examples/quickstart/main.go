// Command quickstart is the smallest complete grunnmur service: a citizen
// logs in with ID-porten, fills in a two-page form, which opens a case, pays
// the fee with Vipps, sees the receipt and logs out.
//
//	go run ./examples/quickstart    # http://127.0.0.1:8082
//
// Every outside service runs as a fake in this process unless its GRUNNMUR_*
// variables point at the real one.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

// The form's definition, the pages' texts in nb, nn and en, and the pages.
//
//go:embed form.json texts.json templates/*.html
var files embed.FS

const fee = money.Amount(500_00) // 500 kr, in øre

func main() { site.Command("quickstart", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return site.Main(ctx, "quickstart", "127.0.0.1:8082", args, getenv, stdout, stderr,
		func(ctx context.Context, public string, log *slog.Logger) (*site.Running, error) {
			return start(ctx, site.Config{PublicURL: public, Getenv: getenv, Logger: log})
		})
}

// service is what the handlers share.
type service struct {
	site.Config
	login  *auth.Manager
	owners forms.OwnerKeys
	forms  forms.Store
	cases  *sak.Service
	pay    *payment.Service
	texts  site.Messages
	pages  map[string]*template.Template
}

func start(ctx context.Context, cfg site.Config) (_ *site.Running, err error) {
	if cfg, err = cfg.Defaults(); err != nil {
		return nil, err
	}
	ext, err := site.Setup(cfg.Getenv, site.Options{Public: cfg.PublicURL, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			ext.Close()
		}
	}()
	s := &service{Config: cfg, forms: forms.NewMemoryStore(), cases: &sak.Service{Logger: cfg.Logger}}
	idp, err := idporten.New(ext.IDPorten)
	if err != nil {
		return nil, err
	}
	s.login = &auth.Manager{Login: idp, Insecure: strings.HasPrefix(cfg.PublicURL, "http:"), Lang: site.Lang,
		AfterLogout: "/?loggedout=1", AfterCancel: site.AfterCancel, Logger: cfg.Logger}
	vipps, err := ext.VippsClient(nil, cfg.Logger)
	if err != nil {
		return nil, err
	}
	s.pay = &payment.Service{Provider: vipps, Logger: cfg.Logger}
	if err := ext.RegisterWebhook(ctx, vipps, s.pay); err != nil {
		return nil, err
	}
	if s.owners, err = site.OwnerKeys(cfg); err != nil {
		return nil, err
	}
	texts, _ := files.ReadFile("texts.json")
	if err := json.Unmarshal(texts, &s.texts); err != nil {
		return nil, err
	}
	if s.pages, err = site.Templates(files, nil, "templates/*.html"); err != nil {
		return nil, err
	}
	formJSON, _ := files.ReadFile("form.json")
	def, err := forms.Parse(formJSON)
	if err != nil {
		return nil, err
	}
	flow := &forms.Flow{Def: def, Store: s.forms, Prefix: "/soknad", Owner: s.owner, Hidden: s.login.CSRFField,
		Lang: func(r *http.Request) i18n.Lang { return i18n.Lang(site.Lang(r)) }, Submitted: s.submitted,
		Renderer: forms.Renderer{Stylesheet: "/static/forms.css"}, Logger: cfg.Logger}

	login := s.login.RequireLogin(idporten.Substantial)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
	mux.HandleFunc("GET /static/forms.css", site.Static("text/css; charset=utf-8", forms.CSS()))
	mux.Handle("/auth/", s.login.Handler())
	mux.Handle("POST "+site.WebhookPath, ext.Webhook)
	mux.HandleFunc("GET /{$}", s.home)
	mux.Handle("/soknad/", login(http.StripPrefix("/soknad", flow.Limit(s.login.CSRF(flow)))))
	// The form's own receipt is replaced by one that shows the case and its fee.
	mux.Handle("GET /soknad/receipt/{sub}", login(http.HandlerFunc(s.receipt)))
	mux.Handle("POST /soknad/receipt/{sub}/pay", login(s.login.CSRF(http.HandlerFunc(s.startPayment))))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.errorPage(w, r, http.StatusNotFound) })
	headers := site.Headers{FrameAncestors: []string{ext.IDPorten.Issuer}, FramePath: []string{"/auth/frontchannel-logout"},
		FormAction: []string{ext.IDPorten.Issuer, ext.Vipps.BaseURL, "https://pay.vipps.no", "https://pay-mt.vipps.no"}}
	return &site.Running{
		Handler: headers.Secure(site.Log(cfg.Logger, site.RememberLang(mux))),
		Run:     func(ctx context.Context) { site.Background(ctx, cfg.Logger, []*payment.Service{s.pay}, s.login) },
		Close:   ext.Close, Banner: ext.Fakes.Print,
	}, nil
}

// owner is the logged-in citizen's key in the stores: an HMAC of the
// fødselsnummer, so that no store holds the number.
func (s *service) owner(r *http.Request) (string, error) {
	c, ok := auth.CitizenFrom(r.Context())
	if !ok {
		return "", auth.ErrNoSession
	}
	return s.owners.Key(forms.Owner{Person: c.PID})
}

// submitted opens a case for the submission, waiting for the fee.
func (s *service) submitted(ctx context.Context, sub *forms.Submission) error {
	_, err := s.cases.Open(ctx, sak.Application{Kind: "torgplass", Title: "Søknad om torgplass", Owner: sub.Owner,
		AwaitPayment: true, Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: sub.ID}}})
	return err
}

// caseOf is the logged-in citizen's case that the request's submission opened.
func (s *service) caseOf(r *http.Request) (*sak.Case, error) {
	owner, err := s.owner(r)
	if err != nil {
		return nil, err
	}
	for c, err := range s.cases.Cases(r.Context(), sak.Filter{Owner: owner}) {
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(c.LinksOf(sak.LinkSubmission), func(l sak.Link) bool { return l.Ref == r.PathValue("sub") }) {
			return c, nil
		}
	}
	return nil, sak.ErrNotFound
}

func (s *service) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "home", "home.title", http.StatusOK, site.StartNotice(r.URL.Query()))
}

func (s *service) receipt(w http.ResponseWriter, r *http.Request) {
	c, err := s.caseOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, p, err := s.settle(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := i18n.Lang(site.Lang(r))
	s.render(w, r, "receipt", "receipt.title", http.StatusOK, map[string]any{"Number": c.Number(), "State": c.State.Label(lang),
		"Fee": lang.Amount(fee), "Paid": p != nil && p.Aggregate.Captured >= fee})
}

func (s *service) startPayment(w http.ResponseWriter, r *http.Request) {
	c, err := s.caseOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.pay.Start(r.Context(), payment.Order{BusinessKey: c.ID + "/gebyr", Amount: fee,
		Description: "Torgplass " + c.Number(), ReturnURL: s.PublicURL + "/soknad/receipt/" + r.PathValue("sub")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
}

// settle brings the case's fee up to date: it asks Vipps, captures an
// authorised payment and moves a paid case on to the officers.
func (s *service) settle(ctx context.Context, c *sak.Case) (*sak.Case, *payment.Payment, error) {
	p, err := s.pay.Latest(ctx, c.ID+"/gebyr")
	if errors.Is(err, payment.ErrNotFound) {
		return c, nil, nil
	}
	if err != nil {
		return c, nil, err
	}
	if !p.State.Final() && !p.State.Ended() {
		if p, err = s.pay.Reconcile(ctx, p.Reference); err != nil {
			return c, nil, err
		}
	}
	if p.State == payment.Authorized {
		if p, err = s.pay.Capture(ctx, c.ID+"/gebyr", payment.Modification{}); err != nil {
			return c, nil, err
		}
	}
	if p.Aggregate.Captured >= p.Amount && c.State == sak.AwaitingPayment {
		c, err = s.cases.Transition(ctx, sak.Actor{Role: sak.RoleSystem, ID: "quickstart"}, c.ID, sak.InProgress, "fee paid")
	}
	return c, p, err
}

// render writes a page of templates/ in the site's layout.
func (s *service) render(w http.ResponseWriter, r *http.Request, name, title string, status int, data any) {
	lang := site.Lang(r)
	p := &site.Page{Lang: lang, Path: r.URL.Path, Service: s.texts.T(lang, "service"), Data: data,
		T: func(key string) string { return s.texts.T(lang, key) }}
	p.Title = p.T(title)
	if sess, err := s.login.Session(r); err == nil && sess.LoggedIn() {
		p.LoggedIn, p.Logout, p.CSRF = true, "/auth/logout", s.login.CSRFField(r)
	}
	site.Render(w, s.Logger, s.pages, name, status, p)
}

func (s *service) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	key := site.ErrorKey(s.texts, status)
	s.render(w, r, "error", key, status, key+".text")
}

func (s *service) fail(w http.ResponseWriter, r *http.Request, err error) {
	site.ErrorPages{Log: s.Logger, Page: s.errorPage, NotFound: []error{sak.ErrNotFound}}.Fail(w, r, err)
}
