package registrytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, status, "application/json", v)
}

func writeJSONType(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// InProcess returns an *http.Client that serves every request with h in the
// calling goroutine's process, without a network. It suits tests run in a
// testing/synctest bubble, where only in-process blocking counts as idle.
func InProcess(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripper{h}}
}

type roundTripper struct{ h http.Handler }

func (rt roundTripper) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	rec := httptest.NewRecorder()
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				resp, err = nil, &dropped{}
				return
			}
			panic(r)
		}
	}()
	rt.h.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, err // as a real transport does when the request's context ends
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}

type dropped struct{}

func (*dropped) Error() string   { return "registrytest: connection dropped" }
func (*dropped) Timeout() bool   { return false }
func (*dropped) Temporary() bool { return true }
