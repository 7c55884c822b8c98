// Package eventcheck checks the events a memory store is given before it
// changes anything, so that an event PostgreSQL's outbox would refuse (and
// roll the change back for) fails the change in memory too, with the same
// error.
package eventcheck

import (
	"fmt"

	"github.com/grunnmur/grunnmur/events"
)

// Valid returns the first event's Validate error, prefixed with the
// package (as "sak"); it wraps events.ErrInvalid.
func Valid(pkg string, evs []events.Event) error {
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("%s: %w", pkg, err)
		}
	}
	return nil
}
