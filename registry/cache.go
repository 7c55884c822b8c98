package registry

import (
	"context"
	"sync"
	"time"
)

// Cache holds registry answers for a while: the bytes of the answer as the
// registry sent it, which the client decodes again on a hit. Implementations
// must be safe for concurrent use, and must not keep or change the slices
// they are given or hand out.
//
// A client treats every Cache error as a miss: it logs the failure (never the
// key) and asks the registry, so an unreachable cache slows look-ups down but
// does not fail them.
//
// Keys can hold personal numbers (KRR and Folkeregisteret key by person), and
// values are personal data: an implementation that keeps entries outside the
// process must hash the keys with a secret key and protect the values, as
// registry/rediscache does.
//
// The default is a MemoryCache; NoCache turns caching off.
type Cache interface {
	// Get returns the value stored under key, if it has not expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl. A ttl of zero or less stores
	// nothing.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// NoCache stores nothing: every look-up goes to the registry (concurrent
// identical look-ups still collapse into one request).
type NoCache struct{}

// Get always misses.
func (NoCache) Get(context.Context, string) ([]byte, bool, error) { return nil, false, nil }

// Set does nothing.
func (NoCache) Set(context.Context, string, []byte, time.Duration) error { return nil }

// MemoryCache is an in-memory Cache with a TTL per entry and a bound on its
// size. Its zero value is ready to use.
type MemoryCache struct {
	// MaxEntries bounds the cache; 0 means 10,000. When full, expired entries
	// are swept, and if that frees nothing an arbitrary entry is dropped.
	MaxEntries int
	// Now reads the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.RWMutex
	entries map[string]memoryEntry
}

type memoryEntry struct {
	v       []byte
	expires int64 // unix nanoseconds
}

// NewMemoryCache returns an empty MemoryCache holding at most maxEntries (0
// means 10,000).
func NewMemoryCache(maxEntries int) *MemoryCache {
	return &MemoryCache{MaxEntries: maxEntries}
}

func (c *MemoryCache) now() int64 {
	if c.Now != nil {
		return c.Now().UnixNano()
	}
	return time.Now().UnixNano()
}

// Get returns a copy of the value under key if it has not expired. It never
// fails.
func (c *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || c.now() >= e.expires {
		return nil, false, nil
	}
	return append([]byte{}, e.v...), true, nil
}

// Set stores a copy of value under key for ttl. A ttl of zero or less stores
// nothing. It never fails.
func (c *MemoryCache) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]memoryEntry)
	}
	limit := c.MaxEntries
	if limit <= 0 {
		limit = 10_000
	}
	if _, exists := c.entries[key]; !exists && len(c.entries) >= limit {
		for k, e := range c.entries {
			if now >= e.expires {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < limit {
				break
			}
			delete(c.entries, k) // map order is random: a cheap random eviction
		}
	}
	c.entries[key] = memoryEntry{v: append([]byte{}, value...), expires: now + int64(ttl)}
	return nil
}

// Delete removes key.
func (c *MemoryCache) Delete(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}

// Len reports how many entries (expired ones included) the cache holds.
func (c *MemoryCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
