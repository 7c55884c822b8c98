package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/site/sitetest"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
)

// startApp runs the service in process on a free port, with every external
// service faked, as `go run` does, on the clock now.
func startApp(t *testing.T, databaseURL string, now func() time.Time) (*App, string, *sitetest.Logs) {
	t.Helper()
	return sitetest.StartSite(t, databaseURL, now, New)
}

// pinned is the clock of the tests that are not about a date: it starts on
// a Sunday at 23:30, where CI once failed, and moves on.
func pinned(t *testing.T) func() time.Time { return sitetest.ClockAt(t, sitetest.Edges()[0].At) }

// formPage fills one page of the application and continues until the next
// page shows; an answer that reveals more fields shows them on the same page
// first (without JavaScript), and they are filled the second time round.
func formPage(j *sitetest.Journey, page string, values map[string][]string) {
	j.T.Helper()
	for range 3 {
		j.Fill("fill "+page, values)
		j.Click("continue "+page, `button[value="continue"]`)
		if !strings.HasSuffix(j.Path(), "/"+page) {
			return
		}
	}
	j.Shot("stuck-" + page)
	j.T.Fatalf("page %s does not go on: %s", page, j.Text("main"))
}

// TestJourney runs the whole service in a browser: the citizen applies,
// pays (a rejected payment first), books the inspection; the officer
// decides; the letter shows on Min side; the Noark 5 extract verifies; both
// log out. axe-core checks every page. The clock starts on a Sunday at
// 23:30 (sitetest.Edges).
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
	// Earlier applications, a page of them, so that the officer's list
	// has a second page.
	for i := range casesPerPage {
		if _, err := app.Cases.Open(context.Background(), sak.Application{Kind: kind, Title: "Søknad om skjenkebevilling", Owner: fmt.Sprintf("earlier-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	j := sitetest.NewJourney(t, base, sitetest.ScreenshotDir(t), logs)
	pdfPath := filepath.Join(t.TempDir(), "attest.pdf")
	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	os.WriteFile(pdfPath, pdf, 0o644)

	// Start page, in nynorsk and back.
	j.Open("start", "/?lang=nn")
	if h := j.Text("h1"); !strings.Contains(h, "skjenkeløyve") {
		t.Fatalf("nynorsk start page: %q", h)
	}
	j.Page("start-nn")
	j.Open("not found", "/finnes-ikke")
	j.Page("not-found-nn")
	j.Open("start", "/?lang=nb")
	j.Page("start")

	// Login at substantial, as the applicant's daglig leder.
	j.Click("start", "#start")
	j.Login("Sigrid Haugland")
	j.Do("org page", chromedp.WaitVisible(chromedp.CSS("#orgnr")))
	j.Page("org")

	// A deleted company is refused with a clear message.
	j.Do("deleted orgnr", chromedp.SendKeys(chromedp.CSS("#orgnr"), registrytest.DeletedOrgnr))
	j.Click("deleted orgnr", `main button[type="submit"]`)
	if msg := j.Text("#orgnr-error"); !strings.Contains(msg, "slettet") {
		t.Fatalf("deleted company: %q", msg)
	}
	j.Page("org-deleted")
	j.Do("unknown orgnr", chromedp.SetValue(chromedp.CSS("#orgnr"), registrytest.NeverExistedOrgnr))
	j.Click("unknown orgnr", `main button[type="submit"]`)
	if msg := j.Text("#orgnr-error"); !strings.Contains(msg, "finner ingen") {
		t.Fatalf("unknown company: %q", msg)
	}
	j.Do("orgnr", chromedp.SetValue(chromedp.CSS("#orgnr"), registrytest.ApplicantOrgnr))
	j.Click("orgnr", `main button[type="submit"]`)

	// The form: the company's name comes from Enhetsregisteret.
	navn := sitetest.Get(j, "soker", chromedp.Value(chromedp.CSS(`[name="/soker/navn"]`)))
	if !strings.Contains(navn, "SESAM") {
		t.Fatalf("name from Enhetsregisteret: %q", navn)
	}
	j.Page("form-soker")
	soker := map[string][]string{
		"/soker/kontakt/navn": {"Sigrid Haugland"}, "/soker/kontakt/epost": {"sigrid@"},
		"/soker/kontakt/telefon": {"91234567"}, "/soker/annenFakturaadresse": {"nei"},
	}
	// One validation error, then corrected.
	j.Fill("soker with an error", soker)
	j.Click("continue with an error", `button[value="continue"]`)
	j.Do("error summary", chromedp.WaitVisible(chromedp.CSS(".ds-error-summary")))
	j.Page("form-soker-error")
	soker["/soker/kontakt/epost"] = []string{"sigrid@sesam.example"}
	formPage(j, "soker", soker)
	j.Page("form-skjenkested")
	formPage(j, "skjenkested", map[string][]string{
		"/skjenkested/navn": {"Sesam Storgata"}, "/skjenkested/adresse/adresse": {"Storgata 12B"},
		"/skjenkested/adresse/postnummer": {"0155"}, "/skjenkested/adresse/poststed": {"Oslo"},
		"/skjenkested/type": {"restaurant"}, "/skjenkested/arealInne": {"120"}, "/skjenkested/maksGjester": {"80"},
		"/skjenkested/uteservering": {"nei"},
	})
	j.Page("form-bevilling")
	bevilling := map[string][]string{"/bevilling/type": {"alminnelig"}, "/bevilling/alkoholgrupper": {"1", "2"}}
	j.Fill("bevilling", bevilling)
	j.Click("add a row", `button[name="_add"]`)
	bevilling["/bevilling/skjenketider/0/dag"] = []string{"fredag"}
	bevilling["/bevilling/skjenketider/0/fra"] = []string{"11:00"}
	bevilling["/bevilling/skjenketider/0/til"] = []string{"23:00"}
	// The licence starts on the first of a month three months ahead.
	y, m, _ := app.Config.Now().In(civil.Oslo).Date()
	from := time.Date(y, m+3, 1, 12, 0, 0, 0, civil.Oslo)
	bevilling["/bevilling/fraDato~day"] = []string{"1"}
	bevilling["/bevilling/fraDato~month"] = []string{strconv.Itoa(int(from.Month()))}
	bevilling["/bevilling/fraDato~year"] = []string{strconv.Itoa(from.Year())}
	bevilling["/bevilling/forventetOmsetning"] = []string{"1250000"}
	formPage(j, "bevilling", bevilling)
	j.Page("form-personer")
	formPage(j, "personer", map[string][]string{
		"/styrer/navn": {"Ola Bakken"}, "/styrer/fodselsnummer": {"20036914700"}, "/styrer/telefon": {"41234567"},
		"/styrer/epost": {"ola@sesam.example"}, "/styrer/kunnskapsproveBestatt": {"ja"},
		"/stedfortreder/navn": {"Per Tenor"}, "/stedfortreder/fodselsnummer": {"03851598730"}, "/stedfortreder/telefon": {"98765432"},
		"/stedfortreder/epost": {"per@sesam.example"}, "/stedfortreder/kunnskapsproveBestatt": {"ja"},
	})
	j.Page("form-dokumenter")
	for _, name := range []string{"/vedlegg/firmaattest", "/vedlegg/skatteattest", "/vedlegg/plantegning"} {
		j.Do("upload "+name, chromedp.SetUploadFiles(chromedp.CSS(`input[name="`+name+`"]`), []string{pdfPath}))
	}
	formPage(j, "dokumenter", map[string][]string{"/kommentar": {"Vi åpner 1. mars."}})

	// Check the answers, then submit.
	if !strings.HasSuffix(j.Path(), "/check") {
		t.Fatalf("not on the check page: %s", j.Path())
	}
	j.Page("check")
	j.Click("submit", `button[value="submit"]`)
	j.Do("receipt", chromedp.WaitVisible(chromedp.CSS("#to-payment")))
	j.Page("receipt")
	j.Click("to payment", "#to-payment")
	if s := j.Text("#case-state"); !strings.Contains(s, "Venter på betaling") {
		t.Fatalf("case state before payment: %q", s)
	}
	j.Page("case-unpaid")
	// The receipt went to Sigrid's e-mail in KRR through (the fake) Altinn
	// Notifications; the payment reminder waits 3 days on its condition.
	caseID := strings.TrimPrefix(j.Path(), "/sak/")
	if !delivered(app, caseID+"/kvittering", "email", "sigrid.haugland@example.no") {
		t.Errorf("no receipt delivered: %+v", fakes(app.Fakes).Notifications.Delivered())
	}
	if r, err := app.Notify.Get(context.Background(), caseID+"/betaling"); err != nil || r.Status != notify.Queued || r.Condition != "unpaid" {
		t.Errorf("the payment reminder: %+v %v", r, err)
	}

	// Pay: rejected first (the case waits), then approved.
	j.Click("pay", "#pay")
	j.Do("vipps", chromedp.WaitVisible(chromedp.CSS("button.reject")))
	j.Page("vipps-landing")
	j.Click("reject", "button.reject")
	j.Do("payment failed", chromedp.WaitVisible(chromedp.CSS("#pay-failed")))
	j.Page("payment-failed")
	j.Click("retry", "#pay")
	j.Do("vipps again", chromedp.WaitVisible(chromedp.CSS("button.approve")))
	j.Click("approve", "button.approve")
	j.Do("paid", chromedp.WaitVisible(chromedp.CSS("#pay-done")))
	if s := j.Text("#case-state"); !strings.Contains(s, "Under behandling") {
		t.Fatalf("case state after payment: %q", s)
	}
	j.Page("paid")

	// Book the inspection: a hold, then the confirmation, and the .ics.
	j.Click("book", "#book")
	j.Page("booking")
	j.Do("choose slot", chromedp.Click(chromedp.CSS("#slot-0")))
	j.Click("hold", "#hold")
	if s := j.Text("#hold-text"); !strings.Contains(s, "holdt av") {
		t.Fatalf("hold: %q", s)
	}
	j.Page("hold")
	j.Click("confirm", "#confirm")
	j.Do("booked", chromedp.WaitVisible(chromedp.CSS("#booking")))
	if s := j.Text("#booking"); !strings.Contains(s, "Bekreftet") {
		t.Fatalf("booking: %q", s)
	}
	j.Page("booked")
	icsHref := sitetest.Get(j, "ics link", chromedp.AttributeValue(chromedp.CSS("#ics"), "href")).Value
	if status, ics := j.Fetch(icsHref); status != 200 || !bytes.Contains(ics, []byte("BEGIN:VCALENDAR")) || !bytes.Contains(ics, []byte("BEGIN:VEVENT")) {
		t.Fatalf(".ics: %d %s", status, ics)
	}

	// Min side lists the application, the payments and the booking.
	j.Open("min side", "/min-side")
	j.Do("min side", chromedp.WaitVisible(chromedp.CSS("#cases")), chromedp.WaitVisible(chromedp.CSS("#payments")), chromedp.WaitVisible(chromedp.CSS("#bookings")))
	if s := j.Text("#payments"); !strings.Contains(s, "Avbrutt") || !strings.Contains(s, "Betalt") {
		t.Errorf("payments on Min side: %q", s)
	}
	j.Page("min-side")
	// Sigrid chooses SMS for her notifications.
	j.Do("choose sms", chromedp.Click(chromedp.CSS("#kanal-sms")))
	j.Click("save the choice", "#varsling-save")
	j.Do("choice saved", chromedp.WaitVisible(chromedp.CSS("#varsling-saved")))
	j.Page("min-side-varsling")
	owner, _ := app.OwnerKeys.Key(forms.Owner{Person: registrytest.Persons()[registrytest.SigridHaugland].FNR})
	if ch, ok, err := app.Channels.Channel(context.Background(), owner); ch != notify.SMS || !ok || err != nil {
		t.Errorf("the stored choice: %q %v %v", ch, ok, err)
	}
	j.Logout("/auth/logout")
	// Logged out for real: Min side asks for a login again.
	j.Open("min side after logout", "/min-side")
	j.Do("login again", chromedp.WaitVisible(chromedp.CSS(`input[name="pid"]`)))

	// The case officer, through Ansattporten.
	j.Open("officer", "/ansatt")
	j.Login(app.Fakes.Officer.Name)
	j.Do("officer list", chromedp.WaitVisible(chromedp.CSS("#cases")))
	j.Page("officer-cases")
	j.Click("older cases", "#older")
	j.Do("older cases", chromedp.WaitVisible(chromedp.CSS("#newer")))
	j.Page("officer-cases-older")
	j.Click("newer cases", "#newer")
	j.Do("officer list again", chromedp.WaitVisible(chromedp.CSS("#older")))
	j.Click("open case", "#cases a")
	j.Page("officer-case")
	// The applicant's three attachments, each downloadable.
	hrefs := sitetest.Get(j, "attachment links", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#attachments a")].map(a => a.getAttribute("href"))`))
	if len(hrefs) != 3 {
		t.Fatalf("attachments on the officer's case page: %q", hrefs)
	}
	for _, h := range hrefs {
		if status, b := j.Fetch(h); status != 200 || !bytes.Equal(b, pdf) {
			t.Fatalf("officer downloads %s: %d, %d bytes", h, status, len(b))
		}
	}
	citizenAttachment := strings.TrimPrefix(hrefs[0], "/ansatt")
	// No outcome is chosen in advance; deciding without one shows an error.
	j.Click("decide without an outcome", "#decide")
	if s := j.Text("#outcome-error"); s != "Velg om søknaden skal innvilges eller avslås." {
		t.Fatalf("decision without an outcome: %q", s)
	}
	j.Page("officer-decide-error")
	j.Do("decide", chromedp.Click(chromedp.CSS("#outcome-approved")), chromedp.SendKeys(chromedp.CSS("#note"), "Alle vilkår er oppfylt."))
	j.Click("decide", "#decide")
	if s := j.Text("#case-state"); !strings.Contains(s, "Innvilget") {
		t.Fatalf("decision: %q", s)
	}
	j.Page("officer-decided")

	// The letter reaches SvarUT.
	deadline := time.Now().Add(30 * time.Second)
	for {
		j.Open("officer case", j.Path())
		if s := j.Text("#letter-state"); strings.Contains(s, "Mottatt av SvarUT") || strings.Contains(s, "Akseptert") || strings.Contains(s, "Mottaker varslet") || strings.Contains(s, "Lest") || strings.Contains(s, "Sendt") {
			break
		}
		if time.Now().After(deadline) {
			for c := range app.Cases.Cases(context.Background(), sak.Filter{}) {
				t.Logf("case %s %s links %+v", c.Number(), c.State, c.Links)
			}
			t.Fatalf("letter never sent: %s", j.Text("#letter-state"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	j.Page("officer-letter-sent")

	// The archive: the application and the decision letter journaled into
	// the sandbox's archive (with GRUNNMUR_TEST_AMQP_URL), the numbers on
	// the officer's page.
	if app.Archiver != nil {
		id := strings.TrimPrefix(j.Path(), "/ansatt/sak/")
		deadline = time.Now().Add(60 * time.Second)
		for {
			j.Open("officer case", j.Path())
			c, err := app.Cases.Get(context.Background(), system, id)
			if err != nil {
				t.Fatal(err)
			}
			done := c.ArchiveNumber() != "" && len(c.Journal) >= 2
			for _, e := range c.Journal {
				done = done && c.ArchiveEntryNumber(e) != ""
			}
			if done && j.Text("#archive-number") == c.ArchiveNumber() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("never journaled in the archive: %q, %+v", j.Text("#archive-number"), c.Archive)
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Logf("journaled in the archive as %s", j.Text("#archive-number"))
		j.Page("officer-archived")
	} else if s := j.Text("#archive-number"); !strings.Contains(s, "slått av") {
		t.Fatalf("journaling is off, yet the page says %q", s)
	}

	// The Noark 5 extract, downloaded and verified.
	j.Open("officer list", "/ansatt")
	extractHref := sitetest.Get(j, "extract link", chromedp.AttributeValue(chromedp.CSS("#extract"), "href")).Value
	status, zipped := j.Fetch(extractHref)
	if status != 200 {
		t.Fatalf("extract: %d %s", status, zipped)
	}
	extractDir := t.TempDir()
	// The files in the zip are dated by the service's clock.
	for _, f := range unzip(t, zipped, extractDir).File {
		if f.Modified.Before(at.Add(-time.Second)) || f.Modified.After(app.Config.Now()) {
			t.Fatalf("%s in the extract is dated %v, the clock started at %v", f.Name, f.Modified, at)
		}
	}
	report, err := archive.Verify(extractDir)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() {
		t.Fatalf("extract does not verify: %+v", report)
	}
	if !extractHolds(t, extractDir, pdf) {
		t.Fatal("the extract lacks the attachments")
	}
	j.Logout("/ansatt/auth/logout")

	// The notice of the decision went to the application's contact e-mail.
	if !delivered(app, caseID+"/vedtak", "email", "sigrid@sesam.example") {
		t.Errorf("no notice of the decision: %+v", fakes(app.Fakes).Notifications.Delivered())
	}

	// The citizen sees the letter on Min side.
	j.Open("min side", "/min-side")
	j.Login("Sigrid Haugland")
	j.Do("letters", chromedp.WaitVisible(chromedp.CSS("#letters")))
	if s := j.Text("#letters"); !strings.Contains(s, "Vedtak") {
		t.Fatalf("letters on Min side: %q", s)
	}
	j.Page("min-side-letter")

	// Front-channel logout: the person logs out at another service, ID-porten
	// ends the SSO session and tells this service, which ends its session.
	sigrid := registrytest.Persons()[registrytest.SigridHaugland].FNR
	sids := fakes(app.Fakes).IDPorten.SessionIDs(idportentest.IDPorten, sigrid)
	if len(sids) != 1 || !fakes(app.Fakes).IDPorten.EndSession(context.Background(), idportentest.IDPorten, sids[0]) {
		t.Fatalf("SSO sessions: %v", sids)
	}
	j.Open("min side after front-channel logout", "/min-side")
	j.Do("logged out by the front channel", chromedp.WaitVisible(chromedp.CSS(`input[name="pid"]`)))
	j.Page("front-channel-logged-out")

	// Another citizen cannot download the applicant's attachment: 404, as
	// for a file that does not exist.
	j.Login("Nils Fjeld")
	j.Do("min side as another citizen", chromedp.WaitVisible(chromedp.CSS("main")))
	if status, b := j.Fetch(citizenAttachment); status != 404 || bytes.Equal(b, pdf) {
		t.Fatalf("another citizen downloads %s: %d", citizenAttachment, status)
	}

	// No personal number reached the logs.
	for _, p := range append(registrytest.Persons(), registrytest.Person{FNR: app.Fakes.Officer.PID}) {
		if strings.Contains(logs.String(), p.FNR.Reveal()) {
			t.Errorf("the logs hold a personal number (%s)", p.FNR)
		}
	}
	for _, n := range []string{"20036914700", "03851598730"} {
		if strings.Contains(logs.String(), n) {
			t.Errorf("the logs hold a personal number from the form")
		}
	}
}

func unzip(t *testing.T, b []byte, dir string) *zip.Reader {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(p, dir) {
			t.Fatalf("zip entry outside: %s", f.Name)
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, _ := os.Create(p)
		io.Copy(out, rc)
		out.Close()
		rc.Close()
	}
	return zr
}

// delivered reports whether the fake Altinn Notifications delivered the
// notification key on channel to the address to.
func delivered(app *App, key, channel, to string) bool {
	n := fakes(app.Fakes).Notifications
	n.Process(context.Background())
	for _, d := range n.Delivered() {
		if d.SendersReference == key && d.Channel == channel && d.To == to {
			return true
		}
	}
	return false
}
