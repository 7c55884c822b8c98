// Package formbody reads a request's form body under the route's cap on its
// size. Middleware that reads the form before the route's handler (the
// auth package's CSRF check) must read it under the route's cap, not one
// of its own: the body can be read only once, and whoever reads it first
// decides how much is read. Limit sets the cap and records it in the
// request's context; Parse reads the form once, whoever calls it first.
package formbody

import (
	"context"
	"mime"
	"net/http"
)

// MaxMemory is how much of a multipart body's files is held in memory; the
// rest goes to temporary files.
const MaxMemory = 1 << 20

type key struct{}

// state is what Limit records: the cap, and the outcome of the first Parse.
type state struct {
	n      int64
	parsed bool
	err    error
}

// Limit caps r's body at n bytes (http.MaxBytesReader) and records n, so
// that whoever reads the form later knows the cap it was read under.
//
// On a form already read it records nothing: that read had no cap.
func Limit(w http.ResponseWriter, r *http.Request, n int64) *http.Request {
	if Read(r) {
		return r
	}
	r = r.WithContext(context.WithValue(r.Context(), key{}, &state{n: n}))
	r.Body = http.MaxBytesReader(w, r.Body, n)
	return r
}

// Cleanup removes the temporary files of r's multipart form. net/http does
// so only for the request it made, not for the copies middleware hands on
// (Limit's among them): whoever makes the copy that is parsed calls it,
// deferred, when the handler is done.
func Cleanup(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

// Cap returns the cap Limit set on r's body, if any.
func Cap(r *http.Request) (int64, bool) {
	st, ok := r.Context().Value(key{}).(*state)
	if !ok {
		return 0, false
	}
	return st.n, true
}

// Read reports whether r's form body has been read (by Parse, ParseForm,
// FormValue and the like). ParseForm alone does not read a multipart body.
func Read(r *http.Request) bool {
	if multipartBody(r) {
		return r.MultipartForm != nil
	}
	return r.PostForm != nil
}

func multipartBody(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "multipart/form-data"
}

// Parse reads r's form, urlencoded or multipart, once: a later call gives
// the first one's error again (after Limit), and reads nothing. Unlike
// http.Request.ParseMultipartForm, it does not drop the error of a
// urlencoded body over the cap, which is an *http.MaxBytesError.
func Parse(r *http.Request) error {
	st, _ := r.Context().Value(key{}).(*state)
	if st != nil && st.parsed {
		return st.err
	}
	if Read(r) {
		return nil
	}
	var err error
	if multipartBody(r) {
		err = r.ParseMultipartForm(MaxMemory)
	} else {
		err = r.ParseForm()
	}
	if st != nil {
		st.parsed, st.err = true, err
	}
	return err
}
