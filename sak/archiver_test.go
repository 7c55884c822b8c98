package sak_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/sak/saktest"
)

func TestArchiverMemory(t *testing.T) {
	saktest.TestArchiver(t, func(t *testing.T) saktest.ArchiveStores {
		return saktest.ArchiveStores{Cases: sak.NewMemoryStore(), Queue: sak.NewMemoryArchiveQueue(), Exchanges: fiksarkiv.NewMemoryStore()}
	})
}
