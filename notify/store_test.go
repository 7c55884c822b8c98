package notify_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
)

func TestMemStore(t *testing.T) {
	notifytest.TestStore(t, func(t *testing.T) notify.Store { return &notify.MemStore{} })
}

func TestMemChannels(t *testing.T) {
	notifytest.TestChannels(t, func(t *testing.T) notify.Channels { return &notify.MemChannels{} })
}

func TestMemRecipients(t *testing.T) {
	notifytest.TestRecipients(t, func(t *testing.T) notify.Recipients { return &notify.MemRecipients{} })
}
