package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

type orgForm struct{ Orgnr, Error string }

// orgPost looks the applicant up in Enhetsregisteret, checks that the
// citizen may act for it, and starts a draft with its name and address.
func (a *App) orgPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, _ := auth.CitizenFrom(ctx)
	f := orgForm{Orgnr: strings.TrimSpace(r.PostFormValue("orgnr"))}
	act, err := a.brreg.ActFor(ctx, c.PID, ident.Orgnr(f.Orgnr))
	if _, code := brreg.HTTPStatus(err); err != nil {
		a.Config.Logger.InfoContext(ctx, "act for refused", "code", code, "error", err)
		p := a.Page(r, "org.title", nil)
		f.Error = p.T("org." + code)
		p.Title, p.Data = p.T("error")+": "+p.Title, f
		a.Render(w, r, "org", http.StatusUnprocessableEntity, p)
		return
	}
	owner, err := a.Owner(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	e, d := act.Enhet, a.def.NewDraft(owner, a.Config.Now())
	d.Data = forms.Data{"soker": map[string]any{"organisasjonsnummer": string(e.Organisasjonsnummer), "navn": e.Navn}}
	if ad := e.Forretningsadresse; ad != nil {
		d.Data["skjenkested"] = map[string]any{"adresse": map[string]any{
			"adresse": strings.Join(ad.Lines(), ", "), "postnummer": ad.Postnummer, "poststed": ad.Poststed}}
	}
	if err := a.Forms.CreateDraft(ctx, d); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/soknad/"+d.ID+"/"+d.Page, http.StatusSeeOther)
}

// str is the text at path in the answers; "" where there is none.
func str(d map[string]any, path ...string) string {
	var cur any = d
	for _, p := range path {
		m, _ := cur.(map[string]any)
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// submitted opens the case, waiting for its fee, and journals the
// application with its attachments (titled by their fields: a file's name
// is the applicant's and may say anything), so that the archive keeps them.
func (a *App) submitted(ctx context.Context, s *forms.Submission) error {
	navn := str(s.Data, "soker", "navn")
	c, err := a.Cases.Open(ctx, sak.Application{Kind: kind, Title: "Søknad om skjenkebevilling – " + navn, Owner: s.Owner,
		OnBehalfOf: str(s.Data, "soker", "organisasjonsnummer"), ApplicantName: navn, AwaitPayment: true,
		Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: s.ID, Label: "Søknad"}}})
	if err != nil {
		return err
	}
	files, err := a.def.Attachments(ctx, a.Files, s, i18n.NB)
	if err != nil {
		return err
	}
	docs := []sak.Document{{Title: "Søknad om skjenkebevilling", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "soknad:" + s.ID}}
	for _, f := range files {
		docs = append(docs, sak.Document{Title: "Vedlegg: " + f.Label, FileName: f.Name, MediaType: f.ContentType, Ref: "vedlegg:" + f.ID})
	}
	if _, err = a.Cases.Journal(ctx, system, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad om skjenkebevilling",
		Party: navn, Date: s.SubmittedAt, Documents: docs}); err != nil {
		return err
	}
	// The receipt, and a reminder if the fee is unpaid after 3 days; a failed
	// notice is logged and stops nothing.
	if who, ok := auth.CitizenFrom(ctx); ok {
		v := map[string]string{"sak": c.Number()}
		a.NotifyCitizen(ctx, who.PID, notify.Notice{Key: c.ID + "/kvittering", Template: "kvittering", Values: v})
		a.NotifyCitizen(ctx, who.PID, notify.Notice{Key: c.ID + "/betaling", Template: "betaling", Values: v,
			SendAt: a.Config.Now().Add(72 * time.Hour), Condition: "unpaid"})
	}
	return nil
}

// unpaid is the reminder's condition: the case still waits for its fee.
func (a *App) unpaid(ctx context.Context, key string) (bool, error) {
	c, err := a.Cases.Get(ctx, system, strings.TrimSuffix(key, "/betaling"))
	if errors.Is(err, sak.ErrNotFound) {
		return false, nil
	}
	return err == nil && c.State == sak.AwaitingPayment, err
}

// afterSubmit leads from the receipt to the case the submission opened.
func (a *App) afterSubmit(w http.ResponseWriter, r *http.Request) {
	actor, err := a.Actor(r)
	var c *sak.Case
	if err == nil {
		c, err = a.Cases.ByLink(r.Context(), actor, sak.LinkSubmission, r.PathValue("sub"))
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
}

func payKey(c *sak.Case) string { return c.ID + "/gebyr" }

// settle brings the case's fee up to date (site's SettleCaseFee; feePaid
// moves a paid case on) and returns the case as it is now.
func (a *App) settle(ctx context.Context, c *sak.Case) *sak.Case {
	return a.SettleCaseFee(ctx, system, c, payKey(c))
}

// feePaid is the payments' OnSettled: the case whose fee its metadata
// names goes on to the officers once the fee is paid, from whichever of
// page, webhook and job settles it first.
func (a *App) feePaid(ctx context.Context, p *payment.Payment) error {
	if p.Outcome() != payment.OutcomePaid || p.Metadata["kind"] != "fee" {
		return nil
	}
	_, err := a.Cases.FeePaid(ctx, system, p.Metadata["case"], "gebyret er betalt")
	if errors.Is(err, sak.ErrNotFound) {
		return nil // gone
	}
	return err
}

// caseView is a case with its payment, booking and letter, for the pages.
type caseView struct {
	Case                                   *sak.Case
	Org, State, Outcome, Amount, Submitted string
	Payment                                *payment.Payment
	PayState                               string
	PayFailed, Paid                        bool
	Booking                                *booking.Reservation
	BookingAt, BookState, LetterStat       string
	Letter                                 *svarut.Entry
	Lang                                   i18n.Lang
	Attachments                            []forms.Attachment
}

func (a *App) view(ctx context.Context, c *sak.Case, lang i18n.Lang) *caseView {
	v := &caseView{Case: c, Lang: lang, State: c.State.Label(lang), Amount: lang.Amount(fee), Submitted: lang.Time(c.Created)}
	if c.Outcome != "" {
		v.Outcome = c.Outcome.Label(lang)
	}
	if s, err := a.Submission(ctx, c); err == nil {
		v.Org = str(s.Data, "soker", "navn") + " (" + str(s.Data, "soker", "organisasjonsnummer") + ")"
		if v.Attachments, err = a.def.Attachments(ctx, a.Files, s, lang); err != nil {
			a.Config.Logger.WarnContext(ctx, "attachments", "case", c.ID, "error", err)
		}
	}
	if p, err := a.Payments.Latest(ctx, payKey(c)); err == nil {
		v.Payment, v.PayState = p, messages.T(lang, "payment.state."+string(p.State))
		v.PayFailed, v.Paid = p.State.Ended() && p.Aggregate.Captured == 0, p.Aggregate.Captured >= p.Amount
	}
	for _, l := range c.LinksOf(sak.LinkBooking) {
		if b, err := a.Bookings.Reservation(ctx, l.Ref); err == nil {
			if st := b.StateAt(a.Config.Now()); st == booking.Confirmed || v.Booking == nil {
				v.Booking, v.BookingAt, v.BookState = b, lang.Time(b.Start), messages.T(lang, "booking.state."+string(st))
			}
		}
	}
	for _, l := range c.LinksOf(sak.LinkLetter) {
		if e, err := a.Letters.Store.Get(ctx, l.Ref); err == nil {
			v.Letter, v.LetterStat = e, messages.T(lang, "svarut."+string(e.Status))
			if e.Status == "" {
				v.LetterStat = messages.T(lang, "letter.state.queued")
			} else if v.LetterStat == "svarut."+string(e.Status) {
				v.LetterStat = string(e.Status)
			}
		}
	}
	return v
}

func (a *App) casePage(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.Case(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.Render(w, r, "case", http.StatusOK, a.Page(r, "case.title", a.view(r.Context(), a.settle(r.Context(), c), site.Lang(r))))
}

// payStart sends the citizen to Vipps to pay the case's fee.
func (a *App) payStart(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.Case(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if c.State != sak.AwaitingPayment {
		http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
		return
	}
	p, err := a.Payments.Start(r.Context(), payment.Order{
		BusinessKey: payKey(c), Amount: fee, Description: messages.T(site.Lang(r), "pay.desc") + " " + c.Number(),
		ReturnURL: a.Config.PublicURL + "/sak/" + c.ID + "/betalt", Metadata: map[string]string{"kind": "fee", "case": c.ID},
	})
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.Cases.Link(r.Context(), system, c.ID, site.PaymentLink(p))
	if p.RedirectURL == "" {
		p.RedirectURL = "/sak/" + c.ID
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
}

// payReturn is where Vipps sends the citizen back. It redirects to the case
// it looked up, never to the path it was given: a decoded id such as
// "../../\evil.example" would otherwise be cleaned into "/\evil.example".
func (a *App) payReturn(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.Case(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
}

// attachment sends the applicant or an officer one of the case's
// attachments (forms' ServeAttachment checks that it is the applicant's).
func (a *App) attachment(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.Case(r)
	var s *forms.Submission
	if err == nil {
		s, err = a.Submission(r.Context(), c)
	}
	if err == nil {
		err = a.def.ServeAttachment(w, r, a.Files, s, r.PathValue("file"))
	}
	if err != nil {
		a.Fail(w, r, err)
	}
}

type minSideView struct {
	Channel  *site.ChannelChoice
	Cases    []*caseView
	Drafts   []struct{ Href, Updated string }
	Payments []struct{ Case, CaseHref, What, Amount, State, When string }
	Bookings []struct{ Case, CaseHref, When, State, ICS string }
	Letters  []struct{ Case, CaseHref, Title, State, PDF string }
}

// minSide lists the citizen's cases with their payments, bookings and
// letters, and the applications not sent yet.
func (a *App) minSide(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	// The bookings come from Min side, kept from the booking events (or,
	// for one it does not have yet, from the store).
	mine, err := a.MinSidePage(r)
	var cs []*sak.Case
	if err == nil { // a citizen has a few applications: one page of the most holds them
		cs, _, err = a.Cases.ForOwner(ctx, mine.Owner, sak.Page{Limit: sak.MaxPageLimit})
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	v := minSideView{Channel: mine.Channel}
	for _, c := range cs {
		cv := a.view(ctx, a.settle(ctx, c), lang)
		c, href := cv.Case, "/sak/"+c.ID
		v.Cases = append(v.Cases, cv)
		for _, l := range c.LinksOf(sak.LinkPayment) {
			if p, err := a.Payments.Get(ctx, l.Ref); err == nil {
				v.Payments = append(v.Payments, struct{ Case, CaseHref, What, Amount, State, When string }{c.Number(), href, p.Description,
					lang.Amount(p.Amount), messages.T(lang, "payment.state."+string(p.State)), lang.Time(p.Created)})
			}
		}
		for _, l := range c.LinksOf(sak.LinkBooking) {
			b, err := mine.Booking(ctx, l.Ref)
			if err != nil {
				continue
			}
			v.Bookings = append(v.Bookings, struct{ Case, CaseHref, When, State, ICS string }{c.Number(), href, lang.Time(b.Start),
				messages.T(lang, "booking.state."+string(b.State)), href + "/befaring/" + b.ID + "/ics"})
		}
		if cv.Letter != nil {
			v.Letters = append(v.Letters, struct{ Case, CaseHref, Title, State, PDF string }{c.Number(), href, messages.T(lang, "letter.title"), cv.LetterStat, href + "/brev.pdf"})
		}
	}
	if drafts, err := a.Forms.ListDrafts(ctx, mine.Owner, a.def.ID); err == nil {
		for _, d := range drafts {
			v.Drafts = append(v.Drafts, struct{ Href, Updated string }{"/soknad/" + d.ID + "/" + d.Page, lang.Time(d.Updated)})
		}
	}
	a.Render(w, r, "minside", http.StatusOK, a.Page(r, "min.title", v))
}
