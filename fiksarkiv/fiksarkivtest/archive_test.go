package fiksarkivtest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksio"
)

func saksmappe(noekkel string) *fiksarkiv.Arkivmelding {
	return &fiksarkiv.Arkivmelding{System: "grunnmur", Mappe: &fiksarkiv.Saksmappe{Tittel: "Skjenkebevilling 🍷",
		ReferanseEksternNoekkel: &fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: noekkel}}}
}

func journalpost(mappe, noekkel string) (*fiksarkiv.Arkivmelding, fiksarkiv.Attachment) {
	a := &fiksarkiv.Arkivmelding{System: "grunnmur", AntallFiler: 1, Registrering: &fiksarkiv.Journalpost{
		ReferanseForelderMappe: &fiksarkiv.ReferanseTilMappe{ReferanseEksternNoekkel: &fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: mappe}},
		Tittel:                 "Søknad", ReferanseEksternNoekkel: &fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: noekkel},
		Journalposttype: fiksarkiv.Kode{Kode: "I"},
		Dokumentbeskrivelse: []fiksarkiv.Dokumentbeskrivelse{{Tittel: "Søknad", TilknyttetRegistreringSom: fiksarkiv.Kode{Kode: "H"},
			Dokumentobjekt: []fiksarkiv.Dokumentobjekt{{Filnavn: "søknad.pdf", ReferanseDokumentfil: "soknad.pdf"}}}}}}
	return a, fiksarkiv.Attachment{Name: "soknad.pdf", MimeType: "application/pdf",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte("%PDF-1.7 søknad"))), nil }}
}

// TestJournalOnce journals a saksmappe and a journalpost with its file,
// reads the numbers back, fetches them by hent and sok, and sends the
// journalpost again under its klientMeldingId: nothing new is created.
func TestJournalOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, 20*time.Millisecond)
	ctx := ctxT(t)
	r, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-1-mappe", saksmappe("sak-1")))
	if err != nil {
		t.Fatal(err)
	}
	if m := r.Kvittering.Mappe; m == nil || m.Saksaar != 2026 || m.Sakssekvensnummer != 1 || m.Existing {
		t.Fatalf("mappe kvittering %+v", r.Kvittering.Mappe)
	}
	a, file := journalpost("sak-1", "sak-1-jp-1")
	if r, err = e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-1-jp-1", a, file)); err != nil {
		t.Fatal(err)
	}
	if k := r.Kvittering.Registrering; k == nil || len(k.Dokumenter) != 1 || len(k.Dokumenter[0].Objekter) != 1 {
		t.Fatalf("journalpost kvittering %+v", k)
	}
	x, _ := e.store.Get(ctx, "sak-1-jp-1")
	n, ok := x.Numbers()
	if !ok || n.Journalaar != 2026 || n.Journalpostnummer != 1 || len(x.MeldingIDs) != 1 {
		t.Fatalf("numbers %+v %v, exchange %+v", n, ok, x)
	}
	again, err := e.client.Send(ctx, fiksarkiv.OpprettRequest("sak-1-jp-1", a, file))
	if err != nil || again.Attempts != 1 || len(again.MeldingIDs) != 1 {
		t.Fatalf("a second Send sent again: %+v %v", again, err)
	}
	jps := e.archive.Journalposter()
	if len(jps) != 1 || string(jps[0].Dokumenter[0].Objekter[0].Content) != "%PDF-1.7 søknad" || jps[0].MappeSystemID != e.archive.Mapper()[0].SystemID {
		t.Fatalf("the archive holds %+v", jps)
	}
	h, err := e.client.Hent(ctx, &fiksarkiv.RegistreringHent{System: "grunnmur", ReferanseTilRegistrering: fiksarkiv.ReferanseTilRegistrering{
		ReferanseEksternNoekkel: &fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: "sak-1-jp-1"}}})
	if err != nil || h.SystemID != jps[0].SystemID {
		t.Fatalf("hent %+v %v", h, err)
	}
	f, err := e.client.Do(ctx, fiksarkiv.Request{Type: fiksarkiv.TypeDokumentfilHent,
		Payload: &fiksarkiv.DokumentfilHent{System: "grunnmur", SystemID: jps[0].Dokumenter[0].Objekter[0].SystemID}})
	if err != nil || string(f.Dokumentfil) != "%PDF-1.7 søknad" {
		t.Fatalf("dokumentfil %v", err)
	}
	s, err := e.client.Sok(ctx, fiksarkiv.SokEksternNoekkel("grunnmur", "saksmappe", fiksarkiv.Minimum,
		fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: "sak-1"}))
	if err != nil || s.Count != 1 || s.Treff[0].Sakssekvensnummer != 1 {
		t.Fatalf("sok %+v %v", s, err)
	}
}

// TestServerfeilThenRetry: serverfeil is temporary; the next Send of the
// same klientMeldingId sends again and succeeds.
func TestServerfeilThenRetry(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, 0)
	ctx := ctxT(t)
	e.archive.FailNext(1)
	_, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-2", saksmappe("sak-2")))
	var f *fiksarkiv.Feilmelding
	if !errors.As(err, &f) || !f.Temporary() {
		t.Fatalf("got %v, want a temporary feilmelding", err)
	}
	r, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-2", saksmappe("sak-2")))
	if err != nil || r.Kvittering.Mappe == nil {
		t.Fatalf("retry: %v", err)
	}
	if x, _ := e.store.Get(ctx, "sak-2"); x.Attempts != 2 || len(x.MeldingIDs) != 2 || len(e.archive.Mapper()) != 1 {
		t.Errorf("exchange %+v, %d mapper", x, len(e.archive.Mapper()))
	}
}

// TestUgyldigforespoerselIsFinal: a message the archive refuses ends the
// exchange; sending it again sends nothing.
func TestUgyldigforespoerselIsFinal(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, 0)
	ctx := ctxT(t)
	req := fiksarkiv.Request{KlientMeldingID: "sak-3-avskriv", Type: fiksarkiv.TypeAvskrivningOpprett,
		Payload: &fiksarkiv.Avskrivning{Avskrivningsdato: civil.NewDate(2026, 3, 29), AvskrevetAv: fiksarkiv.Identifikatorer{Navn: "Kari"},
			Avskrivningsmaate: fiksarkiv.Kode{Kode: "Ikke gyldig"}, KorrespondansepartID: "kp-1",
			ReferanseTilJournalpost: fiksarkiv.ReferanseTilRegistrering{RegistreringsID: "2026/1-1"}}}
	_, err := e.client.Do(ctx, req)
	var f *fiksarkiv.Feilmelding
	if !errors.As(err, &f) || f.Kind != fiksarkiv.Ugyldigforespoersel || f.Temporary() {
		t.Fatalf("got %v, want ugyldigforespoersel", err)
	}
	x, err := e.client.Send(ctx, req)
	if err != nil || x.State != fiksarkiv.StateFailed || x.Attempts != 1 || len(x.MeldingIDs) != 1 {
		t.Errorf("after a final refusal Send gave %+v %v", x, err)
	}
}

// TestLostKvitteringReconciled: the archive stores the journalpost but its
// kvittering is lost. After Timeout the exchange is Due; Reconcile finds
// the journalpost by its referanseEksternNoekkel and the exchange is Done
// with its numbers. Exactly one journalpost exists.
func TestLostKvitteringReconciled(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			lostKvittering(t, st.open(t))
		})
	}
}

func lostKvittering(t *testing.T, store fiksarkiv.Store) {
	e := setup(t, store, 0)
	ctx := ctxT(t)
	if _, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-4-mappe", saksmappe("sak-4"))); err != nil {
		t.Fatal(err)
	}
	e.archive.DropKvitteringer(1)
	a, file := journalpost("sak-4", "sak-4-jp-1")
	if _, err := e.client.Send(ctx, fiksarkiv.OpprettRequest("sak-4-jp-1", a, file)); err != nil {
		t.Fatal(err)
	}
	waitState(t, e, "sak-4-jp-1", fiksarkiv.StateMottatt)
	if due, _ := e.client.Due(ctx, 0); len(due) != 0 {
		t.Fatalf("due before the timeout: %v", due)
	}
	e.clock.Add(61 * time.Minute)
	due, err := e.client.Due(ctx, 0)
	if err != nil || len(due) != 1 || due[0].KlientMeldingID != "sak-4-jp-1" {
		t.Fatalf("due %v %v", due, err)
	}
	// A second process on the same store (a restart) does the reconciling:
	// Send does not send again, Reconcile finds the journalpost.
	second, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: e.fagsystem, Arkiv: e.arkiv, Store: store, System: "grunnmur",
		Timeout: time.Hour, PollInterval: 20 * time.Millisecond, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if x, err := second.Send(ctx, fiksarkiv.OpprettRequest("sak-4-jp-1", a, file)); err != nil || x.Attempts != 1 {
		t.Fatalf("after the restart Send sent again: %+v %v", x, err)
	}
	x, err := second.Reconcile(ctx, "sak-4-jp-1")
	if err != nil || x.State != fiksarkiv.StateDone {
		t.Fatalf("reconcile: %+v %v", x, err)
	}
	n, ok := x.Numbers()
	jps := e.archive.Journalposter()
	if !ok || len(jps) != 1 || n.SystemID != jps[0].SystemID || n.Journalsekvensnummer != jps[0].Journalsekvensnummer {
		t.Errorf("numbers %+v %v; archive %d journalposter", n, ok, len(jps))
	}
}

func waitState(t *testing.T, e *env, id string, want fiksarkiv.State) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		x, err := e.store.Get(ctxT(t), id)
		if err == nil && x.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached %s: %+v %v", id, want, x, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSendOnceUnderRace: many goroutines send the same klientMeldingId;
// one message goes out and one journalpost exists.
func TestSendOnceUnderRace(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			sendRace(t, st.open(t))
		})
	}
}

func sendRace(t *testing.T, store fiksarkiv.Store) {
	e := setup(t, store, 0)
	ctx := ctxT(t)
	if _, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-5-mappe", saksmappe("sak-5"))); err != nil {
		t.Fatal(err)
	}
	a, file := journalpost("sak-5", "sak-5-jp-1")
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.client.Send(ctx, fiksarkiv.OpprettRequest("sak-5-jp-1", a, file)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	x, err := e.client.Wait(ctx, "sak-5-jp-1")
	if err != nil || x.State != fiksarkiv.StateDone || x.Attempts != 1 || len(x.MeldingIDs) != 1 || len(e.archive.Journalposter()) != 1 {
		t.Errorf("exchange %+v %v; %d journalposter", x, err, len(e.archive.Journalposter()))
	}
}

// TestTidsavbruddIsRetryable: a message nobody reads expires; Fiks IO's
// tidsavbrudd puts the exchange in StateRetry with a temporary
// *TransportError, and the next Send sends again.
func TestTidsavbruddIsRetryable(t *testing.T) {
	t.Parallel()
	e := setupWith(t, options{noArchive: true, ttl: time.Second})
	ctx := ctxT(t)
	_, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-6", saksmappe("sak-6")))
	var te *fiksarkiv.TransportError
	if !errors.As(err, &te) || !te.Temporary() || te.Type != fiksio.TypeTidsavbrudd || !errors.Is(err, fiksarkiv.ErrTransport) {
		t.Fatalf("got %v, want a tidsavbrudd", err)
	}
	x, err := e.client.Send(ctx, fiksarkiv.OpprettRequest("sak-6", saksmappe("sak-6")))
	if err != nil || x.Attempts != 2 || len(x.MeldingIDs) != 2 || x.State != fiksarkiv.StateSent {
		t.Errorf("the resend: %+v %v", x, err)
	}
}

// TestSameKeyIsExisting: a second opprett of the same referanseEksternNoekkel
// under another klientMeldingId (a fagsystem that lost its state) creates
// nothing; the kvittering says "Eksisterende" with the first numbers.
func TestSameKeyIsExisting(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, 0)
	ctx := ctxT(t)
	first, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-7-a", saksmappe("sak-7")))
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.client.Do(ctx, fiksarkiv.OpprettRequest("sak-7-b", saksmappe("sak-7")))
	if err != nil {
		t.Fatal(err)
	}
	if m := again.Kvittering.Mappe; !m.Existing || m.SystemID != first.Kvittering.Mappe.SystemID || len(e.archive.Mapper()) != 1 {
		t.Errorf("second kvittering %+v; %d mapper", m, len(e.archive.Mapper()))
	}
}

// TestAbandonedSearchNotDue: a Reconcile whose search gets no answer ends
// that search, so that Due lists the write again, not a growing pile of
// searches that would crowd the writes out of its limit.
func TestAbandonedSearchNotDue(t *testing.T) {
	e := setupWith(t, options{store: fiksarkiv.NewMemoryStore(), noArchive: true})
	a, file := journalpost("sak-9", "sak-9-jp-1")
	if _, err := e.client.Send(ctxT(t), fiksarkiv.OpprettRequest("sak-9-jp-1", a, file)); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(61 * time.Minute)
	ctx, cancel := context.WithTimeout(ctxT(t), 500*time.Millisecond)
	defer cancel()
	if _, err := e.client.Reconcile(ctx, "sak-9-jp-1"); err == nil {
		t.Fatal("a search nobody answers reconciled")
	}
	e.clock.Add(61 * time.Minute)
	due, err := e.client.Due(ctxT(t), 0)
	if err != nil || len(due) != 1 || due[0].KlientMeldingID != "sak-9-jp-1" {
		t.Fatalf("due %v %v, want only the write", due, err)
	}
}
