// Package testlog is a log sink for tests: a buffer that a service's
// goroutines (handlers, background jobs) write while the test reads it.
//
//	var logs testlog.Logs
//	log := slog.New(slog.NewTextHandler(&logs, nil))
//	// ... run the service with log ...
//	if strings.Contains(logs.String(), fnr) { t.Error("the log holds a personal number") }
//
// site/sitetest.Logs wraps it for the services' tests; auth and
// cmd/grunnmur use it from here, without sitetest's browser and database
// imports.
package testlog

import (
	"bytes"
	"sync"
)

// Logs collects what is written to it, safely from many goroutines. The zero
// value is ready to use.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (s *Logs) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Logs) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Reset empties the log, for a test that looks at what one step writes.
func (s *Logs) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
