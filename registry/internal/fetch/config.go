package fetch

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/config"
)

// CheckConfig checks what every registry Config has, and returns the base URL
// to use: base, or def when base is empty.
func CheckConfig(registryName, base, def string, ttl time.Duration, maxAttempts int) (string, error) {
	if base == "" {
		base = def
	}
	base, err := BaseURL(registryName, base)
	if err != nil {
		return "", err
	}
	if ttl < 0 {
		return "", fmt.Errorf("%s: negative TTL %v", registryName, ttl)
	}
	if maxAttempts < 0 {
		return "", fmt.Errorf("%s: negative MaxAttempts %d", registryName, maxAttempts)
	}
	return base, nil
}

// BaseURLFromEnv reads prefix+"BASE_URL". Unset, the error matches
// config.ErrUnset; set to something that is not an http or https URL, it
// names the variable.
func BaseURLFromEnv(prefix string, getenv func(string) string) (string, error) {
	r := config.NewReader(prefix, getenv)
	base := r.URL("BASE_URL")
	if err := r.Err(); err != nil {
		return "", err
	}
	return base, nil
}
