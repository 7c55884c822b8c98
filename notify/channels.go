package notify

import (
	"context"
	"fmt"
	"sync"
)

// Channels keeps the channel each citizen chose for their notifications
// (on Min side), by an opaque owner key (forms.OwnerKeys), never by the
// fødselsnummer. The choice is a wish within KRR's rules: Notify still
// refuses a reserved person, and takes the address from KRR.
type Channels interface {
	// Channel returns the owner's choice; ok is false when they made none.
	Channel(ctx context.Context, owner string) (c Channel, ok bool, err error)
	// SetChannel stores the owner's choice, Email or SMS (else ErrInvalid).
	SetChannel(ctx context.Context, owner string, c Channel) error
}

// MemChannels is Channels in memory. Its zero value is ready to use.
type MemChannels struct {
	mu sync.Mutex
	m  map[string]Channel
}

var _ Channels = (*MemChannels)(nil)

// Channel implements Channels.
func (s *MemChannels) Channel(_ context.Context, owner string) (Channel, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[owner]
	return c, ok, nil
}

// SetChannel implements Channels.
func (s *MemChannels) SetChannel(_ context.Context, owner string, c Channel) error {
	if err := CheckChannel(owner, c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Channel{}
	}
	s.m[owner] = c
	return nil
}

// CheckChannel is what every Channels checks before it stores a choice: an
// owner key and Email or SMS.
func CheckChannel(owner string, c Channel) error {
	if owner == "" {
		return fmt.Errorf("%w: no owner", ErrInvalid)
	}
	if c != Email && c != SMS {
		return fmt.Errorf("%w: unknown channel %q", ErrInvalid, c)
	}
	return nil
}
