package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// officerFrom is the officer ForOfficers let through, as the case
// service's actor: their Ansattporten subject, never the fødselsnummer.
func officerFrom(ctx context.Context) sak.Actor {
	c, ok := auth.CitizenFrom(ctx)
	if !ok {
		return sak.Actor{Role: sak.RoleOfficer}
	}
	return sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten:" + c.Subject}
}

// casesPerPage is how many cases the officer's list shows at once.
const casesPerPage = 25

type officerListView struct {
	Cases []officerRow
	// Newer and Older link to the neighbouring pages; "" where there is none.
	Newer, Older string
}

type officerRow struct {
	sak.Summary
	State string
}

// officerList shows a page of the cases, newest first. ?etter= and ?foer=
// hold sak's cursors: the pages after (older) and before (newer) a case.
func (a *App) officerList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg, err := a.sak.Summaries(r.Context(), sak.Filter{Kind: kind}, sak.Page{Limit: casesPerPage, After: q.Get("etter"), Before: q.Get("foer")})
	if errors.Is(err, sak.ErrInvalid) { // a cursor that sak did not make
		a.svc.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	lang := i18n.Lang(site.Lang(r))
	v := officerListView{}
	for _, row := range pg.Rows {
		state := row.State.Label(lang)
		if row.Outcome != "" {
			state += ": " + row.Outcome.Label(lang)
		}
		v.Cases = append(v.Cases, officerRow{Summary: row, State: state})
	}
	link := func(param, cursor string) string { return "/ansatt?" + url.Values{param: {cursor}}.Encode() }
	if pg.Newer != "" {
		v.Newer = link("foer", pg.Newer)
	} else if !pg.First {
		v.Newer = "/ansatt"
	}
	if pg.Older != "" {
		v.Older = link("etter", pg.Older)
	}
	a.svc.Render(w, r, "officer_list", http.StatusOK, a.svc.Page(r, "off.title", v))
}

type officerView struct {
	*caseView
	Answers   []forms.SummarySection
	Deadlines []deadlineRow
	Journal   []journalRow
	Events    []eventRow
	CanDecide bool
	// Error is the decision form's error message; Note keeps the reasons
	// typed before it.
	Error, Note string
}

type journalRow struct{ No, Type, Title, Date string }
type eventRow struct{ At, What string }
type deadlineRow struct{ What, Due, Met string }

func (a *App) officerCase(w http.ResponseWriter, r *http.Request) {
	a.renderOfficerCase(w, r, http.StatusOK, "")
}

// renderOfficerCase shows the case to an officer, with errKey as the
// decision form's error when it is not empty.
func (a *App) renderOfficerCase(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	ctx := r.Context()
	c, err := a.sak.Get(ctx, officerFrom(ctx), r.PathValue("id"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	if nc, _, err := a.settle(ctx, c); err == nil {
		c = nc
	}
	lang := site.Lang(r)
	v := officerView{caseView: a.view(ctx, c, lang), CanDecide: c.State == sak.InProgress}
	if errKey != "" {
		if !v.CanDecide { // decided meanwhile: nothing left to correct
			http.Redirect(w, r, "/ansatt/sak/"+c.ID, http.StatusSeeOther)
			return
		}
		v.Error, v.Note = messages.T(lang, errKey), r.PostFormValue("note")
	}
	if s, err := a.submission(ctx, c); err == nil {
		v.Answers = a.def.Summary(s.Data, forms.SummaryOptions{Lang: i18n.Lang(lang), MaskPersonalNumbers: true})
		// The files show under Attachments, each checked to be the applicant's.
		for i := range v.Answers {
			v.Answers[i].Rows = slices.DeleteFunc(v.Answers[i].Rows, func(r forms.SummaryRow) bool { return r.Type == forms.TypeFile })
		}
		v.Answers = slices.DeleteFunc(v.Answers, func(s forms.SummarySection) bool { return len(s.Rows) == 0 })
	}
	for _, d := range c.Deadlines {
		row := deadlineRow{What: d.Kind.Label(i18n.Lang(lang)), Due: i18n.Lang(lang).DateOf(d.Due)}
		if !d.Met.IsZero() {
			row.Met = i18n.Lang(lang).DateOf(d.Met)
		}
		v.Deadlines = append(v.Deadlines, row)
	}
	for _, j := range c.Journal {
		v.Journal = append(v.Journal, journalRow{No: c.EntryNumber(j), Type: j.Type.Label(i18n.Lang(lang)), Title: j.Title, Date: i18n.Lang(lang).DateOf(j.Date)})
	}
	for _, e := range c.Events {
		v.Events = append(v.Events, eventRow{At: i18n.Lang(lang).Time(e.At), What: e.Label(i18n.Lang(lang))})
	}
	p := a.svc.Page(r, "off.title", v)
	p.Title = c.Number() + " – " + p.Title
	a.svc.Render(w, r, "officer_case", status, p)
}

// officerDecide records the decision, journals the letter and sends it
// through the SvarUT outbox.
func (a *App) officerDecide(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor := officerFrom(ctx)
	var outcome sak.Outcome
	switch r.PostFormValue("outcome") {
	case "approved":
		outcome = sak.Approved
	case "rejected":
		outcome = sak.Rejected
	default:
		a.renderOfficerCase(w, r, http.StatusUnprocessableEntity, "off.outcome.required")
		return
	}
	// The reasons go into the case and the letter: text, never NUL or bytes
	// that are not UTF-8 (those become U+FFFD).
	note := strings.ReplaceAll(strings.ToValidUTF8(strings.TrimSpace(r.PostFormValue("note")), "\uFFFD"), "\x00", "")
	c, err := a.sak.Decide(ctx, actor, r.PathValue("id"), outcome, note)
	if errors.Is(err, sak.ErrNotDecided) {
		a.log.ErrorContext(ctx, "decision not made", "error", err)
		a.svc.Render(w, r, "error", http.StatusInternalServerError, a.svc.Page(r, "off.notdecided", "off.notdecided.text"))
		return
	}
	if errors.Is(err, sak.ErrInvalidTransition) {
		// Deciding again sends a decided case's letter, if it did not go.
		if c, err = a.sak.Get(ctx, actor, r.PathValue("id")); err == nil && c.State == sak.Decided && len(c.LinksOf(sak.LinkLetter)) == 0 {
			err = a.sendDecision(ctx, actor, c)
		}
		if err != nil {
			a.svc.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/ansatt/sak/"+r.PathValue("id"), http.StatusSeeOther)
		return
	}
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	if err := a.sendDecision(ctx, actor, c); err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/ansatt/sak/"+c.ID, http.StatusSeeOther)
}

func letterRef(c *sak.Case) string { return "vedtak:" + c.ID }

// sendDecision puts the decision letter in the outbox, journals it and links
// it to the case, each exactly once (keyed by the case), so that it can run
// again after a failure.
func (a *App) sendDecision(ctx context.Context, actor sak.Actor, c *sak.Case) error {
	sub, err := a.submission(ctx, c)
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
		a.log.WarnContext(ctx, "brreg address", "error", err)
	}
	pdf, err := a.letter(ctx, c)
	if err != nil {
		return err
	}
	s := &svarut.Shipment{
		Title: "Vedtak om skjenkebevilling – " + c.Number(), Recipient: rcpt,
		Documents:   []svarut.Document{{Name: "vedtak-" + strings.ReplaceAll(c.Number(), "/", "-") + ".pdf", MimeType: "application/pdf", Ref: letterRef(c), Size: int64(len(pdf))}},
		ExternalRef: "skjenk-" + c.ID + "-vedtak", Type: "Vedtak", SendingSystem: "grunnmur skjenkebevilling",
	}
	e, err := a.outbox.Enqueue(ctx, "vedtak-"+c.ID, s)
	if err != nil && !errors.Is(err, svarut.ErrConflict) {
		return err
	}
	if e == nil {
		if e, err = a.letters.Get(ctx, "vedtak-"+c.ID); err != nil {
			return err
		}
	}
	if _, err := a.sak.Journal(ctx, actor, c.ID, sak.JournalEntry{ID: "vedtak-" + c.ID, Type: sak.Outgoing, Title: "Vedtak om skjenkebevilling",
		Party: rcpt.Address.Name, Date: a.now(),
		Documents: []sak.Document{{Title: "Vedtak", FileName: s.Documents[0].Name, MediaType: "application/pdf", Ref: letterRef(c)}}}); err != nil {
		return err
	}
	if _, err := a.sak.Link(ctx, actor, c.ID, sak.Link{Kind: sak.LinkLetter, Ref: e.ID, Label: s.Title, Status: string(e.State)}); err != nil {
		return err
	}
	go func() {
		if err := a.outbox.RunOnce(context.WithoutCancel(ctx)); err != nil {
			a.log.Warn("svarut outbox", "error", err)
		}
	}()
	return nil
}

func (a *App) submission(ctx context.Context, c *sak.Case) (*forms.Submission, error) {
	subs := c.LinksOf(sak.LinkSubmission)
	if len(subs) == 0 {
		return nil, fmt.Errorf("skjenkebevilling: case %s has no submission", c.ID)
	}
	return a.forms.GetSubmission(ctx, subs[0].Ref)
}

// letterFinal records SvarUT's final status on the case.
func (a *App) letterFinal(ctx context.Context, e *svarut.Entry) error {
	id, ok := strings.CutPrefix(e.ID, "vedtak-")
	if !ok {
		return nil
	}
	_, err := a.sak.Link(ctx, system, id, sak.Link{Kind: sak.LinkLetter, Ref: e.ID, Label: e.Shipment.Title, Status: string(e.Status)})
	return err
}

func (a *App) officerLetterPDF(w http.ResponseWriter, r *http.Request) {
	c, err := a.sak.Get(r.Context(), officerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	a.servePDF(w, r, c)
}

func (a *App) servePDF(w http.ResponseWriter, r *http.Request, c *sak.Case) {
	if c.State != sak.Decided && c.State != sak.Closed {
		a.svc.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	b, err := a.letter(r.Context(), c)
	if err != nil {
		a.svc.Fail(w, r, err)
		return
	}
	site.ServePDF(w, "vedtak.pdf", b)
}
