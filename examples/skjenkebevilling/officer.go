package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// officerList shows a page of the cases, newest first.
func (a *App) officerList(w http.ResponseWriter, r *http.Request) {
	l, err := a.CaseList(r, sak.Filter{Kind: kind}, casesPerPage)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.Render(w, r, "officer_list", http.StatusOK, a.Page(r, "off.title", l))
}

type officerView struct {
	*caseView
	Answers   []forms.SummarySection
	Deadlines []struct{ What, Due, Met string }
	Journal   []struct{ No, Type, Title, Date string }
	Events    []struct{ At, What string }
	CanDecide bool
	Archive   site.ArchiveView // the case in the municipality's archive
	// Error is the decision form's error; Note keeps the reasons typed.
	Error, Note string
}

func (a *App) officerCase(w http.ResponseWriter, r *http.Request) {
	a.renderOfficerCase(w, r, http.StatusOK, "")
}

// renderOfficerCase shows the case to an officer, with errKey as the
// decision form's error when it is not empty.
func (a *App) renderOfficerCase(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	ctx, lang := r.Context(), site.Lang(r)
	c, _, err := a.Case(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	c = a.settle(ctx, c)
	v := officerView{caseView: a.view(ctx, c, lang), CanDecide: c.State == sak.InProgress, Archive: a.Archive(c, lang)}
	if errKey != "" {
		if !v.CanDecide { // decided meanwhile: nothing left to correct
			http.Redirect(w, r, "/ansatt/sak/"+c.ID, http.StatusSeeOther)
			return
		}
		v.Error, v.Note = messages.T(lang, errKey), r.PostFormValue("note")
	}
	if s, err := a.Submission(ctx, c); err == nil {
		// The files show under Attachments, each checked to be the applicant's.
		v.Answers = a.def.Summary(s.Data, forms.SummaryOptions{Lang: lang, MaskPersonalNumbers: true})
		for i := range v.Answers {
			v.Answers[i].Rows = slices.DeleteFunc(v.Answers[i].Rows, func(r forms.SummaryRow) bool { return r.Type == forms.TypeFile })
		}
		v.Answers = slices.DeleteFunc(v.Answers, func(s forms.SummarySection) bool { return len(s.Rows) == 0 })
	}
	for _, d := range c.Deadlines {
		met := ""
		if !d.Met.IsZero() {
			met = lang.DateOf(d.Met)
		}
		v.Deadlines = append(v.Deadlines, struct{ What, Due, Met string }{d.Kind.Label(lang), lang.DateOf(d.Due), met})
	}
	for _, j := range c.Journal {
		v.Journal = append(v.Journal, struct{ No, Type, Title, Date string }{c.EntryNumber(j), j.Type.Label(lang), j.Title, lang.DateOf(j.Date)})
	}
	for _, e := range c.Events {
		v.Events = append(v.Events, struct{ At, What string }{lang.Time(e.At), e.Label(lang)})
	}
	p := a.Page(r, "off.title", v)
	p.Title = c.Number() + " – " + p.Title
	a.Render(w, r, "officer_case", status, p)
}

// officerDecide records the decision and sends its letter.
func (a *App) officerDecide(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	outcome := sak.Outcome(r.PostFormValue("outcome"))
	if outcome != sak.Approved && outcome != sak.Rejected {
		a.renderOfficerCase(w, r, http.StatusUnprocessableEntity, "off.outcome.required")
		return
	}
	actor, err := a.Actor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	// The reasons go into the case and the letter: text, never NUL or bytes
	// that are not UTF-8 (those become U+FFFD).
	note := strings.ReplaceAll(strings.ToValidUTF8(strings.TrimSpace(r.PostFormValue("note")), "\uFFFD"), "\x00", "")
	c, err := a.Cases.Decide(ctx, actor, r.PathValue("id"), outcome, note)
	switch {
	case errors.Is(err, sak.ErrNotDecided):
		a.Config.Logger.ErrorContext(ctx, "decision not made", "error", err)
		a.Render(w, r, "error", http.StatusInternalServerError, a.Page(r, "off.notdecided", "off.notdecided.text"))
		return
	case errors.Is(err, sak.ErrInvalidTransition):
		// Deciding again sends a decided case's letter, if it did not go.
		if c, err = a.Cases.Get(ctx, actor, r.PathValue("id")); err == nil && (c.State != sak.Decided || len(c.LinksOf(sak.LinkLetter)) > 0) {
			c = nil
		}
	}
	if err == nil && c != nil {
		err = a.sendDecision(ctx, actor, c)
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/ansatt/sak/"+r.PathValue("id"), http.StatusSeeOther)
}

// sendDecision sends the decision letter to the company's postal address
// in Enhetsregisteret (site's SendLetter: once, however often it runs).
func (a *App) sendDecision(ctx context.Context, actor sak.Actor, c *sak.Case) error {
	sub, err := a.Submission(ctx, c)
	if err != nil {
		return err
	}
	orgnr, err := ident.ParseOrgnr(str(sub.Data, "soker", "organisasjonsnummer"))
	if err != nil {
		return err
	}
	rcpt := svarut.Recipient{Org: orgnr, Address: svarut.Address{Name: str(sub.Data, "soker", "navn")}}
	if e, err := a.brreg.Enhet(ctx, orgnr); err == nil {
		rcpt.Address = svarut.AddressFrom(e.PostalAddress())
	} else if !errors.Is(err, brreg.ErrDeleted) {
		a.Config.Logger.WarnContext(ctx, "brreg address", "error", err)
	}
	pdf, err := a.letter(ctx, c)
	if err != nil {
		return err
	}
	_, err = a.SendLetter(ctx, actor, c.ID, site.CaseLetter{ID: "vedtak-" + c.ID, Title: "Vedtak om skjenkebevilling", Shipment: &svarut.Shipment{
		Title: "Vedtak om skjenkebevilling – " + c.Number(), Recipient: rcpt,
		Documents: []svarut.Document{{Name: "vedtak-" + strings.ReplaceAll(c.Number(), "/", "-") + ".pdf", MimeType: "application/pdf",
			Ref: "vedtak:" + c.ID, Size: int64(len(pdf))}},
		ExternalRef: "skjenk-" + c.ID + "-vedtak", Type: "Vedtak", SendingSystem: "grunnmur skjenkebevilling"}})
	if err == nil { // the notice of the decision, to the application's contact e-mail
		a.NotifyCitizen(ctx, ident.Fodselsnummer{}, notify.Notice{Key: c.ID + "/vedtak", Template: "vedtak",
			Values: map[string]string{"sak": c.Number()}, To: notify.NewAddress(str(sub.Data, "soker", "kontakt", "epost"))})
	}
	return err
}

// letterFinal records SvarUT's final status on the case.
func (a *App) letterFinal(ctx context.Context, e *svarut.Entry) error {
	id, ok := strings.CutPrefix(e.ID, "vedtak-")
	if !ok {
		return nil
	}
	_, err := a.Cases.Link(ctx, system, id, sak.Link{Kind: sak.LinkLetter, Ref: e.ID, Label: e.Shipment.Title, Status: string(e.Status)})
	return err
}
