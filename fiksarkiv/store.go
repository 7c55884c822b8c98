package fiksarkiv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
)

// State is where an exchange with the archive stands.
type State string

// The states of an Exchange. New → Sent → Mottatt → Done or Failed; Retry
// when a temporary error (serverfeil, Fiks IO's tidsavbrudd) or a timeout
// means sending again. Done and Failed are final.
const (
	StateNew     State = "new"     // recorded, claimed by a sender, not yet sent
	StateSent    State = "sent"    // Fiks IO accepted it
	StateMottatt State = "mottatt" // the archive received it; the kvittering follows
	StateDone    State = "done"    // kvittering or resultat
	StateFailed  State = "failed"  // ugyldigforespoersel or ikkefunnet, or a search Reconcile gave up: final
	StateRetry   State = "retry"   // serverfeil, tidsavbrudd, an unreadable reply: send again
)

// Final reports whether no further reply changes the exchange.
func (s State) Final() bool { return s == StateDone || s == StateFailed }

// rank orders the states for the rule that replies only move an exchange
// forward (a late mottatt after the kvittering changes nothing).
func (s State) rank() int {
	switch s {
	case StateNew, StateRetry:
		return 0
	case StateSent:
		return 1
	case StateMottatt:
		return 2
	}
	return 3
}

// Exchange is one request to the archive and what came back, persisted per
// KlientMeldingID between the send and the kvittering (possibly hours).
type Exchange struct {
	KlientMeldingID string // the sender's own id: the same on every resend
	Type            string // the request's message type
	// MeldingIDs are the Fiks IO melding-ids of every send, oldest first: a
	// reply's svar-til is one of them.
	MeldingIDs []uuid.UUID
	State      State
	Attempts   int // sends claimed
	// Objekt and Key say what a reconciliation searches for (a saksmappe or
	// journalpost by its referanseEksternNoekkel); empty for innsyn.
	Objekt string
	Key    *EksternNoekkel
	// ReplyType and ReplyPayload are the last reply that moved the exchange:
	// the kvittering, resultat or feilmelding as received.
	ReplyType    string
	ReplyPayload []byte
	Created      time.Time
	Updated      time.Time
	Version      int64 // for optimistic locking; the store sets it
}

// Format prints the exchange for every verb without its reply payload,
// which may quote personal data (a feilmelding echoing a fødselsnummer):
// only its length.
func (e Exchange) Format(f fmt.State, _ rune) {
	key := ""
	if e.Key != nil {
		key = e.Key.Fagsystem + "/" + e.Key.Noekkel
	}
	fmt.Fprintf(f, "fiksarkiv.Exchange{KlientMeldingID:%s Type:%s State:%s Attempts:%d MeldingIDs:%v Objekt:%s Key:%s ReplyType:%s ReplyPayload:%d bytes Version:%d}",
		e.KlientMeldingID, e.Type, e.State, e.Attempts, e.MeldingIDs, e.Objekt, key, e.ReplyType, len(e.ReplyPayload), e.Version)
}

// Clone returns a deep copy.
func (e *Exchange) Clone() *Exchange {
	c := *e
	c.MeldingIDs = slices.Clone(e.MeldingIDs)
	if e.Key != nil {
		k := *e.Key
		c.Key = &k
	}
	c.ReplyPayload = slices.Clone(e.ReplyPayload)
	return &c
}

// Reply parses the exchange's last reply; nil when there is none.
func (e *Exchange) Reply() (*Reply, error) {
	if e.ReplyType == "" {
		return nil, nil
	}
	if t := transportTypes[e.ReplyType]; t {
		return nil, &TransportError{Type: e.ReplyType}
	}
	return ParseReply(e.ReplyType, e.ReplyPayload)
}

// Store errors.
var (
	ErrNotFound = errors.New("fiksarkiv: no such exchange")
	ErrExists   = errors.New("fiksarkiv: an exchange with this klientMeldingId exists")
	ErrConflict = errors.New("fiksarkiv: the exchange changed meanwhile")
)

// Store persists exchanges. Implementations: NewMemoryStore here and
// postgres.NewFiksArkivStore; fiksarkivtest.TestStore is their conformance
// suite.
type Store interface {
	// Create records a new exchange with Version 1; ErrExists when its
	// KlientMeldingID is taken.
	Create(ctx context.Context, e *Exchange) error
	// Get returns the exchange of a klientMeldingId, or ErrNotFound.
	Get(ctx context.Context, klientMeldingID string) (*Exchange, error)
	// ByMeldingID returns the exchange one of whose sends had this
	// melding-id, or ErrNotFound.
	ByMeldingID(ctx context.Context, meldingID uuid.UUID) (*Exchange, error)
	// Update writes e if its Version is the stored one and bumps Version;
	// ErrConflict otherwise, ErrNotFound when it does not exist.
	Update(ctx context.Context, e *Exchange) error
	// Unfinished returns up to limit (0: all) exchanges not final and last
	// updated at or before the given time, oldest first.
	Unfinished(ctx context.Context, updatedBefore time.Time, limit int) ([]*Exchange, error)
}

// MemoryStore is a Store in memory, for tests and single-process use.
type MemoryStore struct {
	mu   sync.Mutex
	byID map[string]*Exchange
	byM  map[uuid.UUID]string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{byID: map[string]*Exchange{}, byM: map[uuid.UUID]string{}}
}

var _ Store = (*MemoryStore)(nil)

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, e *Exchange) error {
	if e.KlientMeldingID == "" {
		return &FieldError{Field: "klientMeldingId", Reason: "required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[e.KlientMeldingID]; ok {
		return ErrExists
	}
	for _, m := range e.MeldingIDs {
		if _, ok := s.byM[m]; ok {
			return ErrExists
		}
	}
	e.Version = 1
	s.put(e.Clone())
	return nil
}

func (s *MemoryStore) put(e *Exchange) {
	s.byID[e.KlientMeldingID] = e
	for _, m := range e.MeldingIDs {
		s.byM[m] = e.KlientMeldingID
	}
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, id string) (*Exchange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return nil, ErrNotFound
	}
	return e.Clone(), nil
}

// ByMeldingID implements Store.
func (s *MemoryStore) ByMeldingID(ctx context.Context, m uuid.UUID) (*Exchange, error) {
	s.mu.Lock()
	id, ok := s.byM[m]
	s.mu.Unlock()
	if !ok {
		return nil, ErrNotFound
	}
	return s.Get(ctx, id)
}

// Update implements Store.
func (s *MemoryStore) Update(_ context.Context, e *Exchange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[e.KlientMeldingID]
	if !ok {
		return ErrNotFound
	}
	if old.Version != e.Version {
		return ErrConflict
	}
	for _, m := range e.MeldingIDs {
		if id, ok := s.byM[m]; ok && id != e.KlientMeldingID {
			return ErrConflict
		}
	}
	e.Version++
	s.put(e.Clone())
	return nil
}

// Unfinished implements Store.
func (s *MemoryStore) Unfinished(_ context.Context, before time.Time, limit int) ([]*Exchange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Exchange
	for _, e := range s.byID {
		if !e.State.Final() && !e.Updated.After(before) {
			out = append(out, e.Clone())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Updated.Equal(out[j].Updated) {
			return out[i].Updated.Before(out[j].Updated)
		}
		return out[i].KlientMeldingID < out[j].KlientMeldingID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
