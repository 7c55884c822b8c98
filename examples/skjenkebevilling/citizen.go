package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

var system = sak.Actor{Role: sak.RoleSystem, ID: "skjenkebevilling"}

func (a *App) start(w http.ResponseWriter, r *http.Request) {
	a.svc.Render(w, r, "start", http.StatusOK, a.svc.Page(r, "start.title", map[string]any{"Notice": site.StartNotice(r.URL.Query())}))
}

type orgForm struct {
	Orgnr, Error string
}

func (a *App) orgPage(w http.ResponseWriter, r *http.Request) {
	a.svc.Render(w, r, "org", http.StatusOK, a.svc.Page(r, "org.title", orgForm{}))
}

// orgPost looks the applicant up in Enhetsregisteret, checks that the
// citizen may act for it, and starts a draft with its name filled in.
func (a *App) orgPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, _ := auth.CitizenFrom(ctx)
	f := orgForm{Orgnr: strings.TrimSpace(r.PostFormValue("orgnr"))}
	refuse := func(key string) {
		f.Error = messages.T(site.Lang(r), key)
		p := a.svc.Page(r, "org.title", f)
		p.Title = messages.T(p.Lang, "error") + ": " + p.Title
		a.svc.Render(w, r, "org", http.StatusUnprocessableEntity, p)
	}
	act, err := a.brreg.ActFor(ctx, c.PID, ident.Orgnr(f.Orgnr))
	if _, code := brreg.HTTPStatus(err); err != nil {
		a.log.InfoContext(ctx, "act for refused", "code", code, "error", err)
		refuse("org." + code)
		return
	}
	e := act.Enhet
	orgnr := e.Organisasjonsnummer
	owner, err := a.svc.Owner(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	d := a.def.NewDraft(owner, a.now())
	soker := map[string]any{"organisasjonsnummer": string(orgnr), "navn": e.Navn}
	data := forms.Data{"soker": soker}
	if ad := e.Forretningsadresse; ad != nil {
		data["skjenkested"] = map[string]any{"adresse": map[string]any{
			"adresse": strings.Join(ad.Lines(), ", "), "postnummer": ad.Postnummer, "poststed": ad.Poststed}}
	}
	d.Data = data
	if err := a.forms.CreateDraft(ctx, d); err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/soknad/"+d.ID+"/"+d.Page, http.StatusSeeOther)
}

func str(d map[string]any, path ...string) string {
	var cur any = d
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// submitted opens the case, journals the application and waits for the fee.
func (a *App) submitted(ctx context.Context, s *forms.Submission) error {
	orgnr, navn := str(s.Data, "soker", "organisasjonsnummer"), str(s.Data, "soker", "navn")
	c, err := a.sak.Open(ctx, sak.Application{
		Kind: kind, Title: "Søknad om skjenkebevilling – " + navn, Owner: s.Owner, OnBehalfOf: orgnr, ApplicantName: navn,
		AwaitPayment: true,
		Links:        []sak.Link{{Kind: sak.LinkSubmission, Ref: s.ID, Label: "Søknad"}},
	})
	if err != nil {
		return err
	}
	attached, err := a.attachmentDocuments(ctx, s)
	if err != nil {
		return err
	}
	_, err = a.sak.Journal(ctx, system, c.ID, sak.JournalEntry{
		Type: sak.Incoming, Title: "Søknad om skjenkebevilling", Party: navn, Date: s.SubmittedAt,
		Documents: append([]sak.Document{{Title: "Søknad om skjenkebevilling", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "soknad:" + s.ID}},
			attached...),
	})
	return err
}

// caseOf finds the citizen's case of a submission.
func (a *App) caseOfSubmission(ctx context.Context, owner, subID string) (*sak.Case, error) {
	for c, err := range a.sak.Cases(ctx, sak.Filter{Owner: owner}) {
		if err != nil {
			return nil, err
		}
		for _, l := range c.LinksOf(sak.LinkSubmission) {
			if l.Ref == subID {
				return c, nil
			}
		}
	}
	return nil, sak.ErrNotFound
}

func (a *App) afterSubmit(w http.ResponseWriter, r *http.Request) {
	owner, err := a.svc.Owner(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	c, err := a.caseOfSubmission(r.Context(), owner, r.PathValue("sub"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
}

// citizenCase returns the citizen's own case.
func (a *App) citizenCase(r *http.Request) (*sak.Case, string, error) {
	owner, err := a.svc.Owner(r)
	if err != nil {
		return nil, "", err
	}
	c, err := a.sak.Get(r.Context(), sak.Actor{Role: sak.RoleApplicant, ID: owner}, r.PathValue("id"))
	if err != nil {
		return nil, "", err
	}
	if c.Owner != owner {
		return nil, "", site.ErrNotYours
	}
	return c, owner, nil
}

func payKey(c *sak.Case) string { return c.ID + "/gebyr" }

// caseView is a case with its payment, booking and letter, for the pages.
type caseView struct {
	Case       *sak.Case
	Org        string
	State      string
	Outcome    string
	Payment    *payment.Payment
	PayState   string
	PayFailed  bool
	Paid       bool
	Amount     string
	Booking    *booking.Reservation
	BookingAt  string
	BookState  string
	Letter     *svarut.Entry
	LetterStat string
	Submitted  string
	Message    string
	Lang       i18n.Lang
	// Attachments are the files the applicant uploaded with the application.
	Attachments []attachment
}

// settle brings the case's fee up to date through payment.Service.Settle
// (feePaid moves a paid case on) and returns the case as it is now.
func (a *App) settle(ctx context.Context, c *sak.Case) (*sak.Case, *payment.Payment, error) {
	p, err := a.pay.Latest(ctx, payKey(c))
	if errors.Is(err, payment.ErrNotFound) {
		return c, nil, nil
	}
	if err != nil {
		return c, nil, err
	}
	if q, err := a.pay.Settle(ctx, p.Reference); err != nil {
		a.log.WarnContext(ctx, "payment settle", "reference", p.Reference, "error", err)
	} else {
		p = q
	}
	if nc, err := a.sak.Link(ctx, system, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: p.Reference, Label: i18n.NB.Amount(p.Amount), Status: string(p.State)}); err == nil {
		c = nc
	}
	return c, p, nil
}

// feePaid is the payment service's OnSettled: the case whose fee its
// metadata names goes on to the officers once the fee is paid, from
// whichever of page, webhook and job settles it first.
func (a *App) feePaid(ctx context.Context, p *payment.Payment) error {
	if p.Outcome() != payment.OutcomePaid || p.Metadata["kind"] != "fee" {
		return nil
	}
	// FeePaid leaves a case that no longer waits for its fee as it is.
	_, err := a.sak.FeePaid(ctx, system, p.Metadata["case"], "gebyret er betalt")
	if errors.Is(err, sak.ErrNotFound) {
		return nil // gone
	}
	return err
}

func (a *App) view(ctx context.Context, c *sak.Case, lang i18n.Lang) *caseView {
	v := &caseView{Case: c, Lang: lang, State: c.State.Label(i18n.Lang(lang)), Amount: i18n.Lang(lang).Amount(fee)}
	if c.Outcome != "" {
		v.Outcome = c.Outcome.Label(i18n.Lang(lang))
	}
	v.Submitted = i18n.Lang(lang).Time(c.Created)
	if subs := c.LinksOf(sak.LinkSubmission); len(subs) > 0 {
		if s, err := a.forms.GetSubmission(ctx, subs[0].Ref); err == nil {
			v.Org = str(s.Data, "soker", "navn") + " (" + str(s.Data, "soker", "organisasjonsnummer") + ")"
			if v.Attachments, err = a.attachments(ctx, s, lang); err != nil {
				a.log.WarnContext(ctx, "attachments", "case", c.ID, "error", err)
			}
		}
	}
	if p, err := a.pay.Latest(ctx, payKey(c)); err == nil {
		v.Payment, v.PayState = p, messages.T(lang, "payment.state."+string(p.State))
		v.PayFailed = p.State.Ended() && p.Aggregate.Captured == 0
		v.Paid = p.Aggregate.Captured >= p.Amount
	}
	for _, l := range c.LinksOf(sak.LinkBooking) {
		if b, err := a.book.Reservation(ctx, l.Ref); err == nil {
			st := b.StateAt(a.now())
			if st == booking.Confirmed || v.Booking == nil {
				v.Booking, v.BookingAt, v.BookState = b, i18n.Lang(lang).Time(b.Start), messages.T(lang, "booking.state."+string(st))
			}
		}
	}
	for _, l := range c.LinksOf(sak.LinkLetter) {
		if e, err := a.letters.Get(ctx, l.Ref); err == nil {
			v.Letter = e
			switch key := "svarut." + string(e.Status); {
			case e.Status == "":
				v.LetterStat = messages.T(lang, "letter.state.queued")
			case messages.T(lang, key) != key:
				v.LetterStat = messages.T(lang, key)
			default:
				v.LetterStat = string(e.Status)
			}
		}
	}
	return v
}

func (a *App) casePage(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	if c, _, err = a.settle(r.Context(), c); err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	v := a.view(r.Context(), c, site.Lang(r))
	a.svc.Render(w, r, "case", http.StatusOK, a.svc.Page(r, "case.title", v))
}

func (a *App) payStart(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	if c.State != sak.AwaitingPayment {
		http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
		return
	}
	p, err := a.pay.Start(r.Context(), payment.Order{
		BusinessKey: payKey(c), Amount: fee, Description: messages.T(site.Lang(r), "pay.desc") + " " + c.Number(),
		ReturnURL: a.svc.Config.PublicURL + "/sak/" + c.ID + "/betalt", Metadata: map[string]string{"kind": "fee", "case": c.ID},
	})
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.sak.Link(r.Context(), system, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: p.Reference, Label: i18n.NB.Amount(p.Amount), Status: string(p.State)})
	if p.RedirectURL == "" {
		http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
}

// payReturn is where Vipps sends the citizen back. It redirects to the case
// it looked up, never to the path it was given: a decoded id such as
// "../../\evil.example" would otherwise be cleaned into "/\evil.example".
func (a *App) payReturn(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
}

type slotView struct {
	Value, Label string
}

type bookView struct {
	Case         *sak.Case
	Slots        []slotView
	Error        string
	Held         *booking.Reservation
	HeldAt       string
	HoldText     string
	ICS          string
	BookingError string
}

func (a *App) bookPage(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.renderBook(w, r, c, "", http.StatusOK)
}

func (a *App) renderBook(w http.ResponseWriter, r *http.Request, c *sak.Case, errKey string, status int) {
	lang := site.Lang(r)
	now := a.now()
	slots, err := a.book.Availability(r.Context(), inspection, now, now.Add(21*24*time.Hour))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	v := bookView{Case: c}
	for _, s := range slots {
		if s.Remaining > 0 && len(v.Slots) < 12 {
			v.Slots = append(v.Slots, slotView{Value: s.Start.UTC().Format(time.RFC3339), Label: i18n.Lang(lang).Time(s.Start)})
		}
	}
	p := a.svc.Page(r, "book.title", v)
	if errKey != "" {
		v.Error = messages.T(lang, errKey)
		p.Data = v
		p.Title = messages.T(lang, "error") + ": " + p.Title
	}
	a.svc.Render(w, r, "book", status, p)
}

func (a *App) bookHold(w http.ResponseWriter, r *http.Request) {
	c, owner, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	start, err := time.Parse(time.RFC3339, r.PostFormValue("slot"))
	if err != nil {
		a.renderBook(w, r, c, "book.required", http.StatusUnprocessableEntity)
		return
	}
	res, err := a.book.Hold(r.Context(), booking.HoldInput{ResourceID: inspection, Owner: owner, Start: start,
		Title: "Befaring " + c.Number(), Key: c.ID + "/" + start.Format(time.RFC3339), TTL: holdTTL})
	if err != nil {
		if status, _ := booking.HTTPStatus(err); status >= 400 && status < 500 {
			a.renderBook(w, r, c, "book.taken", http.StatusConflict)
			return
		}
		a.svc.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sak/"+c.ID+"/befaring/"+res.ID, http.StatusSeeOther)
}

func (a *App) bookHeld(w http.ResponseWriter, r *http.Request) {
	c, owner, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	res, err := a.book.OwnReservation(r.Context(), owner, r.PathValue("res"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	if res.StateAt(a.now()) != booking.Held {
		http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
		return
	}
	lang := site.Lang(r)
	v := bookView{Case: c, Held: res, HeldAt: i18n.Lang(lang).Time(res.Start),
		HoldText: fmt.Sprintf(messages.T(lang, "book.held"), i18n.Lang(lang).Clock(res.HoldExpires))}
	a.svc.Render(w, r, "held", http.StatusOK, a.svc.Page(r, "book.confirm", v))
}

func (a *App) bookConfirm(w http.ResponseWriter, r *http.Request) {
	c, owner, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	res, err := a.book.OwnReservation(r.Context(), owner, r.PathValue("res"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	res, err = a.book.Confirm(r.Context(), res.ID, c.ID+"/confirm/"+res.ID)
	if errors.Is(err, booking.ErrHoldExpired) {
		a.renderBook(w, r, c, "book.expired", http.StatusConflict)
		return
	}
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	if _, err := a.sak.Link(r.Context(), system, c.ID, sak.Link{Kind: sak.LinkBooking, Ref: res.ID,
		Label: i18n.NB.Time(res.Start), Status: string(res.State)}); err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sak/"+c.ID, http.StatusSeeOther)
}

func (a *App) bookICS(w http.ResponseWriter, r *http.Request) {
	_, owner, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	res, err := a.book.OwnReservation(r.Context(), owner, r.PathValue("res"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	b, err := a.book.ReservationICS(r.Context(), res.ID)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	site.ServeICS(w, "befaring.ics", b)
}

func (a *App) letterPDF(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.citizenCase(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.servePDF(w, r, c)
}

type draftView struct {
	Href, Updated string
}

type minSideView struct {
	Cases    []*caseView
	Drafts   []draftView
	Payments []paymentRow
	Bookings []bookingRow
	Letters  []letterRow
}

type paymentRow struct{ Case, CaseHref, What, Amount, State, When string }
type bookingRow struct{ Case, CaseHref, When, State, ICS string }
type letterRow struct{ Case, CaseHref, Title, State, PDF string }

func (a *App) minSide(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := site.Lang(r)
	owner, err := a.svc.Owner(r)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	// A citizen has a few applications: one page of the most sak lists holds them.
	cs, _, err := a.sak.ForOwner(ctx, owner, sak.Page{Limit: sak.MaxPageLimit})
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	var v minSideView
	for _, c := range cs {
		if nc, _, err := a.settle(ctx, c); err == nil {
			c = nc
		}
		cv := a.view(ctx, c, lang)
		v.Cases = append(v.Cases, cv)
		href := "/sak/" + c.ID
		for _, l := range c.LinksOf(sak.LinkPayment) {
			if p, err := a.pay.Get(ctx, l.Ref); err == nil {
				v.Payments = append(v.Payments, paymentRow{Case: c.Number(), CaseHref: href, What: p.Description,
					Amount: i18n.Lang(lang).Amount(p.Amount), State: messages.T(lang, "payment.state."+string(p.State)), When: i18n.Lang(lang).Time(p.Created)})
			}
		}
		for _, l := range c.LinksOf(sak.LinkBooking) {
			if b, err := a.book.Reservation(ctx, l.Ref); err == nil {
				v.Bookings = append(v.Bookings, bookingRow{Case: c.Number(), CaseHref: href, When: i18n.Lang(lang).Time(b.Start),
					State: messages.T(lang, "booking.state."+string(b.StateAt(a.now()))), ICS: href + "/befaring/" + b.ID + "/ics"})
			}
		}
		if cv.Letter != nil {
			v.Letters = append(v.Letters, letterRow{Case: c.Number(), CaseHref: href, Title: messages.T(lang, "letter.title"),
				State: cv.LetterStat, PDF: href + "/brev.pdf"})
		}
	}
	drafts, err := a.forms.ListDrafts(ctx, owner, a.def.ID)
	if err == nil {
		for _, d := range drafts {
			v.Drafts = append(v.Drafts, draftView{Href: "/soknad/" + d.ID + "/" + d.Page, Updated: i18n.Lang(lang).Time(d.Updated)})
		}
	}
	a.svc.Render(w, r, "minside", http.StatusOK, a.svc.Page(r, "min.title", v))
}

// formTemplates puts the site's header, with the language switch and the
// menu, on the form's pages, and a way on from the receipt to the payment.
func (a *App) formTemplates() *template.Template {
	return template.Must(template.New("overrides").Funcs(template.FuncMap{"msg": func(k, l string) string { return "" }}).Parse(formOverrides))
}
