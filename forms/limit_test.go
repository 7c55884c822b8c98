package forms

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/internal/formbody"
)

// TestFlowPostLimit: a page post is read under the page's limit, whoever
// reads it first. Middleware that reads the form ahead of the Flow (as the
// auth package's CSRF check does) goes inside Flow.Limit; one that read it
// without the limit makes the Flow refuse the post rather than save it.
func TestFlowPostLimit(t *testing.T) {
	flow, _ := newFlowServer(t)
	// reader reads the form ahead of the Flow, as a CSRF check does, and
	// lets the request through whatever the outcome.
	reader := func(parse func(r *http.Request) error) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = parse(r)
				next.ServeHTTP(w, r)
			})
		}
	}
	servers := map[string]http.Handler{
		"flow alone":                     flow,
		"Limit, then a reader":           flow.Limit(reader(formbody.Parse)(flow)),
		"a reader without the limit":     reader(func(r *http.Request) error { return r.ParseMultipartForm(32 << 20) })(flow),
		"a reader outside Flow.Limit":    reader(func(r *http.Request) error { return r.ParseMultipartForm(32 << 20) })(flow.Limit(flow)),
		"Limit, then ParseForm directly": flow.Limit(reader(func(r *http.Request) error { return r.ParseForm() })(flow)),
	}
	big := url.Values{"_action": {"save"}, "/soker/kontakt/navn": {"For Stor"}, "fyll": {strings.Repeat("x", 2<<20)}}.Encode()
	small := url.Values{"_action": {"save"}, "/soker/kontakt/navn": {"Passe"}}.Encode()
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	mw.WriteField("_action", "save")
	fw, _ := mw.CreateFormFile("/vedlegg/plantegning", "plantegning.pdf")
	fw.Write(pdf[:len(pdf)-6])
	fw.Write(bytes.Repeat([]byte("% plantegning\n"), (11<<20)/14))
	fw.Write([]byte("%%EOF\n"))
	mw.Close()

	for name, h := range servers {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("/soknad/", http.StripPrefix("/soknad", h))
			srv := httptest.NewServer(mux)
			defer srv.Close()
			fc := &flowClient{t: t, srv: srv, owner: "person:kari", c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
			res, _ := fc.do("POST", "/soknad/", nil, "")
			draft := strings.TrimSuffix(res.Header.Get("Location"), "/soker")
			id := strings.TrimPrefix(draft, "/soknad/")
			kontakt := func() any {
				d, err := flow.Store.GetDraft(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				s, _ := d.Data["soker"].(map[string]any)
				return s["kontakt"]
			}
			misread := strings.Contains(name, "without") || strings.Contains(name, "outside")

			res, _ = fc.do("POST", draft+"/soker", strings.NewReader(big), "application/x-www-form-urlencoded")
			want := map[bool]int{false: http.StatusRequestEntityTooLarge, true: http.StatusInternalServerError}[misread]
			if strings.Contains(name, "ParseForm directly") {
				want = http.StatusUnprocessableEntity // the reader dropped the error: the Flow sees an empty post
			}
			if res.StatusCode != want {
				t.Errorf("2 MiB post to a 256 KiB page: %d, want %d", res.StatusCode, want)
			}
			if k := kontakt(); k != nil {
				t.Errorf("the refused post was saved: %v", k)
			}
			res, _ = fc.do("POST", draft+"/soker", strings.NewReader(small), "application/x-www-form-urlencoded")
			if want := map[bool]int{false: http.StatusSeeOther, true: http.StatusInternalServerError}[misread]; res.StatusCode != want {
				t.Errorf("a small post: %d, want %d", res.StatusCode, want)
			}
			if misread {
				return
			}
			res, _ = fc.do("POST", draft+"/dokumenter", bytes.NewReader(upload.Bytes()), mw.FormDataContentType())
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("11 MiB upload to a 20 MiB field: %d, want 303", res.StatusCode)
			}
			d, _ := flow.Store.GetDraft(context.Background(), id)
			v, _ := d.Data["vedlegg"].(map[string]any)
			if files, _ := v["plantegning"].([]any); len(files) != 1 {
				t.Errorf("the upload was not saved: %v", d.Data["vedlegg"])
			}
		})
	}
}
