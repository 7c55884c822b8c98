package site

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Log writes one line per request: method, route, path, status and
// duration; never the query, which can carry codes and tokens.
//
// The path is written as far as the route that served it names it (see
// LoggedPath): the ids its wildcards match are the services' own opaque
// ids, but what lies below a subtree route such as "GET /kalender/" is read
// by a handler mounted there, and may be a secret (a calendar feed's
// token), so it is redacted. Log must wrap the ServeMux, which records the
// route on the request. A nil l discards.
func Log(l *slog.Logger, next http.Handler) http.Handler {
	l = defaults.Logger(l)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK // a handler that wrote nothing answered 200
		}
		l.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", r.Pattern), slog.String("path", LoggedPath(r)),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)))
	})
}

// Redacted stands for the part of a path that Log leaves out.
const Redacted = "[redacted]"

// LoggedPath returns r's escaped path with what its route pattern does not
// name replaced by Redacted: the rest below a subtree pattern ("/kalender/",
// "/", "/static/{f...}"), or all of it when no route was matched.
func LoggedPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	pat := ""
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
		pat = r.Pattern[i:] // without the method and host
	}
	var keep int // the leading segments the pattern names
	switch {
	case pat == "":
		keep = 0
	case strings.HasSuffix(pat, "/"), strings.HasSuffix(pat, "...}"):
		keep = strings.Count(pat, "/") - 1
	default:
		return p // every segment is a literal or a single wildcard
	}
	segs := strings.SplitN(p, "/", keep+2)
	if len(segs) < keep+2 || segs[keep+1] == "" {
		return p
	}
	return strings.Join(segs[:keep+1], "/") + "/" + Redacted
}
