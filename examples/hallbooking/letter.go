package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/svarut"
)

// letter renders the confirmation letter of a bill: one booking, or every
// week of a series. Only PDF can be printed, so the letter is a PDF; it
// links to each booking's .ics. Its content follows from the bookings, so
// the outbox can open it again for each attempt: it lists every occurrence
// that was confirmed, cancelled or not.
func (a *App) letter(ctx context.Context, b *bill) ([]byte, error) {
	h, err := a.book.Resource(ctx, b.RS[0].ResourceID)
	if err != nil {
		return nil, err
	}
	var rs []*booking.Reservation
	for _, r := range b.RS {
		if r.State == booking.Confirmed || r.State == booking.Cancelled {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("hallbooking: letter for %s: %w", b.ID, booking.ErrNotFound)
	}
	pdf, err := site.NewPDF("Bekreftelse på leie av "+h.Name, "grunnmur hallbooking", rs[0].Created)
	if err != nil {
		return nil, err
	}
	text := site.PDFText(pdf)
	text(10, "", "Eksempelkommune\nKultur og idrett, utleie")
	pdf.Ln(4)
	text(10, "", "Dato: "+site.Date(rs[0].Created, "nb")+"\nReferanse: "+b.ID)
	pdf.Ln(4)
	if b.Series {
		text(16, "B", "Bekreftelse på fast leie")
		text(11, "", fmt.Sprintf("Du har leid %s %d ganger, ukentlig:", h.Name, len(rs)))
	} else {
		text(16, "B", "Bekreftelse på leie")
		text(11, "", "Du har leid "+h.Name+":")
	}
	for _, r := range rs {
		text(11, "", "• "+site.Time(r.Start, "nb")+"–"+r.End.In(site.Oslo()).Format("15.04")+"   "+a.public+"/booking/"+r.ID+"/ics")
	}
	text(11, "", "Leie: "+payment.Amount(sum(rs)).Display("nb")+".")
	if h.CancelDeadline > 0 {
		text(11, "", fmt.Sprintf("Du kan avbestille uten kostnad frem til %s før leietiden begynner. Avbestiller du senere, må du betale leien.", deadline(h.CancelDeadline)))
	}
	text(12, "B", "Legg timene i kalenderen")
	text(11, "", "Lenkene over gir hver time som en kalenderfil (.ics). På Min side kan du lage en kalenderlenke som alltid viser alle bookingene dine.")
	text(10, "", "Brevet er laget elektronisk og har derfor ingen signatur.")
	return site.PDFBytes(pdf)
}

// deadline says a cancellation deadline in Norwegian: "48 timer", "2 dager".
func deadline(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 48*time.Hour {
		return fmt.Sprintf("%d dager", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d timer", d/time.Hour)
}

// ensureLetter puts the bill's confirmation in the SvarUT outbox once some
// of it is confirmed, unless it is there already. A club gets it by orgnr,
// with its address from Enhetsregisteret for print; a person by
// fødselsnummer, with their postal address from Folkeregisteret. A
// protected address (fortrolig, strengt fortrolig) never goes on an
// envelope: that letter goes digital-only.
func (a *App) ensureLetter(r *http.Request, b *bill, cl *club) {
	ctx := r.Context()
	if !b.confirmed() {
		return
	}
	if _, err := a.letters.Get(ctx, b.letterID()); !errors.Is(err, svarut.ErrNotFound) {
		if err != nil {
			a.log.WarnContext(ctx, "svarut outbox", "error", err)
		}
		return
	}
	s := &svarut.Shipment{Title: "Bekreftelse på leie – " + b.Title,
		ExternalRef: "hall-" + b.ID, Type: "Bekreftelse", SendingSystem: "grunnmur hallbooking"}
	if cl != nil {
		s.Recipient = svarut.Recipient{Org: cl.Orgnr, Address: cl.Address}
	} else {
		c, ok := auth.CitizenFrom(ctx)
		if !ok {
			return
		}
		p, err := a.freg.Person(ctx, c.PID, folkeregisteret.PartNavn, folkeregisteret.PartPostadresse, folkeregisteret.PartBostedsadresse)
		if err != nil {
			a.log.WarnContext(ctx, "folkeregisteret", "error", err)
			return // tried again on the next visit
		}
		addr, protected, err := site.PersonAddress(p)
		if err != nil {
			a.log.WarnContext(ctx, "folkeregisteret address", "error", err)
			return
		}
		s.Recipient, s.DigitalOnly = svarut.Recipient{Person: c.PID, Address: addr}, protected
	}
	doc, err := a.letter(ctx, b)
	if err != nil {
		a.log.WarnContext(ctx, "confirmation letter", "error", err)
		return
	}
	ref := "booking:" + b.ID
	if b.Series {
		ref = "series:" + b.ID
	}
	s.Documents = []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: ref, Size: int64(len(doc))}}
	if _, err := a.outbox.Enqueue(ctx, b.letterID(), s); err != nil && !errors.Is(err, svarut.ErrConflict) {
		a.log.WarnContext(ctx, "svarut enqueue", "error", err)
		return
	}
	go func() {
		if _, err := a.outbox.Process(context.WithoutCancel(ctx)); err != nil {
			a.log.Warn("svarut outbox", "error", err)
		}
	}()
}

// openDocument opens a letter by its reference ("booking:ID" or
// "series:ID") for the outbox.
func (a *App) openDocument(ctx context.Context, doc svarut.Document) (io.ReadCloser, error) {
	kind, id, _ := strings.Cut(doc.Ref, ":")
	var b *bill
	switch kind {
	case "booking":
		res, err := a.book.Reservation(ctx, id)
		if err != nil {
			return nil, err
		}
		b = &bill{ID: id, Title: res.Title, RS: []*booking.Reservation{res}}
	case "series":
		var err error
		if b, err = a.seriesBill(ctx, "", id); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("hallbooking: unknown document %q", doc.Ref)
	}
	pdf, err := a.letter(ctx, b)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(pdf)), nil
}

// letterPDF shows the confirmation letter as it was sent.
func (a *App) letterPDF(w http.ResponseWriter, r *http.Request) {
	b, _, err := a.billFor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pdf, err := a.letter(r.Context(), b)
	if errors.Is(err, booking.ErrNotFound) {
		a.errorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	site.ServePDF(w, "bekreftelse.pdf", pdf)
}
