package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestOwnICS serves a reservation's .ics to its owner only: another
// citizen gets the 404 page, as for one that does not exist.
func TestOwnICS(t *testing.T) {
	svc, base := serve(t, full())
	svc.Mux.Handle("GET /booking/{id}/ics", svc.ForCitizens(svc.OwnICS))
	ctx := context.Background()
	if err := svc.Bookings.PutResource(ctx, &booking.Resource{ID: "hall", Name: "Storhallen", Capacity: 1, Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)})}); err != nil {
		t.Fatal(err)
	}
	ps := registrytest.Persons()
	owner, err := svc.OwnerKeys.Key(forms.Owner{Person: ps[registrytest.SigridHaugland].FNR})
	if err != nil {
		t.Fatal(err)
	}
	now := svc.Config.Now()
	slots, err := svc.Bookings.Availability(ctx, "hall", now.Add(24*time.Hour), now.Add(8*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatalf("no slot: %v", err)
	}
	res, err := svc.Bookings.Hold(ctx, booking.HoldInput{ResourceID: "hall", Owner: owner, Start: slots[0].Start, Title: "Storhallen", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		who, status int
		path        string
	}{
		{registrytest.SigridHaugland, http.StatusOK, "/booking/" + res.ID + "/ics"},
		{registrytest.OlaBakken, http.StatusNotFound, "/booking/" + res.ID + "/ics"},
		{registrytest.SigridHaugland, http.StatusNotFound, "/booking/nope/ics"},
	} {
		r, page := sitetest.NewBrowser(t).Login(base+tt.path, ps[tt.who].FNR.Reveal())
		if r.StatusCode != tt.status || (tt.status == 200) != strings.Contains(page, "BEGIN:VCALENDAR") {
			t.Errorf("%s %s: %d %.200s", ps[tt.who].Name(), tt.path, r.StatusCode, page)
		}
	}
	if r, page := sitetest.NewBrowser(t).Login(base+"/booking/"+res.ID+"/ics", ps[registrytest.SigridHaugland].FNR.Reveal()); !strings.Contains(page, "SUMMARY:Storhallen") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("the .ics: %s %.300s", r.Header.Get("Content-Type"), page)
	}
}
