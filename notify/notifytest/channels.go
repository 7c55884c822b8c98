package notifytest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/grunnmur/grunnmur/notify"
)

// TestChannels is the conformance suite of a notify.Channels: no choice is
// not ok, a choice is kept and replaced, each owner has their own, an
// unknown channel or an empty owner is ErrInvalid and changes nothing, and
// many goroutines setting choices at once leave one of theirs.
func TestChannels(t *testing.T, newChannels func(t *testing.T) notify.Channels) {
	ctx := context.Background()
	s := newChannels(t)
	if _, ok, err := s.Channel(ctx, "owner-a"); ok || err != nil {
		t.Fatalf("no choice: ok %v, %v", ok, err)
	}
	for _, c := range []notify.Channel{notify.SMS, notify.Email} {
		if err := s.SetChannel(ctx, "owner-a", c); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.Channel(ctx, "owner-a"); got != c || !ok || err != nil {
			t.Fatalf("after setting %s: %s %v %v", c, got, ok, err)
		}
	}
	for _, bad := range []struct {
		owner string
		c     notify.Channel
	}{{"owner-a", "fax"}, {"owner-a", ""}, {"", notify.SMS}} {
		if err := s.SetChannel(ctx, bad.owner, bad.c); !errors.Is(err, notify.ErrInvalid) {
			t.Errorf("SetChannel(%q, %q): %v, want ErrInvalid", bad.owner, bad.c, err)
		}
	}
	if got, _, _ := s.Channel(ctx, "owner-a"); got != notify.Email {
		t.Fatalf("a refused choice changed the kept one: %s", got)
	}
	if _, ok, _ := s.Channel(ctx, "owner-b"); ok {
		t.Fatal("another owner has owner-a's choice")
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			c := notify.Email
			if i%2 == 0 {
				c = notify.SMS
			}
			if err := s.SetChannel(ctx, "owner-race", c); err != nil {
				t.Error(err)
			}
			if _, _, err := s.Channel(ctx, "owner-race"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, ok, err := s.Channel(ctx, "owner-race"); !ok || err != nil || (got != notify.Email && got != notify.SMS) {
		t.Fatalf("after the race: %q %v %v", got, ok, err)
	}
}
