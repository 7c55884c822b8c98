package fiksarkivtest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Config configures the fake archive.
type Config struct {
	// FiksIO is the archive's own account on the Fiks IO fake (or on KS'
	// test environment): it receives the requests and sends the replies.
	FiksIO *fiksio.Client
	// KvitteringDelay is the time between mottatt and kvittering.
	KvitteringDelay time.Duration
	Now             func() time.Time
	Logger          *slog.Logger
}

// Mappe is a saksmappe the archive holds, with the numbers it assigned.
type Mappe struct {
	SystemID string
	// MappeID is the archive's id of the mappe; empty means
	// "saksaar/sakssekvensnummer".
	MappeID           string
	Saksmappe         fiksarkiv.Saksmappe
	Saksaar           int
	Sakssekvensnummer int
	Saksdato          civil.Date
	Opprettet         time.Time
}

// Journalpost is a journalpost the archive holds.
type Journalpost struct {
	SystemID             string
	MappeSystemID        string
	Journalpost          fiksarkiv.Journalpost
	Journalaar           int
	Journalsekvensnummer int
	Journalpostnummer    int
	Journaldato          civil.Date
	Opprettet            time.Time
	Dokumenter           []Dokument
	Avskrivninger        []fiksarkiv.Avskrivning
}

// Dokument is a dokumentbeskrivelse with its files.
type Dokument struct {
	SystemID string
	Nummer   int
	Tittel   string
	Objekter []Objekt
}

// Objekt is a stored file.
type Objekt struct {
	SystemID string
	Filnavn  string
	Content  []byte
}

// Archive is a fake archive system, as Public 360 behaves through Fiks
// Arkiv V1: it checks each request (root, namespace and the required
// fields, the references), answers writes with mottatt and, after
// KvitteringDelay, a kvittering with the numbers it assigns, answers
// innsyn from what it stored, and never creates a second object for a
// retried klientMeldingId or a known referanseEksternNoekkel.
type Archive struct {
	cfg     Config
	mu      sync.Mutex
	mapper  []*Mappe
	poster  []*Journalpost
	done    map[string]*reply // klientMeldingId → the final reply sent
	seq     map[int]int       // per year: the last sakssekvensnummer
	jseq    map[int]int       // per year: the last journalsekvensnummer
	faults  []string          // feilmelding kinds to answer the next requests with
	drops   int               // kvitteringer to lose
	timers  sync.WaitGroup
	closing chan struct{}
	once    sync.Once
}

type reply struct {
	typ     string
	payload []byte
	name    string
}

// New returns an empty archive.
func New(cfg Config) *Archive {
	return &Archive{cfg: cfg, done: map[string]*reply{}, seq: map[int]int{}, jseq: map[int]int{}, closing: make(chan struct{})}
}

func (a *Archive) now() time.Time    { return defaults.Now(a.cfg.Now) }
func (a *Archive) log() *slog.Logger { return defaults.Logger(a.cfg.Logger) }

// Serve receives the archive's messages until ctx ends.
func (a *Archive) Serve(ctx context.Context) error {
	err := a.cfg.FiksIO.Receive(ctx, a.Handle)
	a.once.Do(func() { close(a.closing) })
	a.timers.Wait()
	return err
}

// FailNext answers the next n requests with serverfeil.
func (a *Archive) FailNext(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range n {
		a.faults = append(a.faults, string(fiksarkiv.Serverfeil))
	}
}

// DropKvitteringer stores the next n writes but loses their kvittering, as
// a lost reply.
func (a *Archive) DropKvitteringer(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.drops += n
}

// Mapper returns copies of the saksmapper held, in creation order.
func (a *Archive) Mapper() []Mappe {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Mappe, len(a.mapper))
	for i, m := range a.mapper {
		out[i] = *m
	}
	return out
}

// Journalposter returns copies of the journalposter held.
func (a *Archive) Journalposter() []Journalpost {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Journalpost, len(a.poster))
	for i, j := range a.poster {
		out[i] = *j
	}
	return out
}

// Seed stores a saksmappe and journalposter as if created earlier (the
// objects KS' cases refer to), with the given systemIDs and numbers; new
// numbers continue after them.
func (a *Archive) Seed(m Mappe, jps ...Journalpost) {
	a.mu.Lock()
	defer a.mu.Unlock()
	mm := m
	a.mapper = append(a.mapper, &mm)
	a.seq[m.Saksaar] = max(a.seq[m.Saksaar], m.Sakssekvensnummer)
	for _, j := range jps {
		jj := j
		jj.MappeSystemID = m.SystemID
		a.poster = append(a.poster, &jj)
		a.jseq[j.Journalaar] = max(a.jseq[j.Journalaar], j.Journalsekvensnummer)
	}
}

// Handle is the archive's fiksio.Handler.
func (a *Archive) Handle(ctx context.Context, m *fiksio.Received) fiksio.Result {
	a.mu.Lock()
	prev := a.done[m.KlientMeldingID()]
	var fault string
	if prev == nil && len(a.faults) > 0 {
		fault, a.faults = a.faults[0], a.faults[1:]
	}
	a.mu.Unlock()
	if prev != nil && m.KlientMeldingID() != "" { // a retry: the same answer, nothing created
		return a.answer(ctx, m, mottattOf(m.Type), prev)
	}
	if fault != "" {
		return a.answer(ctx, m, "", feil(fiksarkiv.Kind(fault), "injected fault"))
	}
	doc, files, err := a.open(ctx, m)
	if err != nil {
		return a.answer(ctx, m, "", feil(fiksarkiv.Ugyldigforespoersel, err.Error()))
	}
	r := a.dispatch(m.Type, doc, files)
	if r.typ != "" && isFinal(r.typ) && m.KlientMeldingID() != "" && !isInnsyn(m.Type) {
		a.mu.Lock()
		a.done[m.KlientMeldingID()] = r
		a.mu.Unlock()
	}
	mottatt := ""
	if !isFeil(r.typ) {
		mottatt = mottattOf(m.Type)
	}
	return a.answer(ctx, m, mottatt, r)
}

func isInnsyn(t string) bool {
	return t == fiksarkiv.TypeSok || t == fiksarkiv.TypeMappeHent || t == fiksarkiv.TypeRegistreringHent || t == fiksarkiv.TypeDokumentfilHent
}

func isFeil(t string) bool {
	return t == fiksarkiv.TypeUgyldigforespoersel || t == fiksarkiv.TypeServerfeil || t == fiksarkiv.TypeIkkefunnet
}

func isFinal(t string) bool { return t != fiksarkiv.TypeServerfeil }

func mottattOf(t string) string {
	switch t {
	case fiksarkiv.TypeArkivmeldingOpprett, fiksarkiv.TypeArkivmeldingOppdater, fiksarkiv.TypeDokumentobjektOpprett,
		fiksarkiv.TypeAvskrivningOpprett, fiksarkiv.TypeAvskrivningSlett:
		return t + ".mottatt"
	}
	return ""
}

func feil(kind fiksarkiv.Kind, msg string) *reply {
	f := &fiksarkiv.Feilmelding{Kind: kind, FeilID: uuid.NewString(), Message: msg}
	b, _ := f.Marshal()
	return &reply{typ: f.Type(), payload: b, name: fiksarkiv.FeilmeldingFile}
}

// open decrypts the request and returns its XML (a BOM dropped) and the
// other files.
func (a *Archive) open(ctx context.Context, m *fiksio.Received) ([]byte, map[string][]byte, error) {
	name := fiksarkiv.RequestFile(m.Type)
	if name == "" {
		return nil, nil, errors.New("a message type the archive does not support")
	}
	c, err := m.Open(ctx)
	if err != nil {
		return nil, nil, errors.New("the ASiC-E does not open")
	}
	defer c.Close()
	files := map[string][]byte{}
	for _, f := range c.Files {
		rc, err := c.Open(f.Name)
		if err != nil {
			return nil, nil, errors.New("a file of the ASiC-E does not open")
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil, errors.New("a file of the ASiC-E does not read")
		}
		files[f.Name] = b
	}
	doc, ok := files[name]
	if !ok {
		return nil, nil, errors.New("the ASiC-E lacks " + name)
	}
	return bytes.TrimPrefix(doc, []byte("\uFEFF")), files, nil
}

// answer sends mottatt (when not "") at once and r after the delay, or
// never when a kvittering is to be lost.
func (a *Archive) answer(ctx context.Context, m *fiksio.Received, mottatt string, r *reply) fiksio.Result {
	if mottatt != "" {
		if _, err := a.cfg.FiksIO.Send(ctx, m.Reply(mottatt, nil)); err != nil {
			return fiksio.Retry()
		}
	}
	a.mu.Lock()
	drop := mottatt != "" && a.drops > 0
	if drop {
		a.drops--
	}
	a.mu.Unlock()
	if drop {
		return fiksio.Processed()
	}
	send := func(ctx context.Context) error {
		msg := m.Reply(r.typ, nil)
		if r.payload == nil {
			_, err := a.cfg.FiksIO.Send(ctx, msg)
			return err
		}
		_, err := a.cfg.FiksIO.SendFiles(ctx, msg, asice.File{Name: r.name, MimeType: "application/xml", Content: bytes.NewReader(r.payload)})
		return err
	}
	if mottatt == "" || a.cfg.KvitteringDelay <= 0 {
		if err := send(ctx); err != nil {
			return fiksio.Retry()
		}
		return fiksio.Processed()
	}
	a.timers.Add(1)
	go func() {
		defer a.timers.Done()
		select {
		case <-time.After(a.cfg.KvitteringDelay):
		case <-a.closing:
			return
		}
		if err := send(context.Background()); err != nil {
			a.log().Warn("fiksarkivtest: the kvittering was not sent", "error", err)
		}
	}()
	return fiksio.Processed()
}

// decodeRoot checks the root element's name and namespace, then decodes.
func decodeRoot(doc []byte, local, ns string, v any) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return errors.New("not well-formed XML")
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != local || se.Name.Space != ns {
				return errors.New("the root element is not " + local + " in " + ns)
			}
			if err := d.DecodeElement(v, &se); err != nil {
				return errors.New("malformed " + local)
			}
			return nil
		}
	}
}
