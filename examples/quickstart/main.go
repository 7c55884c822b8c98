// Command quickstart is the smallest complete grunnmur service: ID-porten
// login, a two-page form (form.json) whose submission opens a case, the fee
// paid with Vipps, a receipt and logout. Every outside service is faked in
// the process until its GRUNNMUR_* variables name the real one, and
// GRUNNMUR_DATABASE_URL keeps everything in PostgreSQL.
package main

import (
	"context"
	"embed"
	"net/http"

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

// service is the quickstart's own part; site.Service is the rest.
type service struct {
	*site.Service
	form *forms.Definition
}

// start builds the service: the login, the cases, the payments and the
// form from site.New, and the quickstart's own pages.
func start(ctx context.Context, cfg site.Config) (*site.Running, error) {
	texts, err := site.LoadMessages(files, "texts.json")
	if err != nil {
		return nil, err
	}
	form, _ := files.ReadFile("form.json")
	s := &service{form: forms.MustParse(form)} // before site.New, whose payments call s.settled
	svc, err := site.New(ctx, site.ServiceConfig{Config: cfg, Messages: texts, Pages: files, Sandbox: sandbox.Start,
		Forms: true, Cases: &sak.Service{}, Payments: &payment.Service{OnSettled: s.settled}})
	if err != nil {
		return nil, err
	}
	s.Service = svc
	s.Form(&forms.Flow{Def: s.form, Prefix: "/soknad", Submitted: s.submitted})
	s.Mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.Render(w, r, "home", http.StatusOK, s.Page(r, "home.title", site.StartNotice(r.URL.Query())))
	})
	// The form's own receipt gives way to one that shows the case and its fee.
	s.Mux.Handle("GET /soknad/receipt/{sub}", s.ForCitizens(s.receipt))
	s.Mux.Handle("POST /soknad/receipt/{sub}", s.ForCitizens(s.startPayment))
	return &site.Running{Handler: s.Handler(), Run: s.RunJobs, Close: s.Close, Banner: s.Fakes.Print}, nil
}

// submitted opens a case for the submission, waiting for its fee.
func (s *service) submitted(ctx context.Context, sub *forms.Submission) error {
	_, err := s.Cases.Open(ctx, sak.Application{Kind: "torgplass", Title: "Søknad om torgplass", Owner: sub.Owner,
		AwaitPayment: true, Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: sub.ID}}})
	return err
}

// caseOf is the citizen's own case that the request's submission opened,
// with its fee settled: the citizen may be back from paying with Vipps
// while the webhook settles the payment.
func (s *service) caseOf(r *http.Request) (*sak.Case, error) {
	owner, err := s.Owner(r)
	if err != nil {
		return nil, err
	}
	citizen := sak.Actor{Role: sak.RoleApplicant, ID: owner}
	c, err := s.Cases.ByLink(r.Context(), citizen, sak.LinkSubmission, r.PathValue("sub"))
	if err != nil {
		return nil, err
	}
	if p, err := s.Payments.Latest(r.Context(), c.ID); err == nil && c.State == sak.AwaitingPayment {
		// Settle waits for a webhook settling it now; if Vipps does not answer, RunJobs tries again.
		s.Payments.Settle(r.Context(), p.Reference)
		return s.Cases.Get(r.Context(), citizen, c.ID)
	}
	return c, nil
}

// receipt shows the case, whether its fee is paid, and the answers.
func (s *service) receipt(w http.ResponseWriter, r *http.Request) {
	c, err := s.caseOf(r)
	var sub *forms.Submission
	if err == nil {
		sub, err = s.Forms.GetSubmission(r.Context(), r.PathValue("sub"))
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	data := map[string]any{"Case": c, "Fee": fee, "Paid": c.State != sak.AwaitingPayment,
		"Answers": s.form.Summary(sub.Data, forms.SummaryOptions{Lang: site.Lang(r)})}
	s.Render(w, r, "receipt", http.StatusOK, s.Page(r, "receipt.title", data))
}

// startPayment sends the citizen to Vipps to pay the case's fee.
func (s *service) startPayment(w http.ResponseWriter, r *http.Request) {
	c, err := s.caseOf(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	p, err := s.Payments.Start(r.Context(), payment.Order{BusinessKey: c.ID, Amount: fee, Description: "Torgplass " + c.Number(),
		ReturnURL: s.Config.PublicURL + r.URL.Path, Metadata: map[string]string{"case": c.ID}})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
}

// settled moves a case whose fee is paid on to the officers, whichever of
// the receipt page, Vipps' webhook and RunJobs settles the payment first.
func (s *service) settled(ctx context.Context, p *payment.Payment) error {
	if p.Outcome() != payment.OutcomePaid {
		return nil
	}
	_, err := s.Cases.FeePaid(ctx, sak.Actor{Role: sak.RoleSystem, ID: "quickstart"}, p.Metadata["case"], "")
	return err
}
