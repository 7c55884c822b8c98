package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/i18n"
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
		if r := b.Reservation(id); r != nil && r.Payable() { // not a hold that ran out, nor a week cancelled free
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("hallbooking: letter for %s: %w", b.ID, booking.ErrNotFound)
	}
	h, err := a.Bookings.Resource(ctx, rs[0].ResourceID)
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
		times[i] = i18n.NB.Time(r.Start) + "–" + i18n.NB.Clock(r.End) + "   " + a.Config.PublicURL + "/booking/" + r.ID + "/ics"
	}
	body = append(body, site.List(times...), site.Text("Leie: "+i18n.NB.Amount(booking.Total(rs))+"."))
	if h.CancelDeadline > 0 {
		body = append(body, site.Text(fmt.Sprintf("Du kan avbestille uten kostnad frem til %s før leietiden begynner. Avbestiller du senere, må du betale leien.", i18n.NB.Duration(h.CancelDeadline))))
	}
	body = append(body, site.Subheading("Legg timene i kalenderen"),
		site.Text("Lenkene over gir hver time som en kalenderfil (.ics). På Min side kan du lage en kalenderlenke som alltid viser alle bookingene dine."),
		site.Small("Brevet er laget elektronisk og har derfor ingen signatur."))
	return site.Letter{Title: "Bekreftelse på leie av " + h.Name, Creator: "grunnmur hallbooking",
		From: []string{"Eksempelkommune", "Kultur og idrett, utleie"},
		Date: rs[0].Created, Reference: b.ID, Lang: i18n.NB, Blocks: body}.PDF()
}

func letterID(b *bill) string {
	if b.Series {
		return "bekreftelse-serie-" + b.ID
	}
	return "bekreftelse-" + b.ID
}

// The confirmation letter goes through checkout.Letters (a.mail): held in
// the outbox when the payer starts a Vipps payment (prepareLetter), let go
// wherever the payment confirms the bookings (the checkout's AfterSettle),
// and sent at once when an invoice confirms them, or on a page view that
// finds it did not go (ensureLetter).

// prepareLetter holds the bill's letter in the outbox for its held
// bookings. Preparing it again is a no-op.
func (a *App) prepareLetter(r *http.Request, b *bill, cl *club) {
	if err := a.mail.Prepare(r.Context(), b, a.shipment(b, cl)); err != nil {
		a.Config.Logger.WarnContext(r.Context(), "svarut prepare", "error", err) // ensureLetter tries again on a page view
	}
}

// ensureLetter sends the bill's confirmation once some of it is confirmed.
func (a *App) ensureLetter(r *http.Request, b *bill, cl *club) {
	a.mail.Send(r.Context(), b, a.shipment(b, cl))
}

// shipment makes the bill's letter for the bookings ids, to the club or
// the person (site.AddressTo).
func (a *App) shipment(b *bill, cl *club) checkout.Shipment {
	return func(ctx context.Context, ids []string) (*svarut.Shipment, error) {
		s := &svarut.Shipment{Title: "Bekreftelse på leie – " + b.Title(),
			ExternalRef: "hall-" + b.ID, Type: "Bekreftelse", SendingSystem: "grunnmur hallbooking",
			// The outbox renders the letter again for each attempt, and a hall
			// admin may rename the hall in between: its size is left unknown.
			Documents: []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: checkout.DocumentRef(b, ids)}}}
		return s, site.AddressTo(ctx, s, cl, a.freg)
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
	pdf, err := a.letter(ctx, b, a.mail.Confirms(ctx, b))
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
