package site

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLogRedactsWhatTheRouteDoesNotName: the request log writes the ids a
// route's wildcards match, and redacts what lies below a subtree route (a
// calendar feed's token), an unmatched path and the query.
func TestLogRedactsWhatTheRouteDoesNotName(t *testing.T) {
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request) {}
	mux.Handle("GET /kalender/", http.StripPrefix("/kalender", http.HandlerFunc(ok)))
	mux.HandleFunc("GET /sak/{id}/vedlegg/{file}", ok)
	mux.HandleFunc("GET /static/{name...}", ok)
	mux.HandleFunc("GET /{$}", ok)
	mux.HandleFunc("/", http.NotFound)
	var buf bytes.Buffer
	h := Log(slog.New(slog.NewJSONHandler(&buf, nil)), RememberLang(mux))
	for _, c := range []struct{ url, path, route string }{
		{"/kalender/PxIPV7secretfeedtoken2E.ics", "/kalender/" + Redacted, "GET /kalender/"},
		{"/kalender/", "/kalender/", "GET /kalender/"},
		{"/sak/0b6a5b3e/vedlegg/f1?code=secretcode", "/sak/0b6a5b3e/vedlegg/f1", "GET /sak/{id}/vedlegg/{file}"},
		{"/static/site.css", "/static/" + Redacted, "GET /static/{name...}"},
		{"/?lang=en", "/", "GET /{$}"},
		{"/kalendr/secretmistyped.ics", "/" + Redacted, "/"},
		{"/sak/%ff%00", "/" + Redacted, "/"},
	} {
		buf.Reset()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", c.url, nil))
		var line struct{ Path, Route string }
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if line.Path != c.path || line.Route != c.route {
			t.Errorf("%s: logged path %q route %q, want %q %q", c.url, line.Path, line.Route, c.path, c.route)
		}
		if strings.Contains(buf.String(), "secret") {
			t.Errorf("%s: a secret reached the log: %s", c.url, buf.String())
		}
	}
	// Without a ServeMux nothing names the path.
	r := httptest.NewRequest("GET", "/kalender/secret.ics", nil)
	if got := LoggedPath(r); got != "/"+Redacted {
		t.Errorf("no route: %q", got)
	}
}
