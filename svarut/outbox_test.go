package svarut_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

func TestMemoryStore(t *testing.T) {
	svaruttest.TestStore(t, func(t *testing.T) svarut.Store { return svarut.NewMemoryStore() })
}

func TestOutboxMemory(t *testing.T) {
	svaruttest.TestOutbox(t, func(t *testing.T) svarut.Store { return svarut.NewMemoryStore() })
}
