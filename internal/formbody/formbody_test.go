package formbody

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func post(body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// http.Request.ParseMultipartForm drops the error of a urlencoded body over
// its cap; Parse does not, and gives it again on a second call.
func TestParseKeepsTheCapError(t *testing.T) {
	w := httptest.NewRecorder()
	r := Limit(w, post("a="+strings.Repeat("x", 100)), 50)
	var mbe *http.MaxBytesError
	if err := Parse(r); !errors.As(err, &mbe) || mbe.Limit != 50 {
		t.Fatalf("first Parse: %v", err)
	}
	if err := Parse(r); !errors.As(err, &mbe) {
		t.Fatalf("second Parse: %v", err)
	}
	if n, ok := Cap(r); !ok || n != 50 {
		t.Fatalf("Cap = %d, %v", n, ok)
	}
}

func TestLimitAfterReadRecordsNothing(t *testing.T) {
	r := post("a=1")
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if _, ok := Cap(Limit(httptest.NewRecorder(), r, 10)); ok {
		t.Fatal("a cap set after the form was read counts as the cap it was read under")
	}
	if _, ok := Cap(post("a=1")); ok {
		t.Fatal("a cap without Limit")
	}
}

// ParseForm alone leaves a multipart body unread.
func TestReadMultipart(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n"))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	_ = r.ParseForm()
	if Read(r) {
		t.Fatal("ParseForm read a multipart body")
	}
	if err := Parse(r); err != nil || r.PostForm.Get("a") != "1" || !Read(r) {
		t.Fatalf("Parse: %v %v", err, r.PostForm)
	}
}

type counter struct {
	r io.Reader
	n int
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// FuzzParse: whatever the body and its content type, Parse does not panic,
// reads no more than the cap, and a form body over the cap gives an
// *http.MaxBytesError rather than a form.
func FuzzParse(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "a=1&b=%zz")
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"; filename=\"x\"\r\n\r\n123\r\n--b--\r\n")
	f.Add("multipart/form-data", "--")
	f.Add("text/plain", "a=1")
	const limit = 64
	f.Fuzz(func(t *testing.T, ct, body string) {
		c := &counter{r: strings.NewReader(body)}
		r := httptest.NewRequest("POST", "/", c)
		r.Header.Set("Content-Type", ct)
		r = Limit(httptest.NewRecorder(), r, limit)
		err := Parse(r)
		if c.n > limit+1 {
			t.Fatalf("read %d bytes under a cap of %d", c.n, limit)
		}
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" && len(body) > limit {
			var mbe *http.MaxBytesError
			if !errors.As(err, &mbe) {
				t.Fatalf("a %d-byte urlencoded body under a cap of %d: %v", len(body), limit, err)
			}
		}
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	})
}
