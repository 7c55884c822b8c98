package registrytest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/registry"
)

// TestCache is the conformance suite every registry.Cache must pass, in the
// style of testing/fstest.TestFS. newCache returns an empty cache for each
// subtest. The TTL checks wait a quarter of a second of real time, so that a
// cache whose clock is a server's (Redis) can pass them too.
//
//	func TestMyCache(t *testing.T) {
//		registrytest.TestCache(t, func(t *testing.T) registry.Cache { return mycache.New(...) })
//	}
func TestCache(t *testing.T, newCache func(t *testing.T) registry.Cache) {
	t.Run("miss", func(t *testing.T) { testCacheMiss(t, newCache(t)) })
	t.Run("round trip", func(t *testing.T) { testCacheRoundTrip(t, newCache(t)) })
	t.Run("TTL", func(t *testing.T) { testCacheTTL(t, newCache(t)) })
	t.Run("copies", func(t *testing.T) { testCacheCopies(t, newCache(t)) })
	t.Run("concurrent", func(t *testing.T) { testCacheConcurrent(t, newCache(t)) })
}

func cacheGet(t *testing.T, c registry.Cache, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := c.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func cacheSet(t *testing.T, c registry.Cache, key string, v []byte, ttl time.Duration) {
	t.Helper()
	if err := c.Set(context.Background(), key, v, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func testCacheMiss(t *testing.T, c registry.Cache) {
	if v, ok := cacheGet(t, c, "never-set"); ok || v != nil {
		t.Errorf("empty cache answered %q", v)
	}
}

func testCacheRoundTrip(t *testing.T, c registry.Cache) {
	values := map[string][]byte{
		"enhet:991825827":   []byte(`200{"navn":"DIGITALISERINGSDIREKTORATET"}`),
		"krr:03851598730":   {0, 1, 2, 0xff, 0xfe},
		"empty":             {},
		"unicode key æøå ✓": []byte("ø"),
		"big":               bytes.Repeat([]byte("x"), 1<<20),
	}
	for k, v := range values {
		cacheSet(t, c, k, v, time.Hour)
	}
	for k, want := range values {
		got, ok := cacheGet(t, c, k)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("%q: got %d bytes (%v), want %d", k, len(got), ok, len(want))
		}
	}
	cacheSet(t, c, "empty", []byte("replaced"), time.Hour)
	if got, _ := cacheGet(t, c, "empty"); string(got) != "replaced" {
		t.Errorf("Set did not replace: %q", got)
	}
}

func testCacheTTL(t *testing.T, c registry.Cache) {
	cacheSet(t, c, "short", []byte("s"), 100*time.Millisecond)
	cacheSet(t, c, "long", []byte("l"), time.Hour)
	cacheSet(t, c, "zero", []byte("z"), 0)
	cacheSet(t, c, "negative", []byte("n"), -time.Second)
	for _, k := range []string{"zero", "negative"} {
		if _, ok := cacheGet(t, c, k); ok {
			t.Errorf("%s TTL stored a value", k)
		}
	}
	time.Sleep(250 * time.Millisecond)
	if _, ok := cacheGet(t, c, "short"); ok {
		t.Error("an entry outlived its TTL")
	}
	if v, ok := cacheGet(t, c, "long"); !ok || string(v) != "l" {
		t.Error("an entry expired before its TTL")
	}
}

// testCacheCopies checks that neither the caller's slice nor the one handed
// out is the cache's own: a client may reuse both.
func testCacheCopies(t *testing.T, c registry.Cache) {
	in := []byte("original")
	cacheSet(t, c, "k", in, time.Hour)
	in[0] = 'X'
	out, _ := cacheGet(t, c, "k")
	if string(out) != "original" {
		t.Fatalf("the cache kept the caller's slice: %q", out)
	}
	out[0] = 'Y'
	if again, _ := cacheGet(t, c, "k"); string(again) != "original" {
		t.Errorf("the cache handed out its own slice: %q", again)
	}
}

func testCacheConcurrent(t *testing.T, c registry.Cache) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				own := fmt.Sprintf("own:%d:%d", g, i)
				if err := c.Set(ctx, own, []byte(own), time.Hour); err != nil {
					t.Error(err)
					return
				}
				if err := c.Set(ctx, "shared", []byte(own), time.Hour); err != nil {
					t.Error(err)
					return
				}
				if v, ok, err := c.Get(ctx, own); err != nil || !ok || string(v) != own {
					t.Errorf("%s: %q %v %v", own, v, ok, err)
					return
				}
				if _, _, err := c.Get(ctx, "shared"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	v, ok := cacheGet(t, c, "shared")
	if !ok || !bytes.HasPrefix(v, []byte("own:")) {
		t.Errorf("shared key after concurrent writes: %q", v)
	}
}
