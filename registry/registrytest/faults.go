package registrytest

import (
	"net/http"
	"strconv"

	"github.com/grunnmur/grunnmur/fake"
)

// fail writes an injected fault's answer in the Spring error shape the
// registries share, with the Retry-After of one second they send on 429 and
// 503 unless the fault chose its own.
func fail(w http.ResponseWriter, r *http.Request, status int) {
	if w.Header().Get("Retry-After") == "" && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, map[string]any{
		"status":  status,
		"error":   http.StatusText(status),
		"message": "injected fault: " + strconv.Itoa(status),
		"path":    r.URL.Path,
	})
}

// wrap puts the fake's faults in front of h.
func wrap(f *fake.Faults, h http.HandlerFunc) http.Handler { return f.Handler(h, fail) }
