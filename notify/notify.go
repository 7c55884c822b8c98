package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Channel is how a notification travels.
type Channel string

// The channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Sentinels.
var (
	// ErrConfig is a Config that New refuses.
	ErrConfig = errors.New("notify: invalid configuration")
	// ErrInvalid is a message that cannot be sent as it is (no key, no
	// address, an unknown channel, an empty body).
	ErrInvalid = errors.New("notify: invalid message")
	// ErrNoProvider is a message for a channel no provider was given for.
	ErrNoProvider = errors.New("notify: no provider for the channel")
	// ErrNotFound is an idempotency key the store does not hold.
	ErrNotFound = errors.New("notify: notification not found")
	// ErrDuplicate is Store.Create for a key the store already holds.
	ErrDuplicate = errors.New("notify: idempotency key already used")
	// ErrConflict is Store.Update of a record someone else changed first.
	ErrConflict = errors.New("notify: notification changed concurrently")

	// ErrTemporary is a provider's failure that may pass: the message is
	// tried again after a backoff.
	ErrTemporary = errors.New("notify: temporary failure")
	// ErrPermanent is a provider's failure that will not pass: the message
	// is not tried again.
	ErrPermanent = errors.New("notify: permanent failure")
	// ErrNoContact is a recipient the provider has no contact information
	// for (Altinn's NOT-00001). It matches ErrPermanent.
	ErrNoContact = fmt.Errorf("%w: no contact information for the recipient", ErrPermanent)
)

// OutgoingEmail is one e-mail as a provider gets it: rendered, addressed, with
// the idempotency key that a provider passes on where it can (Altinn's
// idempotencyId, the SMTP Message-ID).
type OutgoingEmail struct {
	Key     string
	To      Address
	ReplyTo Address
	Subject string
	Text    string
	// HTML is the accessible HTML part; "" sends plain text only.
	HTML string
}

// OutgoingSMS is one SMS as a provider gets it.
type OutgoingSMS struct {
	Key  string
	To   Address // E.164: +4791234567
	Text string
}

// Receipt is a provider's answer to a send it accepted.
type Receipt struct {
	// ProviderID is the provider's id of the message (Altinn's shipmentId).
	ProviderID string
	// Status is Delivered when acceptance is the last the provider will tell
	// (SMTP), or Sending when a callback or status feed reports later.
	Status Status
}

// EmailProvider sends e-mail. An error that matches ErrPermanent is not
// tried again; any other error is taken as temporary.
type EmailProvider interface {
	SendEmail(ctx context.Context, m *OutgoingEmail) (Receipt, error)
}

// SMSProvider sends SMS, with the same error rules as EmailProvider.
type SMSProvider interface {
	SendSMS(ctx context.Context, m *OutgoingSMS) (Receipt, error)
}

// Record is one notification as the store keeps it. Its addresses redact
// themselves when printed.
type Record struct {
	// Key is the idempotency key: one key, one notification.
	Key     string
	Channel Channel
	To      Address
	ReplyTo Address
	Subject string
	Text    string
	HTML    string
	// Template and Lang say what the text was rendered from, when it was.
	Template string
	Lang     string
	Status   Status
	// Urgent SMS is not held outside the daytime window.
	Urgent bool
	// Condition names the Config.Conditions entry asked before each send;
	// "" sends unconditionally.
	Condition string
	// Attempts counts the sends handed to a provider.
	Attempts int
	// NotBefore is when the record is next due: a held SMS, the backoff
	// after a temporary failure, or the lease of a send in progress. Zero
	// means not due (final, or accepted and awaiting the provider's report).
	NotBefore time.Time
	// ProviderID is the provider's id from the accepted send.
	ProviderID string
	// Reason is the last failure, without personal data.
	Reason  string
	Created time.Time
	Updated time.Time
	// Version counts the record's writes; Store.Update compares it.
	Version int64
}

// Store keeps notifications by idempotency key. notifytest.TestStore is the
// suite every implementation passes; MemStore and postgres.NotifyStore do.
type Store interface {
	// Create stores a new record with Version 1. A key already used is
	// ErrDuplicate, and the stored record is left as it was.
	Create(ctx context.Context, r *Record) error
	// Get returns the record for key, or ErrNotFound.
	Get(ctx context.Context, key string) (*Record, error)
	// Update replaces the record when its Version is still r.Version, and
	// then increments r.Version; otherwise ErrConflict (or ErrNotFound).
	Update(ctx context.Context, r *Record) error
	// Due returns up to limit records in Queued, Sending or FailedTemporary
	// whose NotBefore is set (not zero) and not after now, earliest first
	// (ties by key). A zero NotBefore means nothing is due: a send the
	// provider accepted and reports on later.
	Due(ctx context.Context, now time.Time, limit int) ([]*Record, error)
}

// MemStore is a Store in memory, the zero-config default. Its zero value is
// ready to use.
type MemStore struct {
	mu   sync.Mutex
	recs map[string]*Record
}

var _ Store = (*MemStore)(nil)

// Create implements Store.
func (s *MemStore) Create(_ context.Context, r *Record) error {
	if r.Key == "" {
		return fmt.Errorf("%w: empty idempotency key", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recs == nil {
		s.recs = make(map[string]*Record)
	}
	if _, ok := s.recs[r.Key]; ok {
		return ErrDuplicate
	}
	r.Version = 1
	c := *r
	s.recs[r.Key] = &c
	return nil
}

// Get implements Store.
func (s *MemStore) Get(_ context.Context, key string) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[key]
	if !ok {
		return nil, ErrNotFound
	}
	c := *r
	return &c, nil
}

// Update implements Store.
func (s *MemStore) Update(_ context.Context, r *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.recs[r.Key]
	if !ok {
		return ErrNotFound
	}
	if old.Version != r.Version {
		return ErrConflict
	}
	r.Version++
	c := *r
	s.recs[r.Key] = &c
	return nil
}

// Due implements Store.
func (s *MemStore) Due(_ context.Context, now time.Time, limit int) ([]*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Record
	for _, r := range s.recs {
		if (r.Status == Queued || r.Status == Sending || r.Status == FailedTemporary) && !r.NotBefore.IsZero() && !r.NotBefore.After(now) {
			c := *r
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *Record) int {
		if c := a.NotBefore.Compare(b.NotBefore); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
