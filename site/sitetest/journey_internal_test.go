package sitetest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/internal/vnu"
)

// TestJourneyChecksServedHTML walks a journey over a page whose script turns
// its DOM invalid and a form whose POST redirects: the pages kept for the Nu
// Html Checker are the bytes the server sent. A third page is invalid as sent,
// and the checker names it with its line.
func TestJourneyChecksServedHTML(t *testing.T) {
	const head = "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>Side</title></head>\n<body><main><h1>Side</h1>\n"
	pages := map[string]string{
		"/script": head + `<p id="p">tekst</p>
<form method="post" action="/post"><button>Send</button></form>
<script>document.getElementById("p").innerHTML = "<div>ugyldig i p</div>"</script>
</main></body></html>`,
		"/after": head + "<p>Sendt ✓</p>\n</main></body></html>",
		"/bad":   head + "<p>avsnitt\n<p><div>blokk</div></p>\n</main></body></html>",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			http.Redirect(w, r, "/after", http.StatusSeeOther)
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	j := NewJourney(t, srv.URL, t.TempDir(), nil)
	j.Open("script", "/script")
	if got := j.Text("#p"); got != "ugyldig i p" {
		t.Fatalf("the script did not run: %q", got)
	}
	j.Page("script")
	j.Click("post", "button")
	j.Page("after")
	for i, want := range []string{"/script", "/after"} {
		if got := string(j.html.pages[i].HTML); got != pages[want] {
			t.Errorf("page %s kept as\n%s\nwant the served\n%s", j.html.pages[i].Name, got, pages[want])
		}
	}
	ms, err := vnu.Check(t.Context(), j.html.java, j.html.jar, j.html.pages)
	if err != nil || len(ms) > 0 {
		t.Fatalf("valid pages as served: %v %v", ms, err)
	}
	j.Open("bad", "/bad")
	j.Page("bad")
	ms, err = vnu.Check(t.Context(), j.html.java, j.html.jar, j.html.pages)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Page != "03-bad.html" || ms[0].Line != 5 || !strings.Contains(ms[0].Text, "No “p” element in scope") {
		t.Fatalf("vnu on the journey's pages: %v, want one error on 03-bad.html line 5", ms)
	}
	j.html.pages = j.html.pages[:2] // the cleanup checks the rest, which must pass
}
