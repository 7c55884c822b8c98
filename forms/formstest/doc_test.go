package formstest_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/forms/formstest"
)

func TestMemoryStore(t *testing.T) {
	formstest.TestStore(t, func(t *testing.T) forms.Store { return forms.NewMemoryStore() })
}

func TestZeroMemoryStore(t *testing.T) {
	formstest.TestStore(t, func(t *testing.T) forms.Store { return &forms.MemoryStore{} })
}

func TestMemoryFileStore(t *testing.T) {
	formstest.TestFileStore(t, 1<<20, func(t *testing.T) forms.Files { return &forms.MemoryFileStore{MaxSize: 1 << 20} })
}

// TestDefaultMemoryFileStore runs the suite on the constructor's store, at
// its default limit.
func TestDefaultMemoryFileStore(t *testing.T) {
	formstest.TestFileStore(t, forms.DefaultMaxFileSize, func(t *testing.T) forms.Files { return forms.NewMemoryFileStore() })
}

func TestMemoryStoreEvents(t *testing.T) {
	formstest.TestEvents(t, func(t *testing.T) (forms.Store, events.Outbox) {
		out := &events.Memory{}
		return &forms.MemoryStore{Events: out}, out
	})
}
