package site_test

import (
	"context"
	"fmt"
	"net/http"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

// A service whose citizens book an inspection for their case, fill in its
// form under the site's header, and whose officers page through the cases.
func ExampleService_Appointment() {
	texts := site.Messages{"service": {"nb": "Skjenkebevilling", "nn": "Skjenkeløyve", "en": "Liquor licence"}}
	for k, v := range appointmentTexts { // book.title, book.held, ...: the appointment pages' texts
		texts[k] = v
	}
	pages := fstest.MapFS{ // the pages "book" and "held" get a site.AppointmentView
		"templates/book.html": {Data: []byte(`{{define "content"}}<form method="post" action="{{.Data.Href}}">{{.CSRF}}` +
			`{{range .Data.Slots}}<input type="radio" name="slot" value="{{.Value}}">{{.Label}}{{end}}</form>{{end}}`)},
		"templates/held.html": {Data: []byte(`{{define "content"}}<p>{{.Data.HoldText}}</p>` +
			`<form method="post" action="{{.Data.Href}}/{{.Data.Held.ID}}">{{.CSRF}}</form>{{end}}`)},
		"templates/cases.html": {Data: []byte(`{{define "content"}}{{range .Data.Cases}}<a href="/ansatt/sak/{{.ID}}">{{.Number}}</a> {{.State}}{{end}}` +
			`{{with .Data.Older}}<a href="{{.}}">Eldre</a>{{end}}{{end}}`)},
	}
	svc, err := site.New(context.Background(), site.ServiceConfig{
		Config:   site.Config{PublicURL: "http://127.0.0.1:8080", Getenv: func(string) string { return "" }},
		Messages: texts, Pages: pages, Sandbox: devenv.Sandbox, Officers: true, Forms: true,
		Cases: &sak.Service{}, Bookings: &booking.Service{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close()
	svc.Bookings.PutResource(context.Background(), &booking.Resource{ID: "befaring", Name: "Befaring", Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)})})
	// GET/POST /sak/{id}/befaring, /sak/{id}/befaring/{res} and its .ics,
	// for the logged-in citizen's own case only.
	err = svc.Appointment(site.Appointment{Resource: "befaring", Base: "/sak", Path: "befaring"})
	fmt.Println("appointment:", err)

	// The form's pages with the site's header; templates/form/*.html could
	// override the form's own templates ("receipt-next", say).
	header, err := svc.FormPages("/soknad", pages)
	fmt.Println("form pages:", err)
	def := forms.MustParse([]byte(testForm))
	svc.Form(&forms.Flow{Def: def, Prefix: "/soknad", Renderer: forms.Renderer{Templates: header}})

	// The officers' list, 25 cases a page, with ?etter= and ?foer= links.
	svc.Mux.Handle("GET /ansatt", svc.ForOfficers(func(w http.ResponseWriter, r *http.Request) {
		l, err := svc.CaseList(r, sak.Filter{}, 25)
		if err != nil {
			svc.Fail(w, r, err)
			return
		}
		svc.Render(w, r, "cases", http.StatusOK, svc.Page(r, "service", l))
	}))
	// Output:
	// appointment: <nil>
	// form pages: <nil>
}
