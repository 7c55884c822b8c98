package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/internal/browsertest"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
)

// syncBuffer collects the service's logs, to check them for personal numbers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startApp runs the service in process on a free port, with every external
// service faked, as `go run` does.
func startApp(t *testing.T, databaseURL string) (*App, string, *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := New(ctx, Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: func(string) string { return "" },
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler}
	go srv.Serve(ln)
	go app.Run(ctx)
	t.Cleanup(func() {
		cancel()
		srv.Close()
		app.Close()
	})
	return app, public, logs
}

type journey struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	n    int
}

func (j *journey) shot(name string) {
	buf, err := chromedp.Run(j.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		j.t.Logf("screenshot %s: %v", name, err)
		return
	}
	j.n++
	os.WriteFile(filepath.Join(j.dir, fmt.Sprintf("%02d-%s.png", j.n, name)), buf, 0o644)
}

// do runs actions; on failure it saves a screenshot and the page's text and
// stops the test.
func (j *journey) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	ctx, cancel := context.WithTimeout(j.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		j.failed(step, err)
	}
}

func (j *journey) failed(step string, err error) {
	j.t.Helper()
	j.shot("FAILED-" + step)
	loc, _ := chromedp.Run(j.ctx, chromedp.Location())
	text, _ := chromedp.Run(j.ctx, chromedp.Text(chromedp.CSS("body")))
	j.t.Fatalf("%s: %v\nat %s\n%s\nscreenshots in %s", step, err, loc, text, j.dir)
}

// get runs one action that returns a value.
func get[T any](j *journey, step string, a chromedp.Action[T]) T {
	j.t.Helper()
	ctx, cancel := context.WithTimeout(j.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		j.failed(step, err)
	}
	return v
}

// page checks the page it is on with axe-core and saves a screenshot.
func (j *journey) page(name string) {
	j.t.Helper()
	j.shot(name)
	browsertest.Axe(j.t, j.ctx)
	if j.t.Failed() {
		j.t.Fatalf("axe on %s (screenshots in %s)", name, j.dir)
	}
}

// click clicks sel and waits for the next page to load.
func click[S chromedp.Selectable](j *journey, step string, sel S) {
	j.t.Helper()
	get(j, step, chromedp.Evaluate[bool](`window.__stale = true`))
	j.do(step, chromedp.Click(sel, chromedp.NodeVisible))
	j.waitLoad(step)
}

// waitLoad waits until a new document has replaced the one marked stale and
// has loaded; evaluations fail while the navigation swaps the documents.
func (j *journey) waitLoad(step string) {
	j.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](`!window.__stale && document.readyState === "complete"`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			j.failed(step+": waiting for the next page", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// click clicks the element of a CSS selector and waits for the next page.
func (j *journey) click(step, css string) {
	j.t.Helper()
	click(j, step, chromedp.CSS(css))
}

func (j *journey) open(step, path string) {
	j.t.Helper()
	j.do(step, chromedp.Navigate(j.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// fill sets form fields by name, as a person types and clicks: text values,
// the chosen option of a select, the checked boxes of radios and checkboxes.
func (j *journey) fill(step string, values map[string][]string) {
	j.t.Helper()
	b, _ := json.Marshal(values)
	missing := get(j, step, chromedp.Evaluate[[]string](`(() => { const v = `+string(b)+`; const missing = [];
for (const [name, vals] of Object.entries(v)) {
  const els = document.getElementsByName(name);
  if (!els.length) { missing.push(name); continue; }
  for (const el of els) {
    if (el.type === "radio" || el.type === "checkbox") el.checked = vals.includes(el.value);
    else el.value = vals[0];
  }
}
return missing; })()`))
	if len(missing) > 0 {
		j.t.Fatalf("%s: no fields %v", step, missing)
	}
}

func (j *journey) path() string {
	return get(j, "location", chromedp.Evaluate[string](`location.pathname`))
}

func (j *journey) text(sel string) string {
	return get(j, "text "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// formPage fills one page of the application and continues until the next
// page shows; an answer that reveals more fields shows them on the same page
// first (without JavaScript), and they are filled the second time round.
func (j *journey) formPage(page string, values map[string][]string) {
	j.t.Helper()
	for range 3 {
		j.fill("fill "+page, values)
		j.click("continue "+page, `button[value="continue"]`)
		if !strings.HasSuffix(j.path(), "/"+page) {
			return
		}
	}
	j.shot("stuck-" + page)
	j.t.Fatalf("page %s does not go on: %s", page, j.text("main"))
}

// login picks a test person on the fake ID-porten's or Ansattporten's page.
func (j *journey) login(name string) {
	j.t.Helper()
	j.do("picker", chromedp.WaitVisible(chromedp.CSS(`input[name="pid"]`)))
	j.page("login-picker")
	j.do("pick "+name, chromedp.Click(`//label[contains(., "`+name+`")]/input`))
	click(j, "log in", `//button[@type="submit" and not(@name)]`)
}

// logout posts the header's logout button and follows the provider's
// logout page back to the service.
func (j *journey) logout(action string) {
	j.t.Helper()
	j.click("logout", `form[action="`+action+`"] button`)
	for range 3 {
		loggedOut := get(j, "after logout", chromedp.Evaluate[bool](`location.search.includes("loggedout")`))
		if loggedOut {
			j.page("logged-out")
			return
		}
		j.page("provider-logout")
		j.click("continue after logout", `a`)
	}
	j.t.Fatalf("logout did not come back: %s", j.path())
}

func (j *journey) fetch(path string) (int, []byte) {
	j.t.Helper()
	type result struct {
		Status int
		Body   string
	}
	res := get(j, "fetch "+path, chromedp.Evaluate[result](`fetch(`+fmt.Sprintf("%q", path)+`, {credentials: "same-origin"}).then(async r => {
  const b = new Uint8Array(await r.arrayBuffer()); let s = ""; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
  return {Status: r.status, Body: btoa(s)}; })`, chromedp.EvalAwaitPromise))
	b, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil {
		j.t.Fatal(err)
	}
	return res.Status, b
}

// TestJourney runs the whole service in a browser: the citizen applies,
// pays (a rejected payment first), books the inspection; the officer
// decides; the letter shows on Min side; the Noark 5 extract verifies; both
// log out. axe-core checks every page.
func TestJourney(t *testing.T) {
	runJourney(t, "")
}

// TestJourneyPostgres runs the journey with every store in PostgreSQL.
func TestJourneyPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser journey is long")
	}
	runJourney(t, postgrestest.URL(t))
}

func runJourney(t *testing.T, databaseURL string) {
	ctx := browsertest.New(t)
	app, base, logs := startApp(t, databaseURL)
	// Screenshots go to the test's temp dir, or to GRUNNMUR_E2E_SCREENSHOTS
	// to keep them after the test.
	dir := os.Getenv("GRUNNMUR_E2E_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	j := &journey{t: t, ctx: ctx, base: base, dir: dir}
	t.Cleanup(func() {
		if t.Failed() {
			os.WriteFile(filepath.Join(j.dir, "service.log"), []byte(logs.String()), 0o644)
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
					t.Log(line)
				}
			}
			t.Logf("screenshots in %s (set GRUNNMUR_E2E_SCREENSHOTS to keep them)", j.dir)
		}
	})
	pdfPath := filepath.Join(t.TempDir(), "attest.pdf")
	os.WriteFile(pdfPath, []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), 0o644)

	// Start page, in nynorsk and back.
	j.open("start", "/?lang=nn")
	if h := j.text("h1"); !strings.Contains(h, "skjenkeløyve") {
		t.Fatalf("nynorsk start page: %q", h)
	}
	j.page("start-nn")
	j.open("start", "/?lang=nb")
	j.page("start")

	// Login at substantial, as the applicant's daglig leder.
	j.click("start", "#start")
	j.login("Sigrid Haugland")
	j.do("org page", chromedp.WaitVisible(chromedp.CSS("#orgnr")))
	j.page("org")

	// A deleted company is refused with a clear message.
	j.do("deleted orgnr", chromedp.SendKeys(chromedp.CSS("#orgnr"), registrytest.DeletedOrgnr))
	j.click("deleted orgnr", `main button[type="submit"]`)
	if msg := j.text("#orgnr-error"); !strings.Contains(msg, "slettet") {
		t.Fatalf("deleted company: %q", msg)
	}
	j.page("org-deleted")
	j.do("unknown orgnr", chromedp.SetValue(chromedp.CSS("#orgnr"), registrytest.NeverExistedOrgnr))
	j.click("unknown orgnr", `main button[type="submit"]`)
	if msg := j.text("#orgnr-error"); !strings.Contains(msg, "finner ingen") {
		t.Fatalf("unknown company: %q", msg)
	}
	j.do("orgnr", chromedp.SetValue(chromedp.CSS("#orgnr"), registrytest.ApplicantOrgnr))
	j.click("orgnr", `main button[type="submit"]`)

	// The form: the company's name comes from Enhetsregisteret.
	navn := get(j, "soker", chromedp.Value(chromedp.CSS(`[name="/soker/navn"]`)))
	if !strings.Contains(navn, "SESAM") {
		t.Fatalf("name from Enhetsregisteret: %q", navn)
	}
	j.page("form-soker")
	soker := map[string][]string{
		"/soker/kontakt/navn": {"Sigrid Haugland"}, "/soker/kontakt/epost": {"sigrid@"},
		"/soker/kontakt/telefon": {"91234567"}, "/soker/annenFakturaadresse": {"nei"},
	}
	// One validation error, then corrected.
	j.fill("soker with an error", soker)
	j.click("continue with an error", `button[value="continue"]`)
	j.do("error summary", chromedp.WaitVisible(chromedp.CSS(".ds-error-summary")))
	j.page("form-soker-error")
	soker["/soker/kontakt/epost"] = []string{"sigrid@sesam.example"}
	j.formPage("soker", soker)
	j.page("form-skjenkested")
	j.formPage("skjenkested", map[string][]string{
		"/skjenkested/navn": {"Sesam Storgata"}, "/skjenkested/adresse/adresse": {"Storgata 12B"},
		"/skjenkested/adresse/postnummer": {"0155"}, "/skjenkested/adresse/poststed": {"Oslo"},
		"/skjenkested/type": {"restaurant"}, "/skjenkested/arealInne": {"120"}, "/skjenkested/maksGjester": {"80"},
		"/skjenkested/uteservering": {"nei"},
	})
	j.page("form-bevilling")
	bevilling := map[string][]string{"/bevilling/type": {"alminnelig"}, "/bevilling/alkoholgrupper": {"1", "2"}}
	j.fill("bevilling", bevilling)
	j.click("add a row", `button[name="_add"]`)
	bevilling["/bevilling/skjenketider/0/dag"] = []string{"fredag"}
	bevilling["/bevilling/skjenketider/0/fra"] = []string{"11:00"}
	bevilling["/bevilling/skjenketider/0/til"] = []string{"23:00"}
	bevilling["/bevilling/fraDato~day"] = []string{"1"}
	bevilling["/bevilling/fraDato~month"] = []string{"3"}
	bevilling["/bevilling/fraDato~year"] = []string{"2027"}
	bevilling["/bevilling/forventetOmsetning"] = []string{"1250000"}
	j.formPage("bevilling", bevilling)
	j.page("form-personer")
	j.formPage("personer", map[string][]string{
		"/styrer/navn": {"Ola Bakken"}, "/styrer/fodselsnummer": {"20036914700"}, "/styrer/telefon": {"41234567"},
		"/styrer/epost": {"ola@sesam.example"}, "/styrer/kunnskapsproveBestatt": {"ja"},
		"/stedfortreder/navn": {"Per Tenor"}, "/stedfortreder/fodselsnummer": {"03851598730"}, "/stedfortreder/telefon": {"98765432"},
		"/stedfortreder/epost": {"per@sesam.example"}, "/stedfortreder/kunnskapsproveBestatt": {"ja"},
	})
	j.page("form-dokumenter")
	for _, name := range []string{"/vedlegg/firmaattest", "/vedlegg/skatteattest", "/vedlegg/plantegning"} {
		j.do("upload "+name, chromedp.SetUploadFiles(chromedp.CSS(`input[name="`+name+`"]`), []string{pdfPath}))
	}
	j.formPage("dokumenter", map[string][]string{"/kommentar": {"Vi åpner 1. mars."}})

	// Check the answers, then submit.
	if !strings.HasSuffix(j.path(), "/check") {
		t.Fatalf("not on the check page: %s", j.path())
	}
	j.page("check")
	j.click("submit", `button[value="submit"]`)
	j.do("receipt", chromedp.WaitVisible(chromedp.CSS("#to-payment")))
	j.page("receipt")
	j.click("to payment", "#to-payment")
	if s := j.text("#case-state"); !strings.Contains(s, "Venter på betaling") {
		t.Fatalf("case state before payment: %q", s)
	}
	j.page("case-unpaid")

	// Pay: rejected first (the case waits), then approved.
	j.click("pay", "#pay")
	j.do("vipps", chromedp.WaitVisible(chromedp.CSS("button.reject")))
	j.page("vipps-landing")
	j.click("reject", "button.reject")
	j.do("payment failed", chromedp.WaitVisible(chromedp.CSS("#pay-failed")))
	j.page("payment-failed")
	j.click("retry", "#pay")
	j.do("vipps again", chromedp.WaitVisible(chromedp.CSS("button.approve")))
	j.click("approve", "button.approve")
	j.do("paid", chromedp.WaitVisible(chromedp.CSS("#pay-done")))
	if s := j.text("#case-state"); !strings.Contains(s, "Under behandling") {
		t.Fatalf("case state after payment: %q", s)
	}
	j.page("paid")

	// Book the inspection: a hold, then the confirmation, and the .ics.
	j.click("book", "#book")
	j.page("booking")
	j.do("choose slot", chromedp.Click(chromedp.CSS("#slot-0")))
	j.click("hold", "#hold")
	if s := j.text("#hold-text"); !strings.Contains(s, "holdt av") {
		t.Fatalf("hold: %q", s)
	}
	j.page("hold")
	j.click("confirm", "#confirm")
	j.do("booked", chromedp.WaitVisible(chromedp.CSS("#booking")))
	if s := j.text("#booking"); !strings.Contains(s, "Bekreftet") {
		t.Fatalf("booking: %q", s)
	}
	j.page("booked")
	icsHref := get(j, "ics link", chromedp.AttributeValue(chromedp.CSS("#ics"), "href")).Value
	if status, ics := j.fetch(icsHref); status != 200 || !bytes.Contains(ics, []byte("BEGIN:VCALENDAR")) || !bytes.Contains(ics, []byte("BEGIN:VEVENT")) {
		t.Fatalf(".ics: %d %s", status, ics)
	}

	// Min side lists the application, the payments and the booking.
	j.open("min side", "/min-side")
	j.do("min side", chromedp.WaitVisible(chromedp.CSS("#cases")), chromedp.WaitVisible(chromedp.CSS("#payments")), chromedp.WaitVisible(chromedp.CSS("#bookings")))
	if s := j.text("#payments"); !strings.Contains(s, "Avbrutt") || !strings.Contains(s, "Betalt") {
		t.Errorf("payments on Min side: %q", s)
	}
	j.page("min-side")
	j.logout("/auth/logout")
	// Logged out for real: Min side asks for a login again.
	j.open("min side after logout", "/min-side")
	j.do("login again", chromedp.WaitVisible(chromedp.CSS(`input[name="pid"]`)))

	// The case officer, through Ansattporten.
	j.open("officer", "/ansatt")
	j.login(app.Fakes.Officer.Name)
	j.do("officer list", chromedp.WaitVisible(chromedp.CSS("#cases")))
	j.page("officer-cases")
	j.click("open case", "#cases a")
	j.page("officer-case")
	j.do("decide", chromedp.Click(chromedp.CSS("#outcome-approved")), chromedp.SendKeys(chromedp.CSS("#note"), "Alle vilkår er oppfylt."))
	j.click("decide", "#decide")
	if s := j.text("#case-state"); !strings.Contains(s, "Innvilget") {
		t.Fatalf("decision: %q", s)
	}
	j.page("officer-decided")

	// The letter reaches SvarUT.
	deadline := time.Now().Add(30 * time.Second)
	for {
		j.open("officer case", j.path())
		if s := j.text("#letter-state"); strings.Contains(s, "MOTTATT") || strings.Contains(s, "AKSEPTERT") || strings.Contains(s, "VARSLET") || strings.Contains(s, "LEST") || strings.Contains(s, "PRINTET") || strings.Contains(s, "SENDT") {
			break
		}
		if time.Now().After(deadline) {
			cs, _ := app.sak.List(context.Background(), sak.Filter{})
			for _, c := range cs {
				t.Logf("case %s %s links %+v", c.Number(), c.State, c.Links)
			}
			t.Fatalf("letter never sent: %s", j.text("#letter-state"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	j.page("officer-letter-sent")

	// The Noark 5 extract, downloaded and verified.
	j.open("officer list", "/ansatt")
	extractHref := get(j, "extract link", chromedp.AttributeValue(chromedp.CSS("#extract"), "href")).Value
	status, zipped := j.fetch(extractHref)
	if status != 200 {
		t.Fatalf("extract: %d %s", status, zipped)
	}
	extractDir := t.TempDir()
	unzip(t, zipped, extractDir)
	report, err := archive.Verify(extractDir)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() {
		t.Fatalf("extract does not verify: %+v", report)
	}
	j.logout("/ansatt/auth/logout")

	// The citizen sees the letter on Min side.
	j.open("min side", "/min-side")
	j.login("Sigrid Haugland")
	j.do("letters", chromedp.WaitVisible(chromedp.CSS("#letters")))
	if s := j.text("#letters"); !strings.Contains(s, "Vedtak") {
		t.Fatalf("letters on Min side: %q", s)
	}
	j.page("min-side-letter")

	// Front-channel logout: the person logs out at another service, ID-porten
	// ends the SSO session and tells this service, which ends its session.
	sigrid := registrytest.Persons()[registrytest.SigridHaugland].FNR
	sids := app.Fakes.Env.IDPorten.SessionIDs(idportentest.IDPorten, sigrid)
	if len(sids) != 1 || !app.Fakes.Env.IDPorten.EndSession(context.Background(), idportentest.IDPorten, sids[0]) {
		t.Fatalf("SSO sessions: %v", sids)
	}
	j.open("min side after front-channel logout", "/min-side")
	j.do("logged out by the front channel", chromedp.WaitVisible(chromedp.CSS(`input[name="pid"]`)))
	j.page("front-channel-logged-out")

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

func unzip(t *testing.T, b []byte, dir string) {
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
}
