package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/registry"
)

// Cache is a client's cache of registry answers with its single flight.
type Cache struct {
	Registry string
	Store    registry.Cache // never nil
	TTL      time.Duration
	Logger   *slog.Logger // cache failures, at warning level; never the key
	group    registry.Group
}

// NewCache returns a Cache over store (nil means a MemoryCache on now).
func NewCache(registryName string, store registry.Cache, ttl time.Duration, logger *slog.Logger, now func() time.Time) *Cache {
	if store == nil {
		store = &registry.MemoryCache{Now: now} // the TTL runs on the client's clock
	}
	return &Cache{Registry: registryName, Store: store, TTL: ttl, Logger: defaults.Logger(logger)}
}

// encode writes e as three status digits followed by the body.
func encode(e Entry) []byte {
	b := make([]byte, 0, 3+len(e.Body))
	b = fmt.Appendf(b, "%03d", e.Status%1000)
	return append(b, e.Body...)
}

func decode(b []byte) (Entry, bool) {
	if len(b) < 3 {
		return Entry{}, false
	}
	status, err := strconv.Atoi(string(b[:3]))
	if err != nil {
		return Entry{}, false
	}
	return Entry{Status: status, Body: b[3:]}, true
}

// warn logs a cache failure. The key is left out: it can hold a personal
// number, and so can an error that quotes it.
func (c *Cache) warn(ctx context.Context, op string, err error) {
	c.Logger.LogAttrs(ctx, slog.LevelWarn, "registry: cache failed; asking the registry",
		slog.String("registry", c.Registry), slog.String("op", op), slog.String("error", redact.Numbers(err.Error())))
}

// Lookup returns the entry cached under key. A cache failure is logged and
// counts as a miss.
func (c *Cache) Lookup(ctx context.Context, key string) (Entry, bool) {
	b, ok, err := c.Store.Get(ctx, key)
	if err != nil {
		c.warn(ctx, "get", err)
		return Entry{}, false
	}
	if !ok {
		return Entry{}, false
	}
	e, ok := decode(b)
	if !ok {
		c.warn(ctx, "get", fmt.Errorf("cache entry of %d bytes is not a registry answer", len(b)))
	}
	return e, ok
}

// Put caches e under key for the TTL. A cache failure is logged.
func (c *Cache) Put(ctx context.Context, key string, e Entry) {
	if err := c.Store.Set(ctx, key, encode(e), c.TTL); err != nil {
		c.warn(ctx, "set", err)
	}
}

// Lookup is one cached look-up.
type Lookup[T any] struct {
	Key string
	// Fetch asks the registry.
	Fetch func(ctx context.Context) (Entry, error)
	// Decode turns an answer into the result. An answer that does not decode
	// is not cached.
	Decode func(Entry) (T, error)
	// Audit, when set, runs after the cache is read and before the result is
	// returned or fetched; cached says whether the cache answered. An error
	// from it ends the look-up.
	Audit func(cached bool) error
}

// Cached returns l's result from the cache, or else fetches it, once for all
// concurrent callers with the same key, and caches the answer.
func Cached[T any](ctx context.Context, c *Cache, l Lookup[T]) (T, error) {
	var zero T
	if e, ok := c.Lookup(ctx, l.Key); ok {
		v, err := l.Decode(e)
		if err == nil {
			if l.Audit != nil {
				if err := l.Audit(true); err != nil {
					return zero, err
				}
			}
			return v, nil
		}
		c.warn(ctx, "decode", err)
	}
	if l.Audit != nil {
		if err := l.Audit(false); err != nil {
			return zero, err
		}
	}
	x, err, _ := c.group.Do(ctx, l.Key, func(ctx context.Context) (any, error) {
		e, err := l.Fetch(ctx)
		if err != nil {
			return nil, err
		}
		v, err := l.Decode(e)
		if err != nil {
			return nil, err
		}
		c.Put(ctx, l.Key, e)
		return v, nil
	})
	if err != nil {
		return zero, err
	}
	return x.(T), nil
}
