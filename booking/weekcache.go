package booking

import (
	"cmp"
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

// Versioned is a Store that can say cheaply whether a resource or its
// bookings changed. MemoryStore and postgres.BookingStore are Versioned.
type Versioned interface {
	// Version returns a token that differs from every earlier one whenever
	// the resource, or a reservation of it whose block overlaps [from, to),
	// was put, held, confirmed, cancelled, rescheduled or marked expired
	// since. A hold that runs out by time alone does not change it (see
	// Week.Until).
	Version(ctx context.Context, resourceID string, from, to time.Time) (string, error)
}

// Version implements Versioned: a counter per resource that every change
// moves on.
func (m *MemoryStore) Version(ctx context.Context, resourceID string, from, to time.Time) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strconv.FormatUint(m.versions[resourceID], 10), nil
}

// changed moves the resource's version on; m.mu is held.
func (m *MemoryStore) changed(resourceID string) {
	if m.versions == nil {
		m.versions = map[string]uint64{}
	}
	m.versions[resourceID]++
}

// WeekCache keeps what a page made of a Week (rendered HTML, say) for
// visitors who all see the same: the anonymous calendar. An entry is
// reused while the Store's Version for the resource and week is the same
// and the Week's Until has not come, so it never shows a free slot taken
// or a taken one free. A Store that is not Versioned is never cached.
// Nothing personal may go into V. The zero WeekCache is ready to use.
type WeekCache[V any] struct {
	// Max bounds the entries (default 1,000); when full, it starts over.
	Max int

	mu sync.Mutex
	m  map[weekKey]weekEntry[V]
}

type weekKey struct {
	resource string
	monday   civil.Date
	lang     i18n.Lang
}

type weekEntry[V any] struct {
	version string
	until   time.Time
	v       V
}

// Get returns build's value of s's Week of the resource that holds day in
// lang, from the cache when it is still true. One cache serves one Service.
func (c *WeekCache[V]) Get(ctx context.Context, s *Service, resourceID string, day civil.Date, lang i18n.Lang, build func(*Week) (V, error)) (V, error) {
	var zero V
	monday := MondayOf(day)
	vs, ok := s.store().(Versioned)
	if !ok {
		w, err := s.Week(ctx, resourceID, monday, lang)
		if err != nil {
			return zero, err
		}
		return build(w)
	}
	// Any zone's week lies within a day either side of the UTC one.
	from, to := monday.AddDays(-1).Start(time.UTC), monday.AddDays(8).Start(time.UTC)
	version, err := vs.Version(ctx, resourceID, from, to) // before the Week: a change after it makes a newer one
	if err != nil {
		return zero, err
	}
	key := weekKey{resourceID, monday, lang}
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && e.version == version && (e.until.IsZero() || s.now().Before(e.until)) {
		return e.v, nil
	}
	w, err := s.Week(ctx, resourceID, monday, lang)
	if err != nil {
		return zero, err
	}
	v, err := build(w)
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= cmp.Or(c.Max, 1000) {
		c.m = map[weekKey]weekEntry[V]{}
	}
	c.m[key] = weekEntry[V]{version, w.Until, v}
	return v, nil
}
