package site_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

// New builds a service's wiring in one call: here the citizens' login,
// cases and Vipps payments, every outside service a fake in this process
// (nothing is set in Getenv). The service adds its pages to Mux and serves
// Handler; a real one runs svc.RunJobs(ctx) beside it for the background jobs.
func ExampleNew() {
	svc, err := site.New(context.Background(), site.ServiceConfig{
		Config: site.Config{PublicURL: "http://127.0.0.1:8080", Getenv: func(string) string { return "" }},
		Messages: site.Messages{
			"service":     {"nb": "Eksempeltjeneste", "nn": "Eksempelteneste", "en": "Example service"},
			"start.title": {"nb": "Velkommen", "nn": "Velkomen", "en": "Welcome"},
		},
		Pages:    fstest.MapFS{"templates/start.html": {Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1>{{end}}`)}},
		Sandbox:  devenv.Sandbox, // the fakes, for what Getenv leaves unset
		Cases:    &sak.Service{DecisionPeriod: 30},
		Payments: &payment.Service{ReferencePrefix: "demo"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close()
	svc.Mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		svc.Render(w, r, "start", http.StatusOK, svc.Page(r, "start.title", nil))
	})
	svc.Mux.Handle("GET /mine", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "your cases")
	}))

	h := svc.Handler()
	for _, path := range []string{"/?lang=nn", "/mine", "/no-such-page?lang=en"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		_, title, _ := strings.Cut(rec.Body.String(), "<title>")
		title, _, _ = strings.Cut(title, "</title>")
		fmt.Println(path, rec.Code, strings.TrimSpace(rec.Header().Get("Location")+" "+title))
	}
	fmt.Println("officers:", svc.Officer != nil, "payments:", svc.Payments != nil, "webhook:", svc.Webhook != nil)
	// Output:
	// /?lang=nn 200 Velkomen – Eksempelteneste
	// /mine 303 /auth/login?acr=idporten-loa-substantial&return=%2Fmine
	// /no-such-page?lang=en 404 Page not found – Example service
	// officers: false payments: true webhook: true
}
