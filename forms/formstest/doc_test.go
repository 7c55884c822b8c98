package formstest_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/forms/formstest"
)

func TestMemoryStore(t *testing.T) {
	formstest.TestStore(t, func(t *testing.T) forms.Store { return forms.NewMemoryStore() })
}

func TestZeroMemoryStore(t *testing.T) {
	formstest.TestStore(t, func(t *testing.T) forms.Store { return &forms.MemoryStore{} })
}
