// Package rediscache is a registry.Cache on Redis, for a service that runs on
// more than one instance: every instance then shares one cache of registry
// answers, and a look-up one instance made is a hit on the others.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	key, err := secret.FromEnv(os.Getenv, "GRUNNMUR_REGISTRY_CACHE_KEY")
//	...
//	cache, err := rediscache.New(rediscache.Config{Client: rdb, Key: key})
//	...
//	kc, err := krr.New(krr.Config{Cache: cache, HTTPClient: maskinportenClient})
//
// The answers are personal data, and their keys hold fødselsnumre. Nothing
// reaches Redis in clear: each key is replaced by its HMAC-SHA256 under a
// subkey of Config.Key (so a key cannot be found by trying every fødselsnummer
// without that secret), and each value is sealed with AES-256-GCM under
// another subkey, bound to its key. A value that does not open (changed in
// Redis, or written under another Key) is an error, which the registry clients
// log and treat as a miss.
//
// When Redis cannot be reached, Get and Set return the error; a registry
// client logs it (never the key) and asks the registry, so a look-up is slower
// but does not fail.
package rediscache
