package rediscache

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/secret"
)

// MinKeyLength is the shortest Config.Key New accepts, in bytes.
const MinKeyLength = 32

// DefaultPrefix is the Redis key prefix when Config.Prefix is empty.
const DefaultPrefix = "grunnmur:registry:"

// ErrConfig is a Config that New refuses.
var ErrConfig = errors.New("rediscache: invalid configuration")

// ErrCorrupt is a stored value that does not open with the Key.
var ErrCorrupt = errors.New("rediscache: stored value does not open with the key")

// Config configures a Cache.
type Config struct {
	// Client is the Redis connection: a *redis.Client, *redis.ClusterClient
	// or any redis.UniversalClient. Required. The Cache does not close it.
	Client redis.UniversalClient
	// Key is the secret the cache keys are hashed and the values sealed
	// with, at least MinKeyLength bytes. Required. Every instance that
	// shares the cache needs the same Key; a new Key makes the old entries
	// misses.
	Key secret.Value
	// Prefix goes before every Redis key; "" means DefaultPrefix.
	Prefix string
}

// Cache is a registry.Cache on Redis. It is safe for concurrent use.
type Cache struct {
	client redis.UniversalClient
	prefix string
	mac    []byte // subkey for the keys' HMAC
	aead   cipher.AEAD
}

var _ registry.Cache = (*Cache)(nil)

// New returns a Cache for cfg. A missing Client or a Key shorter than
// MinKeyLength is an error matching ErrConfig.
func New(cfg Config) (*Cache, error) {
	if cfg.Client == nil {
		return nil, fmt.Errorf("%w: no Client", ErrConfig)
	}
	if n := len(cfg.Key.Reveal()); n < MinKeyLength {
		return nil, fmt.Errorf("%w: Key is %d bytes, at least %d are needed", ErrConfig, n, MinKeyLength)
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	master := []byte(cfg.Key.Reveal())
	block, err := aes.NewCipher(subkey(master, "value"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Cache{client: cfg.Client, prefix: prefix, mac: subkey(master, "key"), aead: aead}, nil
}

// subkey derives a 32-byte key for one use from the master key.
func subkey(master []byte, use string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("grunnmur registry cache " + use))
	return m.Sum(nil)
}

// redisKey is the prefix and the hex HMAC of key.
func (c *Cache) redisKey(key string) string {
	m := hmac.New(sha256.New, c.mac)
	m.Write([]byte(key))
	return c.prefix + hex.EncodeToString(m.Sum(nil))
}

// Get returns the value under key, if it has not expired. A Redis failure or
// a value that does not open is an error.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	rk := c.redisKey(key)
	sealed, err := c.client.Get(ctx, rk).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("rediscache: get: %w", err)
	}
	n := c.aead.NonceSize()
	if len(sealed) < n {
		return nil, false, ErrCorrupt
	}
	v, err := c.aead.Open(nil, sealed[:n], sealed[n:], []byte(rk))
	if err != nil {
		return nil, false, ErrCorrupt
	}
	if v == nil {
		v = []byte{}
	}
	return v, true, nil
}

// Set stores value under key for ttl. A ttl of zero or less stores nothing.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	rk := c.redisKey(key)
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(value)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("rediscache: %w", err)
	}
	sealed := c.aead.Seal(nonce, nonce, value, []byte(rk))
	if err := c.client.Set(ctx, rk, sealed, max(ttl, time.Millisecond)).Err(); err != nil {
		return fmt.Errorf("rediscache: set: %w", err)
	}
	return nil
}
