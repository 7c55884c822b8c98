package fiksarkiv

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
)

// TransportError is Fiks IO's own answer in place of the archive's:
// no.ks.fiks.kvittering.tidsavbrudd (the message expired unread) or
// no.ks.fiks.kvittering.serverfeil.v1 (delivery failed). Both are
// temporary: send again with the same klientMeldingId.
type TransportError struct{ Type string }

// ErrTransport is the sentinel of TransportError.
var ErrTransport = errors.New("fiksarkiv: Fiks IO gave up on the message")

func (e *TransportError) Error() string { return ErrTransport.Error() + ": " + e.Type }

// Unwrap makes errors.Is(err, ErrTransport) hold.
func (e *TransportError) Unwrap() error { return ErrTransport }

// Temporary is true: a resend may succeed.
func (e *TransportError) Temporary() bool { return true }

var transportTypes = map[string]bool{fiksio.TypeTidsavbrudd: true, fiksio.TypeServerfeil: true}

// Err is the exchange's error: nil unless it failed (a *Feilmelding) or
// awaits a retry (a *Feilmelding of kind serverfeil, a *TransportError, a
// *ReplyError for a reply that could not be read, or ErrNotSent).
func (e *Exchange) Err() error {
	if e.State != StateFailed && e.State != StateRetry {
		return nil
	}
	r, err := e.Reply()
	switch {
	case err != nil:
		return err
	case r != nil && r.Feil != nil:
		return r.Feil
	}
	return ErrNotSent
}

// ErrNotSent: the exchange awaits a send (the last one failed or was
// reconciled as lost). It is temporary.
var ErrNotSent = errors.New("fiksarkiv: the request is to be sent again")

// Handle is the fiksio.Handler for this fagsystem's account: it finds the
// exchange a reply answers (svar-til, else klientKorrelasjonsId), reads the
// reply, moves the exchange forward and wakes its waiters. A reply nobody
// asked for is acknowledged and logged by type only.
func (c *Sender) Handle(ctx context.Context, m *fiksio.Received) fiksio.Result {
	e, err := c.find(ctx, m)
	if errors.Is(err, ErrNotFound) {
		c.log().Warn("fiksarkiv: a reply to no known request", "type", m.Type, "svar-til", m.SvarPaMelding)
		return fiksio.Processed()
	}
	if err != nil {
		return fiksio.Retry()
	}
	payload, rerr := c.payload(ctx, m)
	if rerr != nil && !errors.Is(rerr, ErrReply) {
		return fiksio.Retry() // the download failed: try again
	}
	next := StateDone
	r, perr := ParseReply(m.Type, payload)
	switch {
	case transportTypes[m.Type]:
		next = StateRetry
	case rerr != nil || perr != nil:
		c.log().Warn("fiksarkiv: an unreadable reply", "type", m.Type, "error", errors.Join(rerr, perr))
		next = StateRetry
	case r.Mottatt:
		next = StateMottatt
	case r.Feil != nil && r.Feil.Temporary():
		next = StateRetry
	case r.Feil != nil:
		next = StateFailed
	}
	_, err = c.update(ctx, e.KlientMeldingID, func(x *Exchange) {
		x.MeldingIDs = appendNew(x.MeldingIDs, m.SvarPaMelding)
		if x.State.Final() || next == StateMottatt && x.State.rank() >= StateMottatt.rank() {
			return // replies only move an exchange forward
		}
		x.State = next
		if next != StateMottatt {
			x.ReplyType, x.ReplyPayload = m.Type, payload
		}
	}, nil)
	if err != nil {
		return fiksio.Retry()
	}
	return fiksio.Processed()
}

func (c *Sender) find(ctx context.Context, m *fiksio.Received) (*Exchange, error) {
	if m.SvarPaMelding == uuid.Nil {
		return nil, ErrNotFound
	}
	e, err := c.store.ByMeldingID(ctx, m.SvarPaMelding)
	if !errors.Is(err, ErrNotFound) {
		return e, err
	}
	// The reply may overtake the recording of its send's melding-id.
	if id := m.KlientKorrelasjonsID(); id != "" {
		return c.store.Get(ctx, id)
	}
	return nil, ErrNotFound
}

// payload reads the reply's payload file from its ASiC-E: the file named
// for its type, else the first. A reply without a payload gives nil.
func (c *Sender) payload(ctx context.Context, m *fiksio.Received) ([]byte, error) {
	if !m.HasPayload() || transportTypes[m.Type] {
		return nil, nil
	}
	ct, err := m.Open(ctx)
	if err != nil {
		if errors.Is(err, fiksio.ErrServer) || errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, &ReplyError{Type: m.Type, Reason: "the ASiC-E does not open"}
	}
	defer ct.Close()
	if len(ct.Files) == 0 {
		return nil, &ReplyError{Type: m.Type, Reason: "an empty ASiC-E"}
	}
	name := ct.Files[0].Name
	for _, f := range ct.Files {
		if f.Name == ReplyFile(m.Type) {
			name = f.Name
		}
	}
	rc, err := ct.Open(name)
	if err != nil {
		return nil, &ReplyError{Type: m.Type, Reason: "the payload file does not open"}
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, c.cfg.MaxReply+1))
	if err != nil || int64(len(b)) > c.cfg.MaxReply {
		return nil, &ReplyError{Type: m.Type, Reason: "the payload file is unreadable or too large"}
	}
	return b, nil
}

// Wait returns the exchange once it is final or awaits a retry, or the
// context's error. It wakes on Handle and reads the store every
// PollInterval, for replies another process handled.
func (c *Sender) Wait(ctx context.Context, klientMeldingID string) (*Exchange, error) {
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	for {
		woken := c.waiter(klientMeldingID)
		e, err := c.store.Get(ctx, klientMeldingID)
		if err != nil {
			return nil, err
		}
		if e.State.Final() || e.State == StateRetry {
			return e, nil
		}
		select {
		case <-ctx.Done():
			return e, ctx.Err()
		case <-woken:
		case <-t.C:
		}
	}
}

// Do sends the request, waits for its final reply and returns it: the
// kvittering or resultat, or the error (a *Feilmelding, whose Temporary
// says whether to retry; a *TransportError; ErrNotSent).
func (c *Sender) Do(ctx context.Context, req Request) (*Reply, error) {
	e, err := c.Send(ctx, req)
	if err != nil {
		return nil, err
	}
	if e, err = c.Wait(ctx, e.KlientMeldingID); err != nil {
		return nil, err
	}
	if err := e.Err(); err != nil {
		return nil, err
	}
	return e.Reply()
}

// Sok runs a search and returns its result.
func (c *Sender) Sok(ctx context.Context, s *Sok) (*Sokeresultat, error) {
	r, err := c.Do(ctx, Request{Type: TypeSok, Payload: s})
	if err != nil {
		return nil, err
	}
	return r.Sokeresultat, nil
}

// Hent fetches a mappe (*MappeHent) or a registrering (*RegistreringHent).
func (c *Sender) Hent(ctx context.Context, h interface{ Marshal() ([]byte, error) }) (*Treff, error) {
	typ := TypeMappeHent
	if _, ok := h.(*RegistreringHent); ok {
		typ = TypeRegistreringHent
	}
	r, err := c.Do(ctx, Request{Type: typ, Payload: h})
	if err != nil {
		return nil, err
	}
	return r.Hentet, nil
}

// Due lists the unfinished exchanges last changed Timeout ago or earlier:
// what a sender must act on (Send again for StateNew and StateRetry,
// Reconcile for StateSent and StateMottatt).
func (c *Sender) Due(ctx context.Context, limit int) ([]*Exchange, error) {
	return c.store.Unfinished(ctx, c.now().Add(-c.cfg.Timeout), limit)
}

// abandon ends a search Reconcile gave up on, so that it is not left
// unfinished for Due to list again and again: a search changes nothing in
// the archive, and the next Reconcile sends a new one.
func (c *Sender) abandon(ctx context.Context, s *Exchange) {
	if s == nil {
		return
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = c.update(uctx, s.KlientMeldingID, func(x *Exchange) {
		if !x.State.Final() {
			x.State = StateFailed
		}
	}, nil)
}

// Reconcile settles a write that waited too long for its kvittering: it
// searches the archive for the exchange's Key (innsyn.sok, noekler). Found,
// the exchange is Done with the search result as its reply (Numbers reads
// it as it reads a kvittering); not found, it is StateRetry, to be sent
// again. A final exchange is returned as it is.
func (c *Sender) Reconcile(ctx context.Context, klientMeldingID string) (*Exchange, error) {
	e, err := c.store.Get(ctx, klientMeldingID)
	if err != nil || e.State.Final() {
		return e, err
	}
	if e.Key == nil || !sokObjekter[e.Objekt] {
		return c.update(ctx, klientMeldingID, func(x *Exchange) {
			if !x.State.Final() { // a kvittering may have come meanwhile
				x.State = StateRetry
			}
		}, nil)
	}
	s, err := c.Send(ctx, Request{Type: TypeSok, Payload: SokEksternNoekkel(c.cfg.System, e.Objekt, Noekler, *e.Key)})
	if err != nil {
		c.abandon(ctx, s)
		return nil, err
	}
	w, err := c.Wait(ctx, s.KlientMeldingID)
	if err != nil {
		c.abandon(ctx, s)
		return nil, err
	}
	s = w
	if err := s.Err(); err != nil {
		return nil, err
	}
	r, err := s.Reply()
	if err != nil {
		return nil, err
	}
	found := r.Sokeresultat != nil && len(r.Sokeresultat.Treff) > 0
	return c.update(ctx, klientMeldingID, func(x *Exchange) {
		switch {
		case x.State.Final():
		case found:
			x.State, x.ReplyType, x.ReplyPayload = StateDone, s.ReplyType, s.ReplyPayload
		default:
			x.State = StateRetry
		}
	}, nil)
}

// Numbers are the archive's identifiers of what a write created.
type Numbers struct {
	SystemID             string
	Saksaar              int
	Sakssekvensnummer    int
	Journalaar           int
	Journalsekvensnummer int
	Journalpostnummer    int
}

// Numbers reads the archive's numbers from a Done exchange: from its
// kvittering, or from the search result Reconcile found.
func (e *Exchange) Numbers() (Numbers, bool) {
	if e.State != StateDone {
		return Numbers{}, false
	}
	r, err := e.Reply()
	if err != nil || r == nil {
		return Numbers{}, false
	}
	switch {
	case r.Kvittering != nil && r.Kvittering.Registrering != nil:
		k := r.Kvittering.Registrering
		return Numbers{SystemID: k.SystemID, Journalaar: k.Journalaar, Journalsekvensnummer: k.Journalsekvensnummer,
			Journalpostnummer: k.Journalpostnummer}, true
	case r.Kvittering != nil && r.Kvittering.Mappe != nil:
		m := r.Kvittering.Mappe
		return Numbers{SystemID: m.SystemID, Saksaar: m.Saksaar, Sakssekvensnummer: m.Sakssekvensnummer}, true
	case r.Sokeresultat != nil && len(r.Sokeresultat.Treff) > 0:
		t := r.Sokeresultat.Treff[0]
		return Numbers{SystemID: t.SystemID, Saksaar: t.Saksaar, Sakssekvensnummer: t.Sakssekvensnummer,
			Journalaar: t.Journalaar, Journalsekvensnummer: t.Journalsekvensnummer, Journalpostnummer: t.Journalpostnummer}, true
	}
	return Numbers{}, false
}
