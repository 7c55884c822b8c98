package notify

import (
	"context"
	"fmt"
	"sync"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/text"
)

// Recipients keeps who is told about a subject (a booking, a series of
// them) when nobody is logged in to ask: a payment's webhook confirms the
// booking, an admin cancels it, the reconciliation job settles it. The
// service records the person while they are there (when they hold the
// booking), and a notice later looks them up. The first person recorded for
// a subject stays: a club's booking is told to the member who made it.
//
// A person's fødselsnummer is kept here, as a letter's recipient is kept
// in the SvarUT outbox; it redacts itself in every log line and error.
type Recipients interface {
	// AddRecipient records person for subject, unless the subject has a
	// recipient already; added is true when this call recorded it. An
	// empty or over-long subject, or a zero person, is ErrInvalid.
	AddRecipient(ctx context.Context, subject string, person ident.Fodselsnummer) (added bool, err error)
	// Recipient returns the subject's recipient; ok is false when it has
	// none.
	Recipient(ctx context.Context, subject string) (person ident.Fodselsnummer, ok bool, err error)
}

// MaxSubject is the longest Recipients subject, in bytes.
const MaxSubject = 200

// CheckRecipient is what every Recipients checks before it records one.
func CheckRecipient(subject string, person ident.Fodselsnummer) error {
	if subject == "" || len(subject) > MaxSubject || !text.Valid(subject) {
		return fmt.Errorf("%w: a subject must be 1–%d bytes of UTF-8 without NUL", ErrInvalid, MaxSubject)
	}
	if person.IsZero() {
		return fmt.Errorf("%w: no person", ErrInvalid)
	}
	return nil
}

// MemRecipients is Recipients in memory. Its zero value is ready to use.
type MemRecipients struct {
	mu sync.Mutex
	m  map[string]ident.Fodselsnummer
}

var _ Recipients = (*MemRecipients)(nil)

// AddRecipient implements Recipients.
func (s *MemRecipients) AddRecipient(_ context.Context, subject string, person ident.Fodselsnummer) (bool, error) {
	if err := CheckRecipient(subject, person); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[subject]; ok {
		return false, nil
	}
	if s.m == nil {
		s.m = map[string]ident.Fodselsnummer{}
	}
	s.m[subject] = person
	return true, nil
}

// Recipient implements Recipients.
func (s *MemRecipients) Recipient(_ context.Context, subject string) (ident.Fodselsnummer, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[subject]
	return p, ok, nil
}
