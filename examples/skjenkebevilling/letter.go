package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
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
	sub, err := a.Submission(ctx, c)
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

// letterPDF sends the applicant or an officer the decision letter.
func (a *App) letterPDF(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.Case(r)
	if err == nil && c.State != sak.Decided && c.State != sak.Closed {
		err = sak.ErrNotFound
	}
	var b []byte
	if err == nil {
		b, err = a.letter(r.Context(), c)
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	site.ServePDF(w, "vedtak.pdf", b)
}

// documents renders the case's documents by reference, for the SvarUT
// outbox and the archive extract: "vedtak:CASE" is the decision letter,
// "soknad:SUB" the application with every answer, as the receipt shows
// it, the fødselsnummer as the birth date only.
func (a *App) documents() svarut.RenderSource {
	return svarut.RenderSource{
		"vedtak": func(ctx context.Context, id string) ([]byte, error) {
			c, err := a.Cases.Get(ctx, system, id)
			if err != nil {
				return nil, err
			}
			return a.letter(ctx, c)
		},
		"soknad": func(ctx context.Context, id string) ([]byte, error) {
			s, err := a.Forms.GetSubmission(ctx, id)
			if err != nil {
				return nil, err
			}
			body := append([]site.Block{site.Heading("Søknad om skjenkebevilling"), site.Small("Sendt: " + i18n.NB.Time(s.SubmittedAt))},
				site.Answers(a.def.Summary(s.Data, forms.SummaryOptions{Lang: i18n.NB, MaskPersonalNumbers: true}))...)
			return site.Letter{Title: "Søknad om skjenkebevilling", Creator: "grunnmur skjenkebevilling",
				Date: s.SubmittedAt, Reference: s.ID, Lang: i18n.NB, Blocks: body}.PDF()
		},
	}
}

// archiveOptions map the cases onto Noark 5: the municipality as creator,
// the applicant company as party, the documents printed again from their
// references, and the attachments ("vedlegg:FILE") from the file store.
func (a *App) archiveOptions() sak.ArchiveOptions {
	return sak.ArchiveOptions{
		Extract: sak.DefaultExtract("Eksempelkommune", "921000009", map[string]string{kind: "Skjenkebevilling"}, a.Config.Now()),
		Open: func(ctx context.Context, c *sak.Case, e *sak.JournalEntry, d sak.Document) (io.ReadCloser, error) {
			if id, ok := strings.CutPrefix(d.Ref, "vedlegg:"); ok {
				_, rc, err := a.Files.Open(ctx, id)
				return rc, err
			}
			return a.documents().Open(ctx, svarut.Document{Ref: d.Ref})
		},
		Parties: func(c *sak.Case) []archive.Part {
			sub, err := a.Submission(context.Background(), c)
			if err != nil {
				return nil
			}
			return []archive.Part{{ID: str(sub.Data, "soker", "organisasjonsnummer"), Name: str(sub.Data, "soker", "navn"), Role: "Søker"}}
		},
		AdministrativeUnit: "Skjenkekontoret",
		Now:                a.Config.Now,
	}
}

// extract sends a Noark 5 extract of every finished case as a zip file.
// When cases cannot be written, the officer first sees which and why, and
// downloads the extract of the rest from there.
func (a *App) extract(w http.ResponseWriter, r *http.Request) {
	x, err := a.Cases.Extract(r.Context(), sak.Filter{Kind: kind}, a.archiveOptions())
	if errors.Is(err, archive.ErrEmpty) {
		a.Render(w, r, "error", http.StatusConflict, a.Page(r, "off.extract", "off.none"))
		return
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	defer x.Close()
	if len(x.LeftOut) > 0 && (x.Summary == nil || r.URL.Query().Get("ufullstendig") != "1") {
		a.Config.Logger.WarnContext(r.Context(), "noark extract: cases left out", "cases", len(x.LeftOut))
		type leftOut struct{ ID, Number, Reason string }
		v := struct {
			Cases    []leftOut
			Download string
		}{}
		if x.Summary != nil {
			v.Download = "/ansatt/uttrekk?ufullstendig=1"
		}
		for _, c := range x.LeftOut {
			v.Cases = append(v.Cases, leftOut{c.ID, c.Number, messages.T(site.Lang(r), "off.leftout."+sak.LeftOutReason(c.Err))})
		}
		a.Render(w, r, "extract", http.StatusOK, a.Page(r, "off.leftout", v))
		return
	}
	now := a.Config.Now().In(civil.Oslo)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="noark5-skjenkebevilling-`+now.Format("2006-01-02")+`.zip"`)
	if err := x.WriteZip(w, now); err != nil {
		a.Config.Logger.ErrorContext(r.Context(), "noark extract zip", "error", err)
	}
}
