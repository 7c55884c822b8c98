package sak_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/sak/saktest"
)

func TestMemoryArchiveQueue(t *testing.T) {
	saktest.TestArchiveQueue(t, func(t *testing.T) sak.ArchiveQueue { return sak.NewMemoryArchiveQueue() })
}
