package site_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// appointmentTexts are the texts the appointment pages need.
var appointmentTexts = site.Messages{
	"book.title":    {"nb": "Bestill befaring", "nn": "Bestill synfaring", "en": "Book the inspection"},
	"book.confirm":  {"nb": "Bekreft tiden", "nn": "Stadfest tida", "en": "Confirm the time"},
	"book.required": {"nb": "Velg et tidspunkt.", "nn": "Vel eit tidspunkt.", "en": "Choose a time."},
	"book.taken":    {"nb": "Tiden er tatt.", "nn": "Tida er teken.", "en": "That time is taken."},
	"book.expired":  {"nb": "Tiden gikk ut.", "nn": "Tida gjekk ut.", "en": "The hold ran out."},
	"book.held":     {"nb": "Holdt til %s.", "nn": "Halden til %s.", "en": "Held until %s."},
}

// serveAppointment is a service with an inspection calendar mounted at
// /sak/{id}/befaring, a case of Sigrid's and one of Ola's.
func serveAppointment(t *testing.T) (svc *site.Service, base string, sigridsCase, olasCase *sak.Case) {
	t.Helper()
	c := full()
	c.Messages = site.Messages{}
	for _, m := range []site.Messages{texts, appointmentTexts} {
		for k, v := range m {
			c.Messages[k] = v
		}
	}
	p := fstest.MapFS{}
	for k, v := range pages {
		p[k] = v
	}
	p["templates/book.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1>{{with .Data.Error}}<p id="error">{{.}}</p>{{end}}` +
		`<form method="post" action="{{.Data.Href}}">{{.CSRF}}{{range .Data.Slots}}<input type="radio" name="slot" value="{{.Value}}">{{end}}</form>{{end}}`)}
	p["templates/held.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<p id="held">{{.Data.HoldText}}</p><form method="post" action="{{.Data.Href}}/{{.Data.Held.ID}}">{{.CSRF}}</form>{{end}}`)}
	c.Pages = p
	svc, base = serve(t, c)
	ctx := context.Background()
	if err := svc.Bookings.PutResource(ctx, &booking.Resource{ID: "befaring", Name: "Befaring", Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)}), MinNotice: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Appointment(site.Appointment{Resource: "befaring", Base: "/sak", Path: "befaring"}); err != nil {
		t.Fatal(err)
	}
	open := func(person int) *sak.Case {
		owner, err := svc.OwnerKeys.Key(forms.Owner{Person: registrytest.Persons()[person].FNR})
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.Cases.Open(ctx, sak.Application{Kind: "test", Title: "Søknad", Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return svc, base, open(registrytest.SigridHaugland), open(registrytest.OlaBakken)
}

func TestAppointmentBooksForTheOwnCase(t *testing.T) {
	svc, base, mine, olas := serveAppointment(t)
	b := sitetest.NewBrowser(t)
	res, page := b.Login(base+"/sak/"+mine.ID+"/befaring?lang=en", sigrid)
	if res.StatusCode != 200 || !strings.Contains(page, "Book the inspection") {
		t.Fatalf("slots: %d %.2000s", res.StatusCode, page)
	}
	slot := sitetest.Match(t, `name="slot" value="([^"]+)"`, page)
	action := "/sak/" + mine.ID + "/befaring"
	// No slot chosen: the page again with the error, 422.
	if res, page := b.Post(base+action+"?lang=en", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Choose a time.") {
		t.Errorf("no slot: %d %.1500s", res.StatusCode, page)
	}
	res, page = b.Post(base+action+"?lang=en", url.Values{"slot": {slot}})
	if res.StatusCode != 200 || !strings.Contains(page, "Held until") {
		t.Fatalf("hold: %d %.1500s", res.StatusCode, page)
	}
	held := res.Request.URL.Path
	resID := strings.TrimPrefix(held, action+"/")
	// Someone else cannot take the same slot for their case.
	ola := sitetest.NewBrowser(t)
	ola.Login(base+"/sak/"+olas.ID+"/befaring", registrytest.Persons()[registrytest.OlaBakken].FNR.Reveal())
	if res, page := ola.Post(base+"/sak/"+olas.ID+"/befaring?lang=en", url.Values{"slot": {slot}}); res.StatusCode != http.StatusConflict || !strings.Contains(page, "That time is taken.") {
		t.Errorf("a held slot taken again: %d", res.StatusCode)
	}
	// Nor see, confirm or download Sigrid's case or reservation, through
	// their own case either; a forged id is the same 404.
	for _, p := range []string{action, held, held + "/ics", "/sak/" + olas.ID + "/befaring/" + resID, "/sak/" + olas.ID + "/befaring/" + resID + "/ics",
		"/sak/" + olas.ID + "/befaring/forged"} {
		if res, _ := ola.Do("GET", base+p, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as another citizen: %d", p, res.StatusCode)
		}
	}
	if res, _ := ola.Post(base+"/sak/"+olas.ID+"/befaring/"+resID, url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("confirming another's hold: %d", res.StatusCode)
	}
	// Confirmed: back to the case, which links the booking.
	b.Do("GET", base+held, nil)
	res, _ = b.NoFollow("POST", base+held, url.Values{"csrf_token": {b.Token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sak/"+mine.ID {
		t.Fatalf("confirm: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	c, err := svc.Cases.Get(context.Background(), sak.Actor{Role: sak.RoleSystem, ID: "test"}, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l := c.LinksOf(sak.LinkBooking); len(l) != 1 || l[0].Ref != resID || l[0].Status != string(booking.Confirmed) {
		t.Errorf("links %+v", l)
	}
	if res, ics := b.Do("GET", base+held+"/ics", nil); res.StatusCode != 200 || !strings.Contains(ics, "BEGIN:VEVENT") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "befaring.ics") {
		t.Errorf("ics: %d %.300s", res.StatusCode, ics)
	}
	// A held page of a booking no longer held goes back to the case.
	if res, _ := b.NoFollow("GET", base+held, nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("held page after confirming: %d", res.StatusCode)
	}
}

func TestAppointmentNeedsItsParts(t *testing.T) {
	svc, _ := serve(t, full()) // without the book.* texts
	if err := svc.Appointment(site.Appointment{Resource: "befaring", Base: "/sak", Path: "befaring"}); !errors.Is(err, site.ErrConfig) || !strings.Contains(err.Error(), "book.") {
		t.Errorf("missing texts: %v", err)
	}
	if err := svc.Appointment(site.Appointment{Base: "/sak", Path: "befaring"}); !errors.Is(err, site.ErrConfig) {
		t.Errorf("no resource: %v", err)
	}
}
