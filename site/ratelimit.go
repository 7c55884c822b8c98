package site

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Limiter gives each key (a login) its own token bucket from
// golang.org/x/time/rate: Burst requests at once, then one per Every.
//
// Memory stays bounded: a bucket idle for long enough to have refilled is
// the same as a new one, so it is forgotten, and the map holds only the keys
// seen within that time. Its zero value allows everything.
type Limiter struct {
	Every time.Duration    // one request per Every once the burst is spent
	Burst int              // requests at once
	Now   func() time.Time // nil means time.Now

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// idle is how long a bucket takes to refill: after that, forgetting it
// changes nothing.
func (l *Limiter) idle() time.Duration { return l.Every * time.Duration(l.Burst) }

// Allow reports whether key may make one more request now, and spends a
// token if so.
func (l *Limiter) Allow(key string) bool {
	if l.Every <= 0 || l.Burst <= 0 {
		return true
	}
	now := defaults.Now(l.Now)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	if now.Sub(l.lastSweep) >= l.idle() {
		for k, b := range l.buckets {
			if now.Sub(b.seen) >= l.idle() {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.Every), l.Burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// Len returns the number of buckets kept.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// ErrRateLimited means the login has spent its tokens (AllowLogin): the
// page answers 429 Too Many Requests.
var ErrRateLimited = errors.New("site: too many requests")

// AllowLogin spends one of the logged-in person's tokens in l. It counts
// the person (Owner), not an organisation they act for (Party), so that
// acting for several does not multiply the rate. When none is left it sets
// Retry-After on w to l.Every in whole seconds (at least 1: a token comes
// within it) and returns ErrRateLimited, for the page to answer 429 in its
// own words. Without a login it is auth.ErrNoSession.
func (s *Service) AllowLogin(w http.ResponseWriter, r *http.Request, l *Limiter) error {
	p, err := s.Owner(r)
	if err != nil {
		return err
	}
	if l.Allow(p) {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(int(l.Every/time.Second), 1)))
	return ErrRateLimited
}
