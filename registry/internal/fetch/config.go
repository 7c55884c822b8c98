package fetch

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// errUnset stands in for config.ErrUnset until that package lands.
var errUnset = errors.New("config: unset")

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
// config.ErrUnset; set to something that is not a base URL, ErrBaseURL.
func BaseURLFromEnv(prefix string, getenv func(string) string) (string, error) {
	name := prefix + "BASE_URL"
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return "", fmt.Errorf("%s: %w", name, errUnset)
	}
	if _, err := BaseURL(name, v); err != nil {
		return "", err
	}
	return v, nil
}
