// Package defaults gives two configuration fields that every grunnmur
// package has their documented zero-value meaning, in one place: a nil
// clock means time.Now, and a nil logger discards.
//
//	func (s *Service) now() time.Time        { return defaults.Now(s.Now).UTC() }
//	func (s *Service) logger() *slog.Logger { return defaults.Logger(s.Logger) }
package defaults

import (
	"log/slog"
	"time"
)

// Now reads now, or the system clock when now is nil.
func Now(now func() time.Time) time.Time {
	if now != nil {
		return now()
	}
	return time.Now()
}

// discard is immutable, so one serves every caller.
var discard = slog.New(slog.DiscardHandler)

// Logger is l, or a logger that discards when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return discard
}
