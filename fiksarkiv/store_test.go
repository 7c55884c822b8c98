package fiksarkiv_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
)

func TestMemoryStore(t *testing.T) {
	fiksarkivtest.TestStore(t, func(t *testing.T) fiksarkiv.Store { return fiksarkiv.NewMemoryStore() })
}
