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
// answer of the pruned data, as the receipt shows it, the fødselsnummer as
// the birth date only.
func (a *App) applicationPDF(s *forms.Submission) ([]byte, error) {
	body := []site.Block{site.Heading("Søknad om skjenkebevilling"), site.Small("Sendt: " + i18n.NB.Time(s.SubmittedAt))}
	for _, sec := range a.def.Summary(s.Data, forms.SummaryOptions{Lang: i18n.NB, MaskPersonalNumbers: true}) {
		body = append(body, site.Subheading(sec.Title), site.Table(answerRows(sec.Rows, "")...))
	}
	return site.Letter{Title: "Søknad om skjenkebevilling", Creator: "grunnmur skjenkebevilling",
		Date: s.SubmittedAt, Reference: s.ID, Lang: i18n.NB, Blocks: body}.PDF()
}

// answerRows are a summary's rows as a table's, each entry of a repeating
// group numbered after its label.
func answerRows(rows []forms.SummaryRow, prefix string) [][2]string {
	var out [][2]string
	for _, r := range rows {
		if len(r.Children) == 0 {
			out = append(out, [2]string{prefix + r.Label, r.Text("; ")})
		}
		for i, entry := range r.Children {
			out = append(out, answerRows(entry, fmt.Sprintf("%s%s %d: ", prefix, r.Label, i+1))...)
		}
	}
	return out
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
