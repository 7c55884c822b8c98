package rediscache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/rediscache"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/secret"
)

var testKey = secret.New("a test key of at least thirty-two bytes")

// client connects to the test Redis and removes the test's keys afterwards.
// Each test gets a prefix of its own, so packages can share the server.
func client(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	opt, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		rdb.Close()
		t.Fatalf("Redis at %s: %v", testenv.EnvRedisURL, err)
	}
	var b [8]byte
	rand.Read(b[:])
	prefix := "grunnmur-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return rdb, prefix
}

func newCache(t *testing.T) (*rediscache.Cache, redis.UniversalClient, string) {
	t.Helper()
	rdb, prefix := client(t)
	c, err := rediscache.New(rediscache.Config{Client: rdb, Key: testKey, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return c, rdb, prefix
}

func TestConformance(t *testing.T) {
	registrytest.TestCache(t, func(t *testing.T) registry.Cache {
		c, _, _ := newCache(t)
		return c
	})
}

// Neither the fødselsnummer in a key nor the personal data in a value reaches
// Redis in clear.
func TestNothingInClear(t *testing.T) {
	c, rdb, prefix := newCache(t)
	ctx := context.Background()
	fnr := registrytest.Persons()[0].FNR.Reveal()
	value := []byte(`{"personidentifikator":"` + fnr + `","kontaktinformasjon":{"epostadresse":"sigrid@example.no"}}`)
	if err := c.Set(ctx, "krr:"+fnr, value, time.Minute); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v %v", keys, err)
	}
	if strings.Contains(keys[0], fnr) || strings.Contains(keys[0], "krr") {
		t.Errorf("key in clear: %s", keys[0])
	}
	stored, err := rdb.Get(ctx, keys[0]).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{fnr, "sigrid@example.no", "epostadresse"} {
		if bytes.Contains(stored, []byte(clear)) {
			t.Errorf("value holds %q in clear", clear)
		}
	}
	if got, ok, err := c.Get(ctx, "krr:"+fnr); err != nil || !ok || !bytes.Equal(got, value) {
		t.Errorf("round trip: %q %v %v", got, ok, err)
	}
}

// Another Key neither finds the entries nor opens them, and a changed value
// is an error, not a wrong answer.
func TestKeyAndTampering(t *testing.T) {
	c, rdb, prefix := newCache(t)
	ctx := context.Background()
	if err := c.Set(ctx, "enhet:991825827", []byte("200{}"), time.Minute); err != nil {
		t.Fatal(err)
	}
	other, err := rediscache.New(rediscache.Config{Client: rdb, Key: secret.New("another key of at least thirty-two bytes"), Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := other.Get(ctx, "enhet:991825827"); ok || err != nil {
		t.Errorf("another key: %v %v", ok, err)
	}
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	stored, _ := rdb.Get(ctx, keys[0]).Bytes()
	stored[len(stored)-1] ^= 1
	rdb.Set(ctx, keys[0], stored, time.Minute)
	if _, ok, err := c.Get(ctx, "enhet:991825827"); ok || !errors.Is(err, rediscache.ErrCorrupt) {
		t.Errorf("tampered value: %v %v", ok, err)
	}
	rdb.Set(ctx, keys[0], "x", time.Minute)
	if _, _, err := c.Get(ctx, "enhet:991825827"); !errors.Is(err, rediscache.ErrCorrupt) {
		t.Errorf("short value: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for name, cfg := range map[string]rediscache.Config{
		"no client": {Key: testKey},
		"no key":    {Client: rdb},
		"short key": {Client: rdb, Key: secret.New("short")},
	} {
		if _, err := rediscache.New(cfg); !errors.Is(err, rediscache.ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// With Redis down, a look-up still answers from the registry; the failure is
// logged without the key and its personal number.
func TestRedisDownDoesNotFailLookups(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	cache, err := rediscache.New(rediscache.Config{Client: rdb, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	reg := registrytest.NewKRR(registrytest.KRRConfig{Authorize: func(*http.Request) int { return 0 }})
	c, err := krr.New(krr.Config{BaseURL: "http://krr.test", HTTPClient: registrytest.InProcess(reg), Cache: cache,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	fnr := registrytest.Persons()[registrytest.SigridHaugland].FNR
	for range 2 {
		if ok, err := c.CanSendDigital(context.Background(), fnr); err != nil || !ok {
			t.Fatalf("look-up with Redis down: %v %v", ok, err)
		}
	}
	if n := reg.Requests(""); n != 2 {
		t.Errorf("%d registry requests, want 2 (nothing cached)", n)
	}
	out := logs.String()
	if !strings.Contains(out, "cache failed") || !strings.Contains(out, `"level":"WARN"`) {
		t.Errorf("no warning logged: %s", out)
	}
	if strings.Contains(out, fnr.Reveal()) || strings.Contains(out, fnr.Reveal()[:6]) && strings.Contains(out, "krr:") {
		t.Errorf("log holds the key: %s", out)
	}
}
