package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/site/sitetest"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
)

// delivered reports whether the fake Altinn Notifications delivered the
// notification key on channel to the address to, with a text that says
// what.
func delivered(app *App, key, channel, to, what string) bool {
	n := fakes(app.Fakes).Notifications
	n.Process(context.Background())
	for _, d := range n.Delivered() {
		if d.SendersReference == key && d.Channel == channel && d.To == to {
			rec, err := app.Notify.Get(context.Background(), key)
			return err == nil && strings.Contains(strings.ToLower(rec.Subject+rec.Text), strings.ToLower(what))
		}
	}
	return false
}

// startApp runs the service in process on a free port, with every external
// service faked, as `go run` does, on the clock now.
func startApp(t *testing.T, databaseURL string, now func() time.Time) (*App, string, *sitetest.Logs) {
	t.Helper()
	return sitetest.StartSite(t, databaseURL, now, New)
}

// pinned is the clock of the tests that are not about a date: it starts on
// a Sunday at 23:30, where CI once failed, and moves on.
func pinned(t *testing.T) func() time.Time { return sitetest.ClockAt(t, sitetest.Edges()[0].At) }

// dayAhead is the date d days after the app's today, in Oslo.
func dayAhead(app *App, d int) civil.Date {
	return civil.DateOf(app.Config.Now().In(civil.Oslo)).AddDays(d)
}

// freeWeek opens hall's calendar at the week of from, and the weeks after
// it in turn, until one shows a button matching sel (a free slot): the
// past, holidays and closed days can leave a week with none. It returns the
// week's path.
func freeWeek(j *sitetest.Journey, hall string, from civil.Date, sel string) string {
	j.T.Helper()
	for w := range 8 {
		path := "/hall/" + hall + "?uke=" + from.AddDays(7*w).String()
		j.Open("week", path)
		if sitetest.Get(j, "free slots", chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`)) > 0 {
			return path
		}
	}
	j.Failed("week", fmt.Errorf("no %s in %s's eight weeks from %s", sel, hall, from))
	return ""
}

// seasonWeek is the first week with a free weekly series in storhallen,
// from the week of the day d days ahead; when the season (booking.SeasonEnd) ends
// within five weeks of that day, from the first week of the next season,
// so that a series has weeks to conflict and to cancel.
func seasonWeek(j *sitetest.Journey, app *App, d int) string {
	j.T.Helper()
	from := dayAhead(app, d)
	if end := booking.SeasonEnd(from.Start(civil.Oslo), civil.Oslo, seasons...); civil.DateOf(end).Before(from.AddDays(35)) {
		from = civil.DateOf(end).AddDays(7)
	}
	return freeWeek(j, "storhallen", from, "button[data-series]")
}

// waitShipment waits until the fake SvarUT has the confirmation letter.
func waitShipment(t *testing.T, app *App, ref string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(fakes(app.Externals.Fakes).SvarUT.ByExternalRef(ref)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no SvarUT shipment %s", ref)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// evalString evaluates a JavaScript expression that gives a string.
func evalString(j *sitetest.Journey, step, js string) string {
	j.T.Helper()
	return sitetest.Get(j, step, chromedp.Evaluate[string](js))
}

// bookFirstFree clicks the first free slot's button on the calendar page
// and returns its start.
func bookFirstFree(j *sitetest.Journey, step string) string {
	j.T.Helper()
	start := sitetest.Get(j, step, chromedp.Evaluate[string](`(document.querySelector("button[data-start]") || {dataset: {start: ""}}).dataset.start`))
	if start == "" {
		j.Failed(step, errors.New("no free slot"))
	}
	j.Click(step, `button[data-start="`+start+`"]`)
	return start
}

// TestJourney runs the service in browsers: a person books and pays with
// Vipps, gets the letter at their Folkeregisteret address, and cancels in
// time; two people race for the same last slot; a club is checked in
// Enhetsregisteret, gets an invoice with a KID, subscribes to its calendar
// and cancels late (charged), then books a weekly series and cancels it;
// the hall admin adds a hall and closes one for a tournament. Every page
// passes axe. The clock starts on a Sunday at 23:30 (sitetest.Edges).
func TestJourney(t *testing.T) { sitetest.JourneyFirstEdge(t, runJourney) }

// TestJourneyAt runs the journey from the other edge instants: the DST
// changes, New Year's Eve and Easter Monday.
func TestJourneyAt(t *testing.T) { sitetest.JourneyOtherEdges(t, runJourney) }

// TestJourneyPostgres runs the journey with every store in PostgreSQL, from
// New Year's Eve at 23:50.
func TestJourneyPostgres(t *testing.T) { sitetest.JourneyPostgres(t, runJourney) }

// runJourney runs the journey with the app's clock (and its fakes') starting
// at at; every date it picks is relative to that clock.
func runJourney(t *testing.T, databaseURL string, at time.Time) {
	app, base, logs := startApp(t, databaseURL, sitetest.Clock(at))
	dir := sitetest.ScreenshotDir(t)
	j := sitetest.NewJourney(t, base, dir, logs)
	j.Prefix = "a-"

	j.Open("start", "/?lang=nn")
	if h := j.Text("h1"); !strings.Contains(h, "Leig ein hall") {
		t.Fatalf("nynorsk start page: %q", h)
	}
	j.Page("start-nn")
	j.Open("start", "/?lang=nb")
	j.Page("start")
	j.Click("hall", "#hall-storhallen")
	j.Page("calendar-anonymous")
	j.Click("login", "#login")
	j.Login("Sigrid Haugland")
	if p := j.Path(); p != "/hall/storhallen" {
		t.Fatalf("after login: %s", p)
	}
	j.Page("calendar")
	// On a phone the week scrolls sideways in its own region, never the page.
	j.Do("phone", chromedp.EmulateViewport(375, 740))
	if got := sitetest.Get(j, "phone width", chromedp.Evaluate[string](`(() => { const r = document.querySelector(".ds-table-scroll");
		return [document.documentElement.scrollWidth <= innerWidth, r.scrollWidth > r.clientWidth, getComputedStyle(r).overflowX].join(); })()`)); got != "true,true,auto" {
		t.Fatalf("the week on a phone: %s (page fits, table scrolls, overflow)", got)
	}
	j.Page("calendar-phone")
	j.Do("desktop", chromedp.EmulateViewport(1280, 1024)) // the window's size (sitetest)

	// A person books a slot two weeks ahead and pays with Vipps.
	freeWeek(j, "storhallen", dayAhead(app, 14), "button[data-start]")
	bookFirstFree(j, "book")
	if s := j.Text("#state"); !strings.Contains(s, "Holdt av") {
		t.Fatalf("held: %q", s)
	}
	j.Page("held")
	if n := sitetest.Get(j, "no invoice for a person", chromedp.Evaluate[int](`document.querySelectorAll("#pay-invoice").length`)); n != 0 {
		t.Fatal("a person is offered an invoice")
	}
	j.Click("pay", "#pay-vipps")
	j.Do("vipps", chromedp.WaitVisible(chromedp.CSS("button.approve")))
	j.Page("vipps-landing")
	j.Click("approve", "button.approve")
	j.Do("confirmed", chromedp.WaitVisible(chromedp.CSS("#confirmed")))
	if s := j.Text("#state"); s != "Bekreftet" {
		t.Fatalf("state after payment: %q", s)
	}
	j.Page("confirmed")
	bookingPath := j.Path()
	// The confirmation letter goes to the person, by fødselsnummer, with
	// their postal address from Folkeregisteret for print.
	id := strings.TrimPrefix(bookingPath, "/booking/")
	waitShipment(t, app, "hall-"+id)
	sh, _ := fakes(app.Externals.Fakes).SvarUT.Shipment(fakes(app.Externals.Fakes).SvarUT.ByExternalRef("hall-" + id)[0])
	if rc := sh.Shipment.Recipient; rc.Person.IsZero() || rc.Address.Name != "Sigrid Haugland" || len(rc.Address.PostalCode) != 4 || rc.Address.Line1 == "" || sh.Shipment.DigitalOnly {
		t.Fatalf("the person's letter: %+v", rc.Address)
	}
	// The confirmation went to Sigrid's e-mail in KRR through (the fake)
	// Altinn Notifications, with the hall and the time in Oslo; the reminder
	// waits for 24 hours before the start, on its condition.
	if !delivered(app, "booking/"+id+"/confirmed", "email", "sigrid.haugland@example.no", "Storhallen") {
		t.Errorf("no confirmation delivered: %+v", fakes(app.Fakes).Notifications.Delivered())
	}
	booked, err := app.Bookings.Reservation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	rem, err := app.Notify.Get(context.Background(), fmt.Sprintf("booking/%s/reminder/%d", id, booked.Start.Unix()))
	if err != nil || rem.Status != notify.Queued || rem.Condition != site.BookingReminderCondition || !rem.NotBefore.Equal(booked.Start.Add(-24*time.Hour)) ||
		!strings.Contains(rem.Text, i18n.NB.Time(booked.Start)) {
		t.Errorf("the reminder: %+v %v", rem, err)
	}
	if code, pdf := j.Fetch(bookingPath + "/brev.pdf"); code != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("letter PDF: %d %.20q", code, pdf)
	}
	if code, ics := j.Fetch(bookingPath + "/ics"); code != 200 || !strings.Contains(string(ics), "BEGIN:VEVENT") || !strings.Contains(string(ics), "Storhallen") {
		t.Fatalf(".ics: %d %s", code, ics)
	}
	// Cancelled well before the 48-hour deadline: nothing to pay.
	j.Click("cancel", "#cancel")
	j.Page("cancel-confirm") // Avbestill asks first
	j.Click("confirm cancel", "#cancel-confirm")
	j.Do("cancelled", chromedp.WaitVisible(chromedp.CSS("#free")))
	j.Page("cancelled-free")
	res, err := app.Bookings.Reservation(context.Background(), strings.TrimPrefix(bookingPath, "/booking/"))
	if err != nil || res.State != booking.Cancelled || res.Charged {
		t.Fatalf("reservation after cancel: %+v %v", res, err)
	}
	p, err := app.Payments.Latest(context.Background(), "booking/"+res.ID)
	if err != nil || p.Aggregate.Refunded != p.Amount {
		t.Fatalf("refund: %+v %v", p, err)
	}
	if !delivered(app, "booking/"+id+"/cancelled", "email", "sigrid.haugland@example.no", "avbestilt") {
		t.Errorf("no cancellation notice delivered: %+v", fakes(app.Fakes).Notifications.Delivered())
	}

	// Sigrid chooses SMS for her notices on Min side.
	j.Open("min side", "/min-side")
	j.Do("choose sms", chromedp.Click(chromedp.CSS("#kanal-sms")))
	j.Click("save the choice", "#varsling-save")
	j.Do("choice saved", chromedp.WaitVisible(chromedp.CSS("#varsling-saved")))
	j.Page("min-side-varsling")
	owner, _ := app.OwnerKeys.Key(forms.Owner{Person: registrytest.Persons()[registrytest.SigridHaugland].FNR})
	if ch, ok, err := app.Channels.Channel(context.Background(), owner); ch != notify.SMS || !ok || err != nil {
		t.Errorf("the stored choice: %q %v %v", ch, ok, err)
	}

	// The person books a slot every week for the season and pays for all
	// of it at once with Vipps; the letter lists the weeks.
	seasonWeek(j, app, 35)
	personFirst := evalString(j, "person series slot", `document.querySelector("button[data-series]").dataset.series`)
	j.Click("person series", `button[data-series="`+personFirst+`"]`)
	// A season of weeks may meet a holiday or the booking horizon: the page
	// names those weeks, and the person holds the others.
	if n := sitetest.Get(j, "person series conflicts", chromedp.Evaluate[int](`document.querySelectorAll("#series-others").length`)); n == 1 {
		j.Page("person-series-conflicts")
		j.Click("person series others", "#series-others")
	}
	j.Do("person series held", chromedp.WaitVisible(chromedp.CSS("#series-held")))
	j.Page("person-series-held")
	if n := sitetest.Get(j, "no invoice for a person's series", chromedp.Evaluate[int](`document.querySelectorAll("#pay-invoice").length`)); n != 0 {
		t.Fatal("a person is offered an invoice for a series")
	}
	j.Click("person series pay", "#pay-vipps")
	j.Do("person series vipps", chromedp.WaitVisible(chromedp.CSS("button.approve")))
	j.Click("person series approve", "button.approve")
	j.Do("person series paid", chromedp.WaitVisible(chromedp.CSS("#series-confirmed")))
	j.Page("person-series-paid")
	personSeries := strings.TrimPrefix(j.Path(), "/serie/")
	waitShipment(t, app, "hall-"+personSeries)
	// One confirmation for the series, by SMS now.
	if !delivered(app, "booking/series/"+personSeries+"/confirmed", "sms", "+4799000001", "Storhallen") {
		t.Errorf("no SMS confirmation of the series: %+v", fakes(app.Fakes).Notifications.Delivered())
	}
	if n := evalString(j, "person series weeks", `String(document.querySelectorAll("#occurrences li").length)`); n == "0" || n == "1" {
		t.Fatalf("%s weeks in the person's series", n)
	}

	other := race(t, app, j, base, dir, logs)

	// Sigrid books for SESAM AS: an unknown orgnr first.
	j.Open("club", "/klubb")
	j.Page("club")
	j.Do("unknown orgnr", chromedp.SendKeys(chromedp.CSS("#orgnr"), registrytest.NeverExistedOrgnr))
	j.Click("unknown orgnr", "#actfor-continue")
	if msg := j.Text("#orgnr-error"); !strings.Contains(msg, "finner ingen") {
		t.Fatalf("unknown club: %q", msg)
	}
	j.Page("club-unknown")
	j.Do("orgnr", chromedp.SetValue(chromedp.CSS("#orgnr"), registrytest.ApplicantOrgnr))
	j.Click("orgnr", "#actfor-continue")
	j.Open("club again", "/klubb")
	if s := j.Text("#acting"); !strings.Contains(s, "SESAM") {
		t.Fatalf("acting for: %q", s)
	}
	freeWeek(j, "storhallen", dayAhead(app, 21), "button[data-start]")
	if s := j.Text("main"); !strings.Contains(s, "Du booker for SESAM") {
		t.Fatalf("calendar as the club: %q", s)
	}
	bookFirstFree(j, "club books")
	j.Page("club-held")
	j.Click("invoice", "#pay-invoice")
	j.Do("invoiced", chromedp.WaitVisible(chromedp.CSS("#kid")))
	kid := j.Text("#kid")
	if _, _, err := ident.ParseKID(kid); err != nil || !strings.HasPrefix(kid, "77") {
		t.Fatalf("KID %q: %v", kid, err)
	}
	if s := j.Text("#account"); s != "1503.10.12349" {
		t.Fatalf("account: %q", s)
	}
	j.Page("club-invoice")
	clubBooking := j.Path()
	waitShipment(t, app, "hall-"+strings.TrimPrefix(clubBooking, "/booking/"))
	if s := j.Text("#letter"); !strings.Contains(s, "SvarUT") {
		t.Fatalf("letter: %q", s)
	}

	// The club's calendar feed.
	j.Open("my bookings", "/min-side")
	j.Page("minside")
	j.Click("new feed", "#feed-new")
	feed := sitetest.Get(j, "feed url", chromedp.Evaluate[string](`document.querySelector("#feed").getAttribute("href")`))
	j.Page("feed")
	if !strings.HasPrefix(feed, base+"/kalender/") {
		t.Fatalf("feed URL %q", feed)
	}
	resp, err := http.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(b.String(), "BEGIN:VCALENDAR") || strings.Count(b.String(), "BEGIN:VEVENT") != 1 {
		t.Fatalf("feed: %d %s", resp.StatusCode, b.String())
	}

	// The hall's deadline is now 60 days: the club cancels late and pays.
	h, _ := app.Bookings.Resource(context.Background(), "storhallen")
	h.CancelDeadline = 60 * 24 * time.Hour
	if err := app.Bookings.PutResource(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	j.Open("club booking", clubBooking)
	if s := j.Text("#latewarn"); !strings.Contains(s, "passert") {
		t.Fatalf("late warning: %q", s)
	}
	j.Page("late-warning")
	j.Click("late cancel", "#cancel")
	j.Do("late cancel asks", chromedp.WaitVisible(chromedp.CSS("#cancel-late")))
	j.Click("confirm late cancel", "#cancel-confirm")
	j.Do("charged", chromedp.WaitVisible(chromedp.CSS("#charged")))
	j.Page("cancelled-charged")

	// A weekly series for the season: one week is taken by someone else, so
	// the page lists it, and the club books the other weeks on one invoice.
	seasonWeek(j, app, 42)
	first := evalString(j, "series slot", `document.querySelector("button[data-series]").dataset.series`)
	start, err := time.Parse(time.RFC3339, first)
	if err != nil {
		t.Fatal(err)
	}
	var blocked time.Time
	for w := 1; w < 5 && blocked.IsZero(); w++ {
		at := start.In(civil.Oslo).AddDate(0, 0, 7*w)
		if _, err := app.Bookings.Book(context.Background(), booking.HoldInput{ResourceID: "storhallen", Owner: "someone-else", Start: at, Key: "blocker"}); err == nil {
			blocked = at
		}
	}
	if blocked.IsZero() {
		t.Fatal("no week to block")
	}
	j.Click("series", `button[data-series="`+first+`"]`)
	if s := j.Text("#conflicts"); !strings.Contains(s, "opptatt") {
		t.Fatalf("series conflicts: %q", s)
	}
	j.Page("series-conflicts")
	j.Click("series others", "#series-others")
	j.Do("series held", chromedp.WaitVisible(chromedp.CSS("#series-held")))
	j.Page("series-held")
	j.Click("series invoice", "#pay-invoice")
	j.Do("series booked", chromedp.WaitVisible(chromedp.CSS("#series-confirmed")))
	kid = j.Text("#kid")
	if kid == "" {
		t.Fatal("no KID for the series")
	}
	n := evalString(j, "occurrences", `String(document.querySelectorAll("#occurrences li").length)`)
	if n == "0" || n == "1" {
		t.Fatalf("%s occurrences", n)
	}
	j.Page("series-booked")
	seriesID := strings.TrimPrefix(j.Path(), "/serie/")
	waitShipment(t, app, "hall-"+seriesID)
	whole := j.Text("#price")

	// The club cancels the whole series. With the deadline a day past the
	// first week's start, that week is charged and the rest are free: the
	// unpaid invoice is credited and issued again, with a new KID, for less.
	rs, err := app.Bookings.Reservations(context.Background(), booking.Query{SeriesID: seriesID})
	if err != nil || len(rs) < 2 {
		t.Fatalf("the series: %d occurrences, %v", len(rs), err)
	}
	firstStart := rs[0].Start
	for _, r := range rs {
		if r.Start.Before(firstStart) {
			firstStart = r.Start
		}
	}
	h.CancelDeadline = firstStart.Sub(app.Config.Now()) + 24*time.Hour
	if err := app.Bookings.PutResource(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	j.Click("cancel series", "#cancel-series")
	j.Page("cancel-series-confirm")
	j.Click("confirm cancel series", "#cancel-confirm")
	j.Do("series cancelled", chromedp.WaitVisible(chromedp.CSS("#occurrences")))
	j.Page("series-cancelled")
	if k := j.Text("#kid"); k == kid || k == "" {
		t.Fatalf("KID after cancelling: %q (was %q)", k, kid)
	}
	if p := j.Text("#price"); p == whole {
		t.Fatalf("price after cancelling: %q", p)
	}
	rs, err = app.Bookings.Reservations(context.Background(), booking.Query{SeriesID: seriesID})
	if err != nil {
		t.Fatal(err)
	}
	var charged, free int
	var owed int64
	for _, r := range rs {
		if r.State != booking.Cancelled {
			t.Fatalf("an occurrence is %s after cancelling the series", r.State)
		}
		if r.Charged {
			charged++
			owed += r.Price.Ore()
		} else {
			free++
		}
	}
	if charged == 0 || free == 0 {
		t.Fatalf("%d charged and %d free occurrences", charged, free)
	}
	if inv, err := app.Invoices.Latest(context.Background(), "invoice/series/"+seriesID); err != nil || int64(inv.Amount) != owed || inv.Attempt != 2 {
		t.Fatalf("the invoice after cancelling: %+v %v (owed %d)", inv, err, owed)
	}

	j.Logout("/auth/logout")

	// The hall admin (the sandbox's officer, GRUNNMUR_HALL_ADMINS unset)
	// closes Storhallen for a tournament; a citizen may not.
	if code, _ := other.Fetch("/admin"); code != http.StatusForbidden {
		t.Fatalf("a citizen at /admin: %d", code)
	}
	j.Open("admin", "/admin")
	j.Login(app.Externals.Fakes.Officer.Name)
	j.Page("admin")
	j.Click("admin hall", "#admin-storhallen")
	j.Page("admin-hall")
	// A day the hall is open, ten weeks ahead.
	block := dayAhead(app, 70)
	for len(h.HoursOn(block)) == 0 {
		block = block.AddDays(1)
	}
	j.Fill("block", map[string][]string{"from": {block.String()}, "to": {block.AddDays(1).String()}, "note": {"Håndballturnering"}})
	j.Click("block", "#block")
	if s := j.Text("#blocked"); !strings.Contains(s, "Håndballturnering") {
		t.Fatalf("blocked periods: %q", s)
	}
	j.Page("admin-blocked")
	j.Click("open again", `button[data-open="`+block.AddDays(1).String()+`"]`)
	j.Do("opened", chromedp.WaitVisible(chromedp.CSS("#saved")))
	if n := evalString(j, "blocked days", `String(document.querySelectorAll("#blocked li").length)`); n != "1" {
		t.Fatalf("%s closed days after opening one of two", n)
	}
	j.Fill("bad hours", map[string][]string{"hours-6": {"18:00-10:00"}})
	j.Click("bad hours", "#save")
	if s := j.Text("#error"); !strings.Contains(s, "16:00-22:00") {
		t.Fatalf("bad hours: %q", s)
	}
	j.Page("admin-error")
	j.Fill("hours", map[string][]string{"hours-6": {"10:00-14:00"}, "price": {"650"}})
	j.Click("hours", "#save")
	j.Do("saved", chromedp.WaitVisible(chromedp.CSS("#saved")))
	if h, _ := app.Bookings.Resource(context.Background(), "storhallen"); h.Price != money.Kroner(650) || len(h.Hours[time.Saturday]) != 1 || h.Hours[time.Saturday][0].From != booking.At(10, 0) {
		t.Fatalf("hall after saving: %+v", h)
	}
	j.Open("blocked week", "/hall/storhallen?uke="+block.String())
	if s := j.Text("main"); !strings.Contains(s, "Stengt: Håndballturnering") {
		t.Fatalf("calendar of the blocked day: %q", s)
	}
	j.Page("calendar-blocked")

	// The admin adds a hall; it is bookable at once.
	j.Open("admin", "/admin")
	j.Fill("new hall", map[string][]string{"name": {"  "}})
	j.Click("new hall", "#add-hall")
	if s := j.Text("#error"); !strings.Contains(s, "navn") {
		t.Fatalf("a hall without a name: %q", s)
	}
	j.Page("admin-new-error")
	j.Fill("new hall", map[string][]string{"name": {"Gymsal, Nordbyen skole"}})
	j.Click("new hall", "#add-hall")
	j.Do("added", chromedp.WaitVisible(chromedp.CSS("#saved")))
	if p := j.Path(); p != "/admin/hall/gymsal-nordbyen-skole" {
		t.Fatalf("new hall at %s", p)
	}
	// It opens on weekdays: from a Sunday evening, or a week of holidays,
	// the first free slot is in a week to come.
	j.Open("start with the new hall", "/")
	j.Click("new hall", "#hall-gymsal-nordbyen-skole")
	j.Page("calendar-new-hall")
	freeWeek(j, "gymsal-nordbyen-skole", dayAhead(app, 0), "button[data-start]")
	for _, u := range fakes(app.Externals.Fakes).Users {
		if strings.Contains(logs.String(), u.PID.Reveal()) {
			t.Errorf("the logs hold %s's fødselsnummer", u.Name)
		}
	}
}

// race books the same last slot from two browsers at once: a hook holds
// both requests at a barrier and releases them together; exactly one gets
// the booking and the other a clear message.
func race(t *testing.T, app *App, a *sitetest.Journey, base, dir string, logs *sitetest.Logs) *sitetest.Journey {
	var other string
	for _, u := range fakes(app.Externals.Fakes).Users {
		if u.Role == "citizen" && u.Name != "Sigrid Haugland" {
			other = u.Name
			break
		}
	}
	b := sitetest.NewJourney(t, base, dir, logs)
	b.Prefix = "b-"
	b.Open("calendar", "/hall/storhallen?lang=nb")
	b.Click("login", "#login")
	b.Login(other)

	path := freeWeek(a, "storhallen", dayAhead(app, 28), "button[data-start]")
	b.Open("week", path)
	start := sitetest.Get(a, "slot", chromedp.Evaluate[string](`document.querySelector("button[data-start]").dataset.start`))
	sel := `button[data-start="` + start + `"]`

	var mu sync.Mutex
	arrived, release := 0, make(chan struct{})
	hook := func() {
		mu.Lock()
		arrived++
		if arrived == 2 {
			close(release)
		}
		mu.Unlock()
		select {
		case <-release:
		case <-time.After(30 * time.Second):
		}
	}
	app.beforeHold.Store(&hook)
	defer app.beforeHold.Store(nil)

	a.Stale("race a")
	b.Stale("race b")
	errs := make(chan error, 2)
	for _, j := range []*sitetest.Journey{a, b} {
		go func() {
			ctx, cancel := context.WithTimeout(j.Ctx, 30*time.Second)
			defer cancel()
			errs <- chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	a.WaitLoad("race a")
	b.WaitLoad("race b")
	mu.Lock()
	if arrived != 2 {
		t.Fatalf("%d requests reached the barrier", arrived)
	}
	mu.Unlock()

	won := 0
	for _, j := range []*sitetest.Journey{a, b} {
		if strings.HasPrefix(j.Path(), "/booking/") {
			won++
			j.Page("race-won")
			continue
		}
		if msg := j.Text("#error"); !strings.Contains(msg, "Noen andre booket denne timen akkurat nå") {
			t.Fatalf("the loser sees %q", msg)
		}
		j.Page("race-lost")
	}
	if won != 1 {
		t.Fatalf("%d browsers got the slot", won)
	}
	rs, err := app.Bookings.Reservations(context.Background(), booking.Query{ResourceID: "storhallen", ActiveAt: app.Config.Now()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rs {
		if r.Start.UTC().Format(time.RFC3339) == start {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d reservations of the slot", n)
	}
	return b
}
