package notifytest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

// TestRecipients is the conformance suite of a notify.Recipients: a subject
// without a recipient is not ok; the first person recorded stays and a
// second is not added; each subject has its own; a bad subject or a zero
// person is ErrInvalid and records nothing; and of many goroutines adding
// different people to one subject at once, exactly one is added, and every
// reader then sees that one.
func TestRecipients(t *testing.T, newRecipients func(t *testing.T) notify.Recipients) {
	ctx := context.Background()
	s := newRecipients(t)
	ps := registrytest.Persons()
	a, b := ps[registrytest.SigridHaugland].FNR, ps[registrytest.OlaBakken].FNR
	if _, ok, err := s.Recipient(ctx, "booking/1"); ok || err != nil {
		t.Fatalf("no recipient: ok %v, %v", ok, err)
	}
	if added, err := s.AddRecipient(ctx, "booking/1", a); !added || err != nil {
		t.Fatalf("the first: %v %v", added, err)
	}
	if added, err := s.AddRecipient(ctx, "booking/1", b); added || err != nil {
		t.Fatalf("a second person: %v %v", added, err)
	}
	if got, ok, err := s.Recipient(ctx, "booking/1"); got != a || !ok || err != nil {
		t.Fatalf("after a second person: %v %v %v", got, ok, err)
	}
	if _, ok, _ := s.Recipient(ctx, "booking/2"); ok {
		t.Fatal("another subject has booking/1's recipient")
	}
	for _, bad := range []struct {
		subject string
		person  ident.Fodselsnummer
	}{{"", a}, {"booking/3", ident.Fodselsnummer{}}, {"booking/\x00", a}, {"booking/\xff", a}, {strings.Repeat("x", notify.MaxSubject+1), a}} {
		if _, err := s.AddRecipient(ctx, bad.subject, bad.person); !errors.Is(err, notify.ErrInvalid) {
			t.Errorf("AddRecipient(%.20q, zero %v): %v, want ErrInvalid", bad.subject, bad.person.IsZero(), err)
		}
	}
	if _, ok, _ := s.Recipient(ctx, "booking/3"); ok {
		t.Fatal("a refused recipient was recorded")
	}
	var (
		wg    sync.WaitGroup
		added atomic.Int32
	)
	for i := range 16 {
		wg.Go(func() {
			p := ps[i%len(ps)].FNR
			ok, err := s.AddRecipient(ctx, "booking/race", p)
			if err != nil {
				t.Error(err)
			}
			if ok {
				added.Add(1)
			}
		})
	}
	wg.Wait()
	if n := added.Load(); n != 1 {
		t.Fatalf("%d of 16 racing goroutines added a recipient", n)
	}
	first, ok, err := s.Recipient(ctx, "booking/race")
	if !ok || err != nil || first.IsZero() {
		t.Fatalf("after the race: %v %v", ok, err)
	}
	for range 4 {
		if got, _, _ := s.Recipient(ctx, "booking/race"); got != first {
			t.Fatal("the recipient changed after the race")
		}
	}
}
