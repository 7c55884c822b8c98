package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/svarut"
)

// letter renders the confirmation letter of a booking. Only PDF can be
// printed, so the letter is a PDF; it links to the booking's .ics. Its
// content follows from the booking alone, so the outbox can open it again
// for each attempt.
func (a *App) letter(ctx context.Context, res *booking.Reservation) ([]byte, error) {
	h, err := a.book.Resource(ctx, res.ResourceID)
	if err != nil {
		return nil, err
	}
	pdf, err := site.NewPDF("Bekreftelse på leie av "+h.Name, "grunnmur hallbooking", res.Created)
	if err != nil {
		return nil, err
	}
	text := site.PDFText(pdf)
	text(10, "", "Eksempelkommune\nKultur og idrett, utleie")
	pdf.Ln(4)
	text(10, "", "Dato: "+site.Date(res.Created, "nb")+"\nReferanse: "+res.ID)
	pdf.Ln(4)
	text(16, "B", "Bekreftelse på leie")
	text(11, "", fmt.Sprintf("Du har leid %s %s–%s.", h.Name, site.Time(res.Start, "nb"), res.End.In(site.Oslo()).Format("15.04")))
	text(11, "", "Leie: "+payment.Amount(res.PriceOre).Display("nb")+".")
	if h.CancelDeadline > 0 {
		text(11, "", "Du kan avbestille uten kostnad frem til "+site.Time(res.Start.Add(-h.CancelDeadline), "nb")+". Avbestiller du senere, må du betale leien.")
	}
	text(12, "B", "Legg timen i kalenderen")
	text(11, "", a.public+"/booking/"+res.ID+"/ics")
	text(10, "", "Brevet er laget elektronisk og har derfor ingen signatur.")
	return site.PDFBytes(pdf)
}

func letterID(res *booking.Reservation) string { return "bekreftelse-" + res.ID }

// sendLetter puts a club's confirmation in the SvarUT outbox, to the club
// by orgnr with its address from Enhetsregisteret for print. A person's
// letter would need their address from Folkeregisteret, which this example
// does not look up yet: a person sees the same PDF on the booking's page.
func (a *App) sendLetter(r *http.Request, res *booking.Reservation, cl *club) {
	ctx := r.Context()
	if cl == nil {
		return
	}
	rcpt := svarut.Recipient{Org: cl.Orgnr, Address: cl.Address}
	b, err := a.letter(ctx, res)
	if err != nil {
		a.log.WarnContext(ctx, "confirmation letter", "error", err)
		return
	}
	s := &svarut.Shipment{Title: "Bekreftelse på leie – " + res.Title, Recipient: rcpt,
		Documents:   []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: "booking:" + res.ID, Size: int64(len(b))}},
		ExternalRef: "hall-" + res.ID, Type: "Bekreftelse", SendingSystem: "grunnmur hallbooking"}
	if _, err := a.outbox.Enqueue(ctx, letterID(res), s); err != nil && !errors.Is(err, svarut.ErrConflict) {
		a.log.WarnContext(ctx, "svarut enqueue", "error", err)
		return
	}
	go func() {
		if _, err := a.outbox.Process(context.WithoutCancel(ctx)); err != nil {
			a.log.Warn("svarut outbox", "error", err)
		}
	}()
}

// openDocument opens a letter by its reference ("booking:ID") for the
// outbox.
func (a *App) openDocument(ctx context.Context, doc svarut.Document) (io.ReadCloser, error) {
	id, ok := strings.CutPrefix(doc.Ref, "booking:")
	if !ok {
		return nil, fmt.Errorf("hallbooking: unknown document %q", doc.Ref)
	}
	res, err := a.book.Reservation(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := a.letter(ctx, res)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// letterPDF shows the confirmation letter as it was sent.
func (a *App) letterPDF(w http.ResponseWriter, r *http.Request) {
	res, _, err := a.mine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if res.State == booking.Held {
		a.errorPage(w, r, http.StatusNotFound)
		return
	}
	b, err := a.letter(r.Context(), res)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="bekreftelse.pdf"`)
	w.Write(b)
}
