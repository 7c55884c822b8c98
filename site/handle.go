package site

import "net/http"

// Handle is an http.Handler for a handler that returns its error instead of
// answering it: a non-nil error is answered by Fail (404 for one of
// NotFound, else a logged 500), so each failure in h is a plain return.
// h must not have written to w when it returns an error.
func (e ErrorPages) Handle(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			e.Fail(w, r, err)
		}
	})
}
