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

// letter renders the confirmation letter of a bill: the bookings ids (one,
// or every week of a series confirmed when the letter was made). Only PDF
// can be printed, so the letter is a PDF; it links to each booking's .ics.
// The outbox opens it again for each attempt, from the same ids.
func (a *App) letter(ctx context.Context, b *bill, ids []string) ([]byte, error) {
	var rs []*booking.Reservation
	for _, id := range ids {
		for _, r := range b.RS {
			if r.ID == id {
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
	// The outbox renders the letter again for each attempt, and a hall
	// admin may rename the hall in between: its size is left unknown.
	s.Documents = []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: letterRef(b, b.confirmedIDs())}}
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

// openDocument opens a letter by its reference (letterRef) for the outbox.
func (a *App) openDocument(ctx context.Context, doc svarut.Document) (io.ReadCloser, error) {
	series, id, ids, err := parseLetterRef(doc.Ref)
	if err != nil {
		return nil, err
	}
	b := &bill{ID: id, Series: series}
	if b.RS, err = a.reload(ctx, b); err != nil {
		return nil, err
	}
	pdf, err := a.letter(ctx, b, ids)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(pdf)), nil
}

// letterPDF shows the confirmation letter: the one in the outbox, or, if
// none went yet, the one that would go now.
func (a *App) letterPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, _, err := a.billFor(r)
	if err != nil {
		a.fail(w, r, err)
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
		a.errorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	site.ServePDF(w, "bekreftelse.pdf", pdf)
}
