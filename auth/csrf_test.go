package auth_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
)

// TestCSRFReadsUnderTheRouteLimit: CSRF reads the form to find the token
// under the cap the route set with LimitBody, not one of its own. A post
// over a small route's cap is refused before the handler (413, not saved);
// an upload under a large route's cap passes, though it is over the
// default; and without LimitBody the default cap gives 413, not "CSRF check
// failed".
//
// The multipart parts past memory go to temporary files, which net/http
// removes only for its own request, not the copies middleware hands on: they
// are gone by the time the response is sent.
func TestCSRFReadsUnderTheRouteLimit(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	leftover := -1
	// countTemp runs outside everything: its handler has returned, its
	// deferred clean-ups have run, and the response is not sent yet.
	countTemp := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			es, _ := os.ReadDir(tmp)
			leftover = len(es)
		})
	}
	s := newSite(t, false)
	m := s.m
	handled := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled++
		if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n := int64(0)
		if r.MultipartForm != nil {
			for _, fh := range r.MultipartForm.File["fil"] {
				n += fh.Size
			}
		}
		fmt.Fprintf(w, "saved %d %s", n, r.PostForm.Get("navn"))
	})
	mux := http.NewServeMux()
	mux.Handle("POST /liten", m.RequireLogin("")(auth.LimitBody(256<<10)(m.CSRF(handler))))
	mux.Handle("POST /stor", countTemp(m.RequireLogin("")(auth.LimitBody(20<<20)(m.CSRF(handler)))))
	mux.Handle("POST /standard", m.RequireLogin("")(m.CSRF(handler)))
	mux.Handle("/", s.rp.Config.Handler)
	s.rp.Config.Handler = mux

	_, body := s.get(t, "/min-side")
	token := csrfRE.FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no CSRF field")
	}
	post := func(path string, body io.Reader, ct string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.rp.URL+path, body)
		req.Header.Set("Content-Type", ct)
		res, err := s.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	form := func(size int) io.Reader {
		return strings.NewReader(url.Values{"csrf_token": {token[1]}, "navn": {"Kari"}, "fyll": {strings.Repeat("x", size)}}.Encode())
	}
	upload := func(size int, withToken bool) (io.Reader, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		if withToken {
			mw.WriteField("csrf_token", token[1])
		}
		fw, _ := mw.CreateFormFile("fil", "tegning.pdf")
		fw.Write(bytes.Repeat([]byte{'%'}, size))
		mw.Close()
		return &b, mw.FormDataContentType()
	}
	const urlenc = "application/x-www-form-urlencoded"

	if status, b := post("/liten", form(1000), urlenc); status != 200 || b != "saved 0 Kari" {
		t.Errorf("a small post: %d %q", status, b)
	}
	before := handled
	if status, _ := post("/liten", form(2<<20), urlenc); status != http.StatusRequestEntityTooLarge || handled != before {
		t.Errorf("2 MiB post to a 256 KiB route: %d, handler ran %d times", status, handled-before)
	}
	if status, b := post("/stor", form(0), urlenc); status != 200 || b != "saved 0 Kari" {
		t.Errorf("a small post to the large route: %d %q", status, b)
	}
	body11, ct := upload(11<<20, true)
	if status, b := post("/stor", body11, ct); status != 200 || b != fmt.Sprintf("saved %d ", 11<<20) {
		t.Errorf("11 MiB upload to a 20 MiB route: %d %q", status, b)
	}
	if leftover != 0 {
		t.Errorf("%d temporary files left after the upload", leftover)
	}
	body11, ct = upload(11<<20, true)
	if status, _ := post("/standard", body11, ct); status != http.StatusRequestEntityTooLarge {
		t.Errorf("11 MiB upload over the default cap: %d, want 413", status)
	}
	body1, ct := upload(1<<20, false)
	if status, _ := post("/stor", body1, ct); status != http.StatusForbidden {
		t.Errorf("an upload without the token: %d, want 403", status)
	}
}
