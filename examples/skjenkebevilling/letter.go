package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// letter renders the decision letter (vedtaksbrev) of a decided case. The
// content follows from the case alone, so the outbox can open it again for
// each attempt and the archive extract gets the same bytes.
func (a *App) letter(ctx context.Context, c *sak.Case) ([]byte, error) {
	sub, err := a.submission(ctx, c)
	if err != nil {
		return nil, err
	}
	var decidedAt time.Time
	var note string
	for _, e := range c.Events {
		if e.To == sak.Decided {
			decidedAt, note = e.At, e.Note
		}
	}
	if decidedAt.IsZero() {
		return nil, fmt.Errorf("skjenkebevilling: case %s is not decided", c.ID)
	}
	soker, sted := str(sub.Data, "soker", "navn"), str(sub.Data, "skjenkested", "navn")
	body := []site.Block{
		site.Heading("Vedtak: søknaden om skjenkebevilling er avslått"),
		site.Text(fmt.Sprintf("Søknaden fra %s om skjenkebevilling for %s er avslått, etter alkoholloven § 1-7 a.", soker, sted)),
	}
	if c.Outcome == sak.Approved {
		body = []site.Block{
			site.Heading("Vedtak: skjenkebevilling innvilget"),
			site.Text(fmt.Sprintf("%s får alminnelig bevilling til å skjenke alkoholholdig drikk på %s, etter alkoholloven § 1-7.", soker, sted)),
		}
	}
	if note != "" {
		body = append(body, site.Subheading("Begrunnelse"), site.Text(note))
	}
	body = append(body,
		site.Text(fmt.Sprintf("Styrer: %s\nStedfortreder: %s", str(sub.Data, "styrer", "navn"), str(sub.Data, "stedfortreder", "navn"))),
		site.Subheading("Klagerett"),
		site.Text(fmt.Sprintf("Du kan klage på vedtaket innen tre uker etter at du mottok det (forvaltningsloven § 29). Klagefristen går ut %s.",
			i18n.NB.DateOf(appealDeadline(c, decidedAt)))),
		site.Small("Brevet er godkjent elektronisk og har derfor ingen signatur."))
	return site.Letter{Title: "Vedtak om skjenkebevilling " + c.Number(), Creator: "grunnmur skjenkebevilling",
		From: []string{"Eksempelkommune", "Næringsetaten, skjenkekontoret"},
		To:   []string{soker, "Org.nr. " + str(sub.Data, "soker", "organisasjonsnummer")},
		Date: decidedAt, Reference: c.Number(), ReferenceLabel: "Saksnummer", Lang: i18n.NB, Blocks: body}.PDF()
}

// appealDeadline is the case's appeal deadline, which Decide set from the day
// of the decision: the letter goes out digitally at once, and
// sak.AppealDeadline counts it as received that day.
func appealDeadline(c *sak.Case, decidedAt time.Time) time.Time {
	if d, ok := c.Deadline(sak.DeadlineAppeal); ok {
		return d.Due
	}
	return sak.AppealDeadline(decidedAt)
}

// applicationPDF prints a submitted application for the archive: every
// answer of the pruned data, as the receipt shows it.
func (a *App) applicationPDF(s *forms.Submission) ([]byte, error) {
	pdf, err := site.NewPDF("Søknad om skjenkebevilling", "grunnmur skjenkebevilling", s.SubmittedAt)
	if err != nil {
		return nil, err
	}
	pdf.SetFont("DejaVu", "B", 16)
	pdf.MultiCell(0, 8, "Søknad om skjenkebevilling", "", "L", false)
	pdf.SetFont("DejaVu", "", 10)
	pdf.MultiCell(0, 5, "Referanse: "+s.ID+"\nSendt: "+i18n.NB.Time(s.SubmittedAt), "", "L", false)
	pdf.Ln(4)
	for _, sec := range a.def.Summary(s.Data, forms.SummaryOptions{Lang: i18n.NB, MaskPersonalNumbers: true}) {
		pdf.SetFont("DejaVu", "B", 12)
		pdf.MultiCell(0, 7, sec.Title, "", "L", false)
		pdf.SetFont("DejaVu", "", 10)
		printAnswers(pdf, sec.Rows, "")
		pdf.Ln(2)
	}
	return pdf.Bytes()
}

// printAnswers prints the answers, the archive copy's personal numbers
// masked to the birth date.
func printAnswers(pdf *site.PDF, rows []forms.SummaryRow, indent string) {
	for _, r := range rows {
		if r.Empty {
			continue
		}
		if len(r.Children) == 0 {
			pdf.MultiCell(0, 5, indent+r.Label+": "+r.Text("; "), "", "L", false)
			continue
		}
		pdf.MultiCell(0, 5, indent+r.Label+":", "", "L", false)
		for _, ch := range r.Children {
			printAnswers(pdf, ch, indent+"  ")
		}
	}
}

func lookup(data forms.Data, pointer string) (any, bool) {
	var cur any = map[string]any(data)
	for _, p := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// documents renders the case's documents by reference, for the SvarUT
// outbox and the archive extract: "vedtak:CASE" is the decision letter,
// "soknad:SUB" the application.
func (a *App) documents() svarut.RenderSource {
	return svarut.RenderSource{
		"vedtak": func(ctx context.Context, id string) ([]byte, error) {
			c, err := a.sak.Get(ctx, system, id)
			if err != nil {
				return nil, err
			}
			return a.letter(ctx, c)
		},
		"soknad": func(ctx context.Context, id string) ([]byte, error) {
			s, err := a.forms.GetSubmission(ctx, id)
			if err != nil {
				return nil, err
			}
			return a.applicationPDF(s)
		},
	}
}

// openRef opens a document by its reference: one of documents, or
// "vedlegg:FILE", one of the application's attachments in the file store.
func (a *App) openRef(ctx context.Context, ref string) (io.ReadCloser, error) {
	if id, ok := strings.CutPrefix(ref, "vedlegg:"); ok {
		_, rc, err := a.files.Open(ctx, id)
		return rc, err
	}
	return a.documents().Open(ctx, svarut.Document{Ref: ref})
}
