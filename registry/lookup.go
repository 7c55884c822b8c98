package registry

import (
	"context"
	"time"
)

// Cached returns the value cached under key, or else runs fetch, once for all
// concurrent callers with the same key, and caches its result for ttl. hit
// reports whether the value came from the cache. A nil cache is NoCache.
func Cached[T any](ctx context.Context, cache Cache, g *Group, key string, ttl time.Duration, fetch func(ctx context.Context) (T, error)) (v T, hit bool, err error) {
	if cache == nil {
		cache = NoCache{}
	}
	if x, ok := cache.Get(key); ok {
		if v, ok := x.(T); ok {
			return v, true, nil
		}
	}
	x, err, _ := g.Do(ctx, key, func(ctx context.Context) (any, error) {
		v, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		cache.Set(key, v, ttl)
		return v, nil
	})
	if err != nil {
		return v, false, err
	}
	return x.(T), false, nil
}
