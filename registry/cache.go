package registry

import (
	"sync"
	"time"
)

// Cache holds look-up results for a while. Values are the clients' own decoded
// results, shared read-only between callers: a Cache must not copy or mutate
// them. Implementations must be safe for concurrent use.
//
// Keys can hold personal numbers (KRR and Folkeregisteret key by person): an
// implementation that keeps entries outside the process must hash the keys
// and protect the values as the personal data they are.
//
// The default is a MemoryCache; NoCache turns caching off.
type Cache interface {
	// Get returns the value stored under key, if it has not expired.
	Get(key string) (any, bool)
	// Set stores v under key for ttl.
	Set(key string, v any, ttl time.Duration)
}

// NoCache stores nothing: every look-up goes to the registry (concurrent
// identical look-ups still collapse into one request).
type NoCache struct{}

// Get always misses.
func (NoCache) Get(string) (any, bool) { return nil, false }

// Set does nothing.
func (NoCache) Set(string, any, time.Duration) {}

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
	v       any
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

// Get returns the value under key if it has not expired.
func (c *MemoryCache) Get(key string) (any, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || c.now() >= e.expires {
		return nil, false
	}
	return e.v, true
}

// Set stores v under key for ttl. A ttl of zero or less stores nothing.
func (c *MemoryCache) Set(key string, v any, ttl time.Duration) {
	if ttl <= 0 {
		return
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
	c.entries[key] = memoryEntry{v: v, expires: now + int64(ttl)}
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
