package fiksarkiv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Transport sends a Fiks IO message with its files: *fiksio.Client.
type Transport interface {
	SendFiles(ctx context.Context, m fiksio.Message, files ...asice.File) (*fiksio.Sent, error)
}

// Config configures a Sender.
type Config struct {
	// FiksIO sends the messages (a *fiksio.Client). Required. Its Receive
	// must be run with Sender.Handle as the handler.
	FiksIO Transport
	// Arkiv is the archive system's Fiks IO account (fiksio.Lookup with
	// Protocol). Required.
	Arkiv uuid.UUID
	// Store keeps the exchanges between send and kvittering; nil means a
	// MemoryStore, which does not survive a restart.
	Store Store
	// System names this fagsystem in searches (sok's system).
	System string
	// TTL of each message; 0 leaves it to Fiks IO.
	TTL time.Duration
	// Timeout is how long a write may wait for its kvittering before Due
	// lists it for Reconcile; 0 means 2 hours.
	Timeout time.Duration
	// ClaimTimeout is how long a claimed but unsent exchange (a sender that
	// crashed between recording and sending) blocks another send; 0 means
	// 2 minutes.
	ClaimTimeout time.Duration
	// PollInterval is how often Wait reads the store, for replies another
	// process handled; 0 means 1 second.
	PollInterval time.Duration
	// MaxReply bounds a reply's payload file in memory; 0 means 64 MiB.
	MaxReply int64
	Now      func() time.Time
	Logger   *slog.Logger
}

// Sender sends Fiks Arkiv requests over Fiks IO and correlates the replies
// by svar-til (the melding-id of a send) and, failing that, by
// klientKorrelasjonsId, which it sets to the klientMeldingId.
type Sender struct {
	cfg     Config
	store   Store
	mu      sync.Mutex
	waiters map[string][]chan struct{}
}

// ErrConfig: a required Config field is missing.
var ErrConfig = errors.New("fiksarkiv: invalid configuration")

// NewSender checks cfg and returns a Sender.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.FiksIO == nil || cfg.Arkiv == uuid.Nil {
		return nil, fmt.Errorf("%w: FiksIO and Arkiv are required", ErrConfig)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Hour
	}
	if cfg.ClaimTimeout <= 0 {
		cfg.ClaimTimeout = 2 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.MaxReply <= 0 {
		cfg.MaxReply = 64 << 20
	}
	c := &Sender{cfg: cfg, store: cfg.Store, waiters: map[string][]chan struct{}{}}
	if c.store == nil {
		c.store = NewMemoryStore()
	}
	return c, nil
}

func (c *Sender) now() time.Time    { return defaults.Now(c.cfg.Now) }
func (c *Sender) log() *slog.Logger { return defaults.Logger(c.cfg.Logger) }

// Store is the client's store.
func (c *Sender) Store() Store { return c.store }

// Request is one message to the archive.
type Request struct {
	// KlientMeldingID is the sender's own id, the same on every resend: the
	// archive dedups on it and the Store is keyed by it. Required for
	// writes; a new UUID for innsyn when empty.
	KlientMeldingID string
	Type            string // TypeArkivmeldingOpprett, TypeSok ...
	// Payload writes the XML (an *Arkivmelding, *Sok ...).
	Payload interface{ Marshal() ([]byte, error) }
	// Attachments travel in the ASiC-E after the XML, named as the
	// dokumentobjekter's referanseDokumentfil.
	Attachments []Attachment
	// Objekt and Key say what Reconcile searches for; OpprettRequest sets
	// them from the arkivmelding.
	Objekt string
	Key    *EksternNoekkel
}

// OpprettRequest is the arkivmelding.opprett request for a, with the key of
// its mappe or registrering for reconciliation.
func OpprettRequest(klientMeldingID string, a *Arkivmelding, files ...Attachment) Request {
	r := Request{KlientMeldingID: klientMeldingID, Type: TypeArkivmeldingOpprett, Payload: a, Attachments: files}
	switch {
	case a.Mappe != nil:
		r.Objekt, r.Key = "saksmappe", a.Mappe.ReferanseEksternNoekkel
	case a.Registrering != nil:
		r.Objekt, r.Key = "journalpost", a.Registrering.ReferanseEksternNoekkel
	}
	return r
}

// requestFiles are the payload file names by request type.
var requestFiles = map[string]string{
	TypeArkivmeldingOpprett: PayloadFile, TypeArkivmeldingOppdater: PayloadFile,
	TypeDokumentobjektOpprett: DokumentobjektFile, TypeAvskrivningOpprett: AvskrivningFile,
	TypeAvskrivningSlett: AvskrivningSlettFile,
	TypeSok:              SokFile, TypeMappeHent: MappeHentFile, TypeRegistreringHent: RegistreringHentFile,
	TypeDokumentfilHent: DokumentfilHentFile,
}

// ReplyFile is the payload file name of a reply type ("" for none or, for
// dokumentfil.hent.resultat, the file's own name).
func ReplyFile(replyType string) string {
	switch replyType {
	case TypeArkivmeldingOpprettKvittering:
		return KvitteringFile
	case TypeDokumentobjektOpprettKvittering:
		return DokumentobjektKvitteringFile
	case TypeSokResultatUtvidet, TypeSokResultatMinimum, TypeSokResultatNoekler:
		return ResultatFile
	case TypeMappeHentResultat:
		return MappeHentResultatFile
	case TypeRegistreringHentResultat:
		return RegistreringHentResultatFile
	case TypeUgyldigforespoersel, TypeServerfeil, TypeIkkefunnet:
		return FeilmeldingFile
	}
	return ""
}

// RequestFile is the payload file name of a request type.
func RequestFile(requestType string) string { return requestFiles[requestType] }

// Send records the request under its KlientMeldingID and sends it, once:
// called again with the same id (a retry, a restart, a second goroutine)
// it returns the recorded exchange without sending, unless the exchange is
// in StateRetry or its claim went stale (StateNew for ClaimTimeout), when
// it sends again. The returned Exchange is what the store holds. ErrInvalid
// means nothing was recorded or sent.
func (c *Sender) Send(ctx context.Context, req Request) (*Exchange, error) {
	file, ok := requestFiles[req.Type]
	if !ok {
		return nil, &FieldError{Field: "type", Reason: "not a Fiks Arkiv V1 request this client sends"}
	}
	if req.KlientMeldingID == "" {
		if !isInnsyn(req.Type) {
			return nil, missing("klientMeldingId")
		}
		req.KlientMeldingID = uuid.NewString()
	}
	if req.Payload == nil {
		return nil, missing("payload")
	}
	payload, err := req.Payload.Marshal()
	if err != nil {
		return nil, err
	}
	now := c.now()
	e := &Exchange{KlientMeldingID: req.KlientMeldingID, Type: req.Type, State: StateNew, Attempts: 1,
		Objekt: req.Objekt, Key: req.Key, Created: now, Updated: now}
	switch err := c.store.Create(ctx, e); {
	case errors.Is(err, ErrExists):
		var claimed bool
		if e, claimed, err = c.claim(ctx, req.KlientMeldingID); err != nil || !claimed {
			return e, err
		}
	case err != nil:
		return nil, err
	}
	return c.transmit(ctx, e, req, file, payload)
}

func isInnsyn(t string) bool {
	return t == TypeSok || t == TypeMappeHent || t == TypeRegistreringHent || t == TypeDokumentfilHent
}

// claim takes an existing exchange for a new send when it is in
// StateRetry or a stale StateNew; only one caller wins the versioned
// update.
func (c *Sender) claim(ctx context.Context, id string) (*Exchange, bool, error) {
	e, err := c.store.Get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	now := c.now()
	stale := e.State == StateNew && now.Sub(e.Updated) >= c.cfg.ClaimTimeout
	if e.State != StateRetry && !stale {
		return e, false, nil
	}
	e.State, e.Updated = StateNew, now
	e.Attempts++
	switch err := c.store.Update(ctx, e); {
	case errors.Is(err, ErrConflict):
		e, err = c.store.Get(ctx, id)
		return e, false, err
	case err != nil:
		return nil, false, err
	}
	return e, true, nil
}

// transmit sends the claimed exchange and records its melding-id. A failed
// send leaves it in StateRetry.
func (c *Sender) transmit(ctx context.Context, e *Exchange, req Request, file string, payload []byte) (*Exchange, error) {
	files := []asice.File{{Name: file, MimeType: "application/xml", Content: bytes.NewReader(payload)}}
	var closers []io.Closer
	defer func() {
		for _, cl := range closers {
			cl.Close()
		}
	}()
	for _, a := range req.Attachments {
		rc, err := a.Open()
		if err != nil {
			return c.update(ctx, e.KlientMeldingID, func(x *Exchange) {
				if x.State == StateNew { // never back from a state a reply gave
					x.State = StateRetry
				}
			}, err)
		}
		closers = append(closers, rc)
		files = append(files, asice.File{Name: a.Name, MimeType: a.MimeType, Content: rc})
	}
	sent, err := c.cfg.FiksIO.SendFiles(ctx, fiksio.Message{Mottaker: c.cfg.Arkiv, Type: req.Type, TTL: c.cfg.TTL,
		KlientMeldingID: e.KlientMeldingID, KlientKorrelasjonsID: e.KlientMeldingID}, files...)
	if err != nil {
		return c.update(ctx, e.KlientMeldingID, func(x *Exchange) {
			if x.State == StateNew {
				x.State = StateRetry
			}
		}, err)
	}
	// Recorded even when ctx ended after the send: Fiks IO has the message.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return c.update(uctx, e.KlientMeldingID, func(x *Exchange) {
		x.MeldingIDs = appendNew(x.MeldingIDs, sent.MeldingID)
		if x.State.rank() < StateSent.rank() {
			x.State = StateSent
		}
	}, nil)
}

func appendNew(ids []uuid.UUID, id uuid.UUID) []uuid.UUID {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// update applies change to the stored exchange, retrying on conflicts, and
// wakes its waiters. It returns the exchange and cause (nil on success).
func (c *Sender) update(ctx context.Context, id string, change func(*Exchange), cause error) (*Exchange, error) {
	for {
		e, err := c.store.Get(ctx, id)
		if err != nil {
			return nil, errors.Join(cause, err)
		}
		change(e)
		e.Updated = c.now()
		err = c.store.Update(ctx, e)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, errors.Join(cause, err)
		}
		c.wake(id)
		return e, cause
	}
}

func (c *Sender) wake(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.waiters[id] {
		close(ch)
	}
	delete(c.waiters, id)
}

func (c *Sender) waiter(id string) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	c.waiters[id] = append(c.waiters[id], ch)
	return ch
}
