package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// letter renders the confirmation letter of a bill: those of the bookings
// ids (one, or the weeks of a series paid for together) that are booked
// and paid for. Only PDF
// can be printed, so the letter is a PDF; it links to each booking's .ics.
// The outbox opens it again for each attempt, from the same ids.
func (a *App) letter(ctx context.Context, b *bill, ids []string) ([]byte, error) {
	var rs []*booking.Reservation
	for _, id := range ids {
		for _, r := range b.RS {
			if r.ID == id && r.Payable() { // not a hold that ran out, nor a week cancelled free
				rs = append(rs, r)
			}
		}
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("hallbooking: letter for %s: %w", b.ID, booking.ErrNotFound)
	}
	h, err := a.book.Resource(ctx, rs[0].ResourceID)
	if err != nil {
		return nil, err
	}
	var body []site.Block
	if b.Series {
		body = []site.Block{site.Heading("Bekreftelse på fast leie"), site.Text(fmt.Sprintf("Du har leid %s %d ganger, ukentlig:", h.Name, len(rs)))}
	} else {
		body = []site.Block{site.Heading("Bekreftelse på leie"), site.Text("Du har leid " + h.Name + ":")}
	}
	times := make([]string, len(rs))
	for i, r := range rs {
		times[i] = i18n.NB.Time(r.Start) + "–" + i18n.NB.Clock(r.End) + "   " + a.public + "/booking/" + r.ID + "/ics"
	}
	body = append(body, site.List(times...), site.Text("Leie: "+i18n.NB.Amount(booking.Total(rs))+"."))
	if h.CancelDeadline > 0 {
		body = append(body, site.Text(fmt.Sprintf("Du kan avbestille uten kostnad frem til %s før leietiden begynner. Avbestiller du senere, må du betale leien.", deadline(h.CancelDeadline))))
	}
	body = append(body, site.Subheading("Legg timene i kalenderen"),
		site.Text("Lenkene over gir hver time som en kalenderfil (.ics). På Min side kan du lage en kalenderlenke som alltid viser alle bookingene dine."),
		site.Small("Brevet er laget elektronisk og har derfor ingen signatur."))
	return site.Letter{Title: "Bekreftelse på leie av " + h.Name, Creator: "grunnmur hallbooking",
		From: []string{"Eksempelkommune", "Kultur og idrett, utleie"},
		Date: rs[0].Created, Reference: b.ID, Lang: i18n.NB, Blocks: body}.PDF()
}

// letterRef names a bill's letter for the outbox: "booking:ID:ids" or
// "series:ID:ids", with the ids of the bookings it confirms.
func letterRef(b *bill, ids []string) string {
	kind := "booking"
	if b.Series {
		kind = "series"
	}
	return kind + ":" + b.ID + ":" + strings.Join(ids, ",")
}

// parseLetterRef reads a letterRef.
func parseLetterRef(ref string) (series bool, id string, ids []string, err error) {
	kind, rest, ok1 := strings.Cut(ref, ":")
	id, list, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || (kind != "booking" && kind != "series") || id == "" || list == "" {
		return false, "", nil, fmt.Errorf("hallbooking: unknown document %q", ref)
	}
	return kind == "series", id, strings.Split(list, ","), nil
}

// confirmedIDs are the ids of the bill's confirmed bookings.
func (b *bill) confirmedIDs() []string {
	var ids []string
	for _, r := range b.RS {
		if r.State == booking.Confirmed {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// deadline says a cancellation deadline in Norwegian: "48 timer", "2 dager".
func deadline(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 48*time.Hour {
		return fmt.Sprintf("%d dager", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d timer", d/time.Hour)
}

// The confirmation letter goes one of two ways. When the payer starts a
// Vipps payment, prepareLetter stores it in the outbox held back (the payer
// is logged in: the recipient is known), and settle (settleLetter) lets it
// go once the payment confirms the bookings, wherever that happens: on the
// payer's return, from the webhook, or in the sweep. When nothing is held
// or confirmed any more, settle withdraws it unsent. An invoice confirms at once, in
// the club's own request, and ensureLetter sends it there; ensureLetter also
// catches up on a page view with any letter that did not go.

// prepareLetter holds the bill's letter in the outbox for its held
// bookings. Preparing it again is a no-op.
func (a *App) prepareLetter(r *http.Request, b *bill, cl *club) {
	ctx := r.Context()
	var ids []string
	var until time.Time
	for _, res := range b.held(a.now()) {
		ids = append(ids, res.ID)
		if res.HoldExpires.After(until) {
			until = res.HoldExpires
		}
	}
	if len(ids) == 0 {
		return
	}
	s, err := a.letterShipment(ctx, b, cl, ids)
	if err == nil {
		// Once the holds have run out nothing can confirm them: a letter
		// not released by then (the payer left) is withdrawn, with the
		// recipient's data.
		_, err = a.outbox.Prepare(ctx, b.letterID(), s, until.Add(15*time.Minute))
	}
	if err != nil && !errors.Is(err, svarut.ErrConflict) {
		a.log.WarnContext(ctx, "svarut prepare", "error", err) // ensureLetter tries again on a page view
	}
}

// settleLetter releases the bill's prepared letter once some of it is
// confirmed, and withdraws it once nothing is held and nothing confirmed
// (the payer left, or the holds ran out). Before withdrawing it reads the
// bookings afresh: another request may have confirmed them meanwhile.
func (a *App) settleLetter(ctx context.Context, b *bill) {
	if len(b.held(a.now())) > 0 {
		return // still paying
	}
	if !b.confirmed() {
		fresh, err := a.reload(ctx, b)
		if err != nil {
			a.log.WarnContext(ctx, "letter", "error", err)
			return
		}
		b = &bill{ID: b.ID, Series: b.Series, Title: b.Title, Path: b.Path, RS: fresh}
	}
	if b.confirmed() {
		a.releaseLetter(ctx, b)
		return
	}
	if _, err := a.outbox.Withdraw(ctx, b.letterID()); err != nil && !errors.Is(err, svarut.ErrNotFound) && !errors.Is(err, svarut.ErrNotHeld) {
		a.log.WarnContext(ctx, "svarut withdraw", "error", err)
	}
}

// releaseLetter lets the bill's prepared letter go. One withdrawn by a
// request that raced the confirmation goes again, as a copy under a second
// id: the outbox kept its recipient.
func (a *App) releaseLetter(ctx context.Context, b *bill) {
	e, err := a.outbox.Release(ctx, b.letterID())
	switch {
	case errors.Is(err, svarut.ErrNotFound):
		a.log.InfoContext(ctx, "no letter prepared: it goes on the payer's next visit", "bill", b.ID)
		return
	case err != nil:
		a.log.WarnContext(ctx, "svarut release", "error", err)
		return
	case e.State == svarut.EntryWithdrawn:
		s := e.Shipment.Clone()
		s.ExternalRef += "-2"
		if _, err := a.outbox.Enqueue(ctx, resentID(b), s); err != nil && !errors.Is(err, svarut.ErrConflict) {
			a.log.WarnContext(ctx, "svarut enqueue", "error", err)
			return
		}
	case e.State != svarut.EntryPending:
		return // released and sent before
	}
	a.processOutbox(ctx)
}

// resentID is the id of a letter sent again after it was withdrawn.
func resentID(b *bill) string { return b.letterID() + "-2" }

// ensureLetter sends the bill's confirmation once some of it is confirmed:
// a held letter is released, a missing one enqueued now.
func (a *App) ensureLetter(r *http.Request, b *bill, cl *club) {
	ctx := r.Context()
	if !b.confirmed() {
		return
	}
	e, err := a.letters.Get(ctx, b.letterID())
	switch {
	case err == nil && (e.Held || e.State == svarut.EntryWithdrawn):
		a.releaseLetter(ctx, b)
		return
	case err == nil:
		return
	case !errors.Is(err, svarut.ErrNotFound):
		a.log.WarnContext(ctx, "svarut outbox", "error", err)
		return
	}
	s, err := a.letterShipment(ctx, b, cl, b.confirmedIDs())
	if err == nil {
		_, err = a.outbox.Enqueue(ctx, b.letterID(), s)
	}
	if err != nil && !errors.Is(err, svarut.ErrConflict) {
		a.log.WarnContext(ctx, "svarut enqueue", "error", err) // tried again on the next visit
		return
	}
	a.processOutbox(ctx)
}

// letterShipment is the bill's letter for the bookings ids. A club gets it
// by orgnr, with its address from Enhetsregisteret for print; a person (the
// logged-in citizen) by fødselsnummer, with their postal address from
// Folkeregisteret. A protected address (fortrolig, strengt fortrolig) never
// goes on an envelope: that letter goes digital-only.
func (a *App) letterShipment(ctx context.Context, b *bill, cl *club, ids []string) (*svarut.Shipment, error) {
	s := &svarut.Shipment{Title: "Bekreftelse på leie – " + b.Title,
		ExternalRef: "hall-" + b.ID, Type: "Bekreftelse", SendingSystem: "grunnmur hallbooking",
		// The outbox renders the letter again for each attempt, and a hall
		// admin may rename the hall in between: its size is left unknown.
		Documents: []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: letterRef(b, ids)}}}
	if cl != nil {
		s.Recipient = svarut.Recipient{Org: cl.Orgnr, Address: cl.Address}
		return s, nil
	}
	c, ok := auth.CitizenFrom(ctx)
	if !ok {
		return nil, auth.ErrNoSession
	}
	addr, err := a.freg.PostalAddress(ctx, c.PID)
	protected := errors.Is(err, folkeregisteret.ErrProtectedAddress)
	if err != nil && !protected {
		return nil, err
	}
	s.ToPerson(c.PID, addr, protected)
	return s, nil
}

// processOutbox sends what is due now, beside the request.
func (a *App) processOutbox(ctx context.Context) {
	go func() {
		if err := a.outbox.RunOnce(context.WithoutCancel(ctx)); err != nil {
			a.log.Warn("svarut outbox", "error", err)
		}
	}()
}

// documents renders a letter by its reference (letterRef) for the outbox.
func (a *App) documents() svarut.RenderSource {
	render := func(ctx context.Context, ref string) ([]byte, error) {
		series, id, ids, err := parseLetterRef(ref)
		if err != nil {
			return nil, err
		}
		b := &bill{ID: id, Series: series}
		if b.RS, err = a.reload(ctx, b); err != nil {
			return nil, err
		}
		return a.letter(ctx, b, ids)
	}
	return svarut.RenderSource{
		"booking": func(ctx context.Context, rest string) ([]byte, error) { return render(ctx, "booking:"+rest) },
		"series":  func(ctx context.Context, rest string) ([]byte, error) { return render(ctx, "series:"+rest) },
	}
}

// letterPDF shows the confirmation letter: the one in the outbox, or, if
// none went yet, the one that would go now.
func (a *App) letterPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, _, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	ids := b.confirmedIDs()
	if e, err := a.letters.Get(ctx, b.letterID()); err == nil && len(e.Shipment.Documents) > 0 {
		if _, _, sent, err := parseLetterRef(e.Shipment.Documents[0].Ref); err == nil {
			ids = sent
		}
	}
	pdf, err := a.letter(ctx, b, ids)
	if errors.Is(err, booking.ErrNotFound) {
		a.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	site.ServePDF(w, "bekreftelse.pdf", pdf)
}
