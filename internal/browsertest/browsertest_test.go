package browsertest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/internal/testenv"
)

// TestRunFindsViolations shows that the check can fail: a page without lang,
// with an unlabelled input and an image without alt has violations.
func TestRunFindsViolations(t *testing.T) {
	axe := testenv.AxeJS(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/good" {
			w.Write([]byte(`<!DOCTYPE html><html lang="nb"><head><title>God side</title></head><body><main><h1>Hei</h1><label for="x">Navn</label><input id="x"></main></body></html>`))
			return
		}
		w.Write([]byte(`<!DOCTYPE html><html><head><title>Dårlig side</title></head><body><img src="x.png"><input></body></html>`))
	}))
	defer srv.Close()
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	vs, err := Run(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"html-has-lang", "image-alt", "label"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe found %v, want %s among them", ids, want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	Axe(t, ctx)
}
