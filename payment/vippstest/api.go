package vippstest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/secret"
)

// recorder buffers a response, so that idempotent can keep it for a replay.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type extra struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// problemTypeBase is the base of the problem types the fake sends, as
// Vipps' documentation names them.
const problemTypeBase = "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/errors/"

func writeProblem(w http.ResponseWriter, status int, typ, title, detail string, extras []extra) {
	body := map[string]any{
		"type": problemTypeBase + typ, "title": title, "status": status, "traceId": randomHex(16),
	}
	if detail != "" {
		body["detail"] = detail
	}
	if len(extras) > 0 {
		body["extraDetails"] = extras
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func invalid(w http.ResponseWriter, name, reason string) {
	writeProblem(w, http.StatusBadRequest, vipps.CodeValidation, "Bad Request", "One or more validation errors occurred.", []extra{{name, reason}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// authorize checks the bearer token, the subscription key and (where the
// API requires it) the MSN. It writes the error and returns false.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, needMSN bool) bool {
	if s.cfg.Authorize != nil {
		return s.hookAllows(w, r)
	}
	if !s.cfg.SubscriptionKey.Equal(secret.New(r.Header.Get("Ocp-Apim-Subscription-Key"))) {
		writeProblem(w, http.StatusUnauthorized, vipps.CodeUnauthorized, "Unauthorized", "Missing or invalid Ocp-Apim-Subscription-Key", nil)
		return false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.tokens[tok]
	if !ok || !known || !s.now().Before(exp) {
		writeProblem(w, http.StatusUnauthorized, vipps.CodeUnauthorized, "Unauthorized", "Missing, invalid or expired access token", nil)
		return false
	}
	msn := r.Header.Get("Merchant-Serial-Number")
	if (needMSN || msn != "") && msn != s.cfg.MSN {
		writeProblem(w, http.StatusForbidden, vipps.CodeUnauthorized, "Forbidden", "Unknown Merchant-Serial-Number", nil)
		return false
	}
	return true
}

// hookAllows asks Config.Authorize about a request, and writes the refusal
// when it refuses.
func (s *Server) hookAllows(w http.ResponseWriter, r *http.Request) bool {
	status := s.cfg.Authorize(r)
	if status == 0 {
		return true
	}
	writeProblem(w, status, vipps.CodeUnauthorized, http.StatusText(status), "Refused by the test's Authorize hook", nil)
	return false
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.Authorize != nil {
		if !s.hookAllows(w, r) {
			return
		}
	} else if r.Header.Get("client_id") != s.cfg.ClientID || !s.cfg.ClientSecret.Equal(secret.New(r.Header.Get("client_secret"))) ||
		!s.cfg.SubscriptionKey.Equal(secret.New(r.Header.Get("Ocp-Apim-Subscription-Key"))) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Invalid client credentials or subscription key"})
		return
	}
	now := s.now()
	tok := "fake." + randomHex(24)
	exp := now.Add(s.cfg.ExpiresIn)
	s.tokens[tok] = exp
	ttl := strconv.Itoa(int(s.cfg.ExpiresIn / time.Second))
	writeJSON(w, http.StatusOK, map[string]string{
		"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl,
		"expires_on": strconv.FormatInt(exp.Unix(), 10), "not_before": strconv.FormatInt(now.Unix(), 10),
		"resource": "00000002-0000-0000-c000-000000000000", "access_token": tok,
	})
}

// idempotent runs h under the request's Idempotency-Key: the same key with
// the same request replays the first answer, with another request it is a
// conflict. Called with s.mu held.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte, h func(w http.ResponseWriter)) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > 50 {
		invalid(w, "Idempotency-Key", "The Idempotency-Key header is required, at most 50 characters")
		return
	}
	fp := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	scope := r.URL.Path + "\x00" + key
	if e, ok := s.idem[scope]; ok && !s.noReplay {
		if e.fingerprint != fp {
			writeProblem(w, http.StatusConflict, vipps.CodeIdempotencyConflict, "Conflict", "The Idempotency-Key was used with another request", nil)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(e.status)
		w.Write(e.body)
		return
	}
	rec := &recorder{header: http.Header{}}
	h(rec)
	if rec.status < 500 {
		s.idem[scope] = &idemEntry{fingerprint: fp, status: rec.status, body: rec.body.Bytes()}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}
