package idporten

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// publicKey is one usable verification key from the provider's JWKS.
type publicKey struct {
	kid string
	alg string // the key's own alg member, if any
	key any    // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// keyCache holds the provider's signing keys. It refetches the set when a
// token names a kid it does not know, at most once per minRefresh, so that a
// flood of forged kids cannot turn into a flood of fetches; it also refetches
// keys older than maxAge, to follow rotation.
type keyCache struct {
	mu          sync.RWMutex
	keys        []publicKey
	fetched     time.Time // of the current set
	lastAttempt time.Time // of the last fetch, successful or not
	fetchMu     sync.Mutex
}

// parseKeySet reads a JWKS document, skipping (not failing on) keys that do not
// parse, are not signature keys or are of an unsupported type: one bad key in
// the provider's set must not lock every citizen out.
func parseKeySet(body []byte) (keys []publicKey, skipped int, err error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, 0, fmt.Errorf("jwks: %w", err)
	}
	for _, raw := range set.Keys {
		k, err := jwk.ParseKey(raw)
		if err != nil {
			skipped++
			continue
		}
		if u, ok := k.KeyUsage(); ok && u != "" && u != "sig" {
			skipped++
			continue
		}
		pub, err := jwk.PublicRawKeyOf(k)
		if err != nil {
			skipped++
			continue
		}
		switch pub.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			skipped++
			continue
		}
		pk := publicKey{key: pub}
		pk.kid, _ = k.KeyID()
		if a, ok := k.Algorithm(); ok {
			pk.alg = a.String()
		}
		keys = append(keys, pk)
	}
	return keys, skipped, nil
}

// key returns the key for a token header's kid and alg.
func (c *Client) key(ctx context.Context, kid, alg string) (any, error) {
	now := c.now()
	kc := &c.keys
	kc.mu.RLock()
	k, err := pick(kc.keys, kid, alg)
	stale := kc.fetched.IsZero() || now.Sub(kc.fetched) > c.jwksMaxAge
	kc.mu.RUnlock()
	if err == nil && !stale {
		return k, nil
	}
	if err := c.refreshKeys(ctx, now); err != nil {
		if k != nil {
			return k, nil // a stale key beats no key while the provider is down
		}
		return nil, err
	}
	kc.mu.RLock()
	defer kc.mu.RUnlock()
	return pick(kc.keys, kid, alg)
}

// refreshKeys fetches the key set, at most once per jwksMinRefresh whatever
// asks for it (an unknown kid, or keys past their age), so that neither forged
// kids nor a provider outage turn every validation into a fetch.
func (c *Client) refreshKeys(ctx context.Context, now time.Time) error {
	kc := &c.keys
	kc.fetchMu.Lock()
	defer kc.fetchMu.Unlock()
	kc.mu.RLock()
	last := kc.lastAttempt
	kc.mu.RUnlock()
	if !last.IsZero() && now.Sub(last) < c.jwksMinRefresh {
		return fmt.Errorf("%w: key set refreshed %s ago", ErrUnknownKey, now.Sub(last).Round(time.Millisecond))
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return err
	}
	kc.mu.Lock()
	kc.lastAttempt = now
	kc.mu.Unlock()
	var body json.RawMessage
	if err := c.getJSON(ctx, md.JWKSURI, &body); err != nil {
		return fmt.Errorf("%w: fetch jwks: %w", ErrUnknownKey, err)
	}
	keys, skipped, err := parseKeySet(body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnknownKey, err)
	}
	if skipped > 0 {
		c.log().WarnContext(ctx, "idporten: skipped unusable keys in the provider's JWKS", "skipped", skipped, "kept", len(keys))
	}
	kc.mu.Lock()
	kc.keys, kc.fetched = keys, now
	kc.mu.Unlock()
	return nil
}

// pick finds the key for kid. Without a kid, the one key that fits alg is
// used; several candidates are refused rather than tried in turn.
func pick(keys []publicKey, kid, alg string) (any, error) {
	if kid != "" {
		for _, k := range keys {
			if k.kid == kid {
				if !fits(k, alg) {
					return nil, fmt.Errorf("%w: key %q does not fit %s", ErrAlgorithm, kid, alg)
				}
				return k.key, nil
			}
		}
		return nil, ErrUnknownKey
	}
	var found any
	n := 0
	for _, k := range keys {
		if fits(k, alg) {
			found = k.key
			n++
		}
	}
	switch n {
	case 0:
		return nil, ErrUnknownKey
	case 1:
		return found, nil
	}
	return nil, ErrAmbiguousKey
}

// fits reports whether key k may verify a signature made with alg.
func fits(k publicKey, alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch pub := k.key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return pub.Curve.Params().Name == "P-256"
		case "ES384":
			return pub.Curve.Params().Name == "P-384"
		case "ES512":
			return pub.Curve.Params().Name == "P-521"
		}
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}
