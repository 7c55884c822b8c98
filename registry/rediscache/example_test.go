package rediscache_test

import (
	"fmt"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/rediscache"
	"github.com/grunnmur/grunnmur/secret"
)

// A KRR client whose answers are shared by every instance of the service.
// (This example needs a Redis server, so it is compiled but not run.)
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	key, err := secret.FromEnv(os.Getenv, "GRUNNMUR_REGISTRY_CACHE_KEY")
	if err != nil {
		fmt.Println(err)
		return
	}
	cache, err := rediscache.New(rediscache.Config{Client: rdb, Key: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := krr.New(krr.Config{Cache: cache})
	fmt.Println(c != nil, err)
}

// The key must be long enough to make the hashed fødselsnumre in the cache
// keys impossible to guess.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	_, err := rediscache.New(rediscache.Config{Client: rdb, Key: secret.New("too short")})
	fmt.Println(err)
	// Output:
	// rediscache: invalid configuration: Key is 9 bytes, at least 32 are needed
}
