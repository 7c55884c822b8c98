package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// applyPaid submits an application as the flow does (venue and people
// named by the fields given, then changed by edit), and moves its case on
// as the fee's payment does. It returns the case.
func applyPaid(t *testing.T, app *App, fields map[string]string, edit ...func(owner string, d forms.Data)) *sak.Case {
	t.Helper()
	ctx := context.Background()
	sigrid := registrytest.Persons()[registrytest.SigridHaugland].FNR
	owner, err := app.OwnerKeys.Key(forms.Owner{Person: sigrid})
	if err != nil {
		t.Fatal(err)
	}
	v := func(k, def string) string {
		if s, ok := fields[k]; ok {
			// What the form input leaves of a post: valid UTF-8, no NUL.
			return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
		}
		return def
	}
	addr := func(k string) map[string]any {
		return map[string]any{"adresse": v(k, "Storgata 1"), "postnummer": "0155", "poststed": v(k+".poststed", "OSLO")}
	}
	data := forms.Data{
		"soker": map[string]any{"organisasjonsnummer": registrytest.ApplicantOrgnr, "navn": v("soker.navn", "SESAM AS"),
			"kontakt":             map[string]any{"navn": v("kontakt.navn", "Sigrid Haugland"), "epost": "sigrid@example.no", "telefon": "+4791234567"},
			"annenFakturaadresse": "ja", "fakturaadresse": addr("fakturaadresse")},
		"skjenkested": map[string]any{"navn": v("skjenkested.navn", "Bar Sesam"), "adresse": addr("skjenkested.adresse"),
			"type": "annet", "typeBeskrivelse": v("skjenkested.typeBeskrivelse", "Vinbar")},
		"bevilling": map[string]any{"type": "alminnelig", "skjenketider": []any{
			map[string]any{"dag": "fredag", "fra": v("fra", "18:00"), "til": v("til", "01:00")}}},
		"styrer":        map[string]any{"navn": v("styrer.navn", "Kari Styrer")},
		"stedfortreder": map[string]any{"navn": v("stedfortreder.navn", "Ola Stedfortreder")},
		"kommentar":     v("kommentar", "Ingen"),
	}
	for _, e := range edit {
		e(owner, data)
	}
	sub := &forms.Submission{ID: testID(), FormID: app.def.ID, FormVersion: app.def.Version, Owner: owner, Lang: "nb",
		SubmittedAt: app.Config.Now().UTC().Truncate(time.Second), Data: data}
	c, err := app.Cases.Transition(ctx, system, submit(t, app, sub).ID, sak.InProgress, "betalt")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// submit submits sub, as the Flow does when it is sent, and returns its
// case.
func submit(t *testing.T, app *App, sub *forms.Submission) *sak.Case {
	t.Helper()
	ctx := context.Background()
	if err := app.Forms.Submit(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := app.submitted(ctx, sub); err != nil {
		t.Fatal(err)
	}
	c, err := app.Cases.ByLink(ctx, sak.Actor{Role: sak.RoleApplicant, ID: sub.Owner}, sak.LinkSubmission, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// decide posts the officer's decision form on the case's page.
func decide(t *testing.T, officer *sitetest.Browser, base, id, outcome, note string) *http.Response {
	t.Helper()
	_, page := officer.Do("GET", base+"/ansatt/sak/"+id, nil)
	csrf := officer.CSRF(page)
	res, _ := officer.NoFollow("POST", base+"/ansatt/sak/"+id+"/vedtak", url.Values{"outcome": {outcome}, "note": {note}, "csrf_token": {csrf}})
	return res
}

// decidedWithLetter checks that the case is decided, its letter is in the
// SvarUT outbox and its outgoing journal entry is on the case.
func decidedWithLetter(t *testing.T, app *App, id string) {
	t.Helper()
	ctx := context.Background()
	c, err := app.Cases.Get(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != sak.Decided {
		t.Errorf("case %s is %s, want decided", c.Number(), c.State)
	}
	if _, err := app.Letters.Store.Get(ctx, "vedtak-"+id); err != nil {
		t.Errorf("case %s: no letter in the outbox: %v", c.Number(), err)
	}
	outgoing := 0
	for _, j := range c.Journal {
		if j.Type == sak.Outgoing {
			outgoing++
		}
	}
	if outgoing != 1 {
		t.Errorf("case %s: %d outgoing journal entries, want 1", c.Number(), outgoing)
	}
}

// extractOK downloads the officer's extract, unpacks it and verifies it
// (with xmllint too, when there is one); it returns the extract's folder.
func extractOK(t *testing.T, officer *sitetest.Browser, base string, wantCases int, path ...string) string {
	t.Helper()
	p := "/ansatt/uttrekk"
	if len(path) > 0 {
		p = path[0]
	}
	res, body := officer.Do("GET", base+p, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("GET /ansatt/uttrekk: %d %s %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	dir := t.TempDir()
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var b strings.Builder
		rep.WriteText(&b, 5)
		t.Errorf("the extract does not verify: %v\n%s", rep.Failed(), b.String())
	}
	st, err := os.ReadFile(filepath.Join(dir, archive.FileArkivstruktur))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(st, []byte("<mappe ")); n != wantCases {
		t.Errorf("the extract holds %d cases, want %d", n, wantCases)
	}
	xmllint(t, dir)
	return dir
}

// xmllint validates the extract's XML against the Noark 5 schemas the
// archive package ships, when xmllint is installed.
func xmllint(t *testing.T, dir string) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Log("no xmllint: the extract's XML is checked by archive.Verify only")
		return
	}
	xsds := t.TempDir()
	for _, name := range []string{"arkivstruktur.xsd", "metadatakatalog.xsd", "endringslogg.xsd", "loependeJournal.xsd", "offentligJournal.xsd", "addml.xsd"} {
		b, ok := archive.Schema(name)
		if !ok {
			t.Fatalf("no schema %s", name)
		}
		if err := os.WriteFile(filepath.Join(xsds, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for xml, xsd := range map[string]string{
		archive.FileArkivstruktur: "arkivstruktur.xsd", archive.FileEndringslogg: "endringslogg.xsd",
		archive.FileLoependeJournal: "loependeJournal.xsd", archive.FileOffentligJournal: "offentligJournal.xsd",
		archive.FileArkivuttrekk: "addml.xsd",
	} {
		if out, err := exec.Command(bin, "--noout", "--nonet", "--huge", "--schema", filepath.Join(xsds, xsd), filepath.Join(dir, xml)).CombinedOutput(); err != nil {
			t.Errorf("xmllint %s: %v\n%.4000s", xml, err, out)
		}
	}
}

// TestLetterDrawsAnyText is the reproduction of issue 15 § 2.1: a venue
// named "Bar 🍺" made the approval answer 500 after the case had moved to
// decided without a letter or an outgoing journal entry; approving again
// only redirected, and from then on the extract of all cases answered 500.
func TestLetterDrawsAnyText(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	plain := applyPaid(t, app, nil)
	beer := applyPaid(t, app, map[string]string{"skjenkested.navn": "Bar 🍺"})
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())
	for _, c := range []*sak.Case{plain, beer} {
		if res := decide(t, officer, base, c.ID, "approved", ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approving %s: %d", c.Number(), res.StatusCode)
		}
		decidedWithLetter(t, app, c.ID)
	}
	res, letter := officer.Do("GET", base+"/ansatt/sak/"+beer.ID+"/brev.pdf", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(letter, "%PDF-") {
		t.Fatalf("the letter: %d", res.StatusCode)
	}
	extractOK(t, officer, base, 2)
}

// TestDecisionIsAtomic: a decision whose letter cannot be made is not made.
// The officer sees why, the case stays in progress with no letter and no
// journal entry, and approving again works once the letter can be made. A
// decision recorded without its letter (the request died after the move)
// gets the letter when the officer approves again.
func TestDecisionIsAtomic(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	ctx := context.Background()
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())

	// The case's application cannot be read yet: no letter can be made.
	subID := testID()
	c, err := app.Cases.Open(ctx, sak.Application{Kind: kind, Title: "Søknad om skjenkebevilling – SESAM AS", Owner: "person:x",
		OnBehalfOf: registrytest.ApplicantOrgnr, Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: subID, Label: "Søknad"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Cases.Transition(ctx, system, c.ID, sak.InProgress, "betalt"); err != nil {
		t.Fatal(err)
	}
	_, page := officer.Do("GET", base+"/ansatt/sak/"+c.ID, nil)
	csrf := officer.CSRF(page)
	res, page := officer.Do("POST", base+"/ansatt/sak/"+c.ID+"/vedtak", url.Values{"outcome": {"approved"}, "csrf_token": {csrf}})
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(page, "Vedtaket ble ikke fattet") {
		t.Errorf("approving without a letter: %d, want 500 saying the decision was not made", res.StatusCode)
	}
	after, err := app.Cases.Get(ctx, system, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != sak.InProgress || len(after.Journal) != 0 || len(after.LinksOf(sak.LinkLetter)) != 0 {
		t.Fatalf("after a failed decision: %s, %d journal entries, letters %v", after.State, len(after.Journal), after.LinksOf(sak.LinkLetter))
	}
	if _, err := app.Letters.Store.Get(ctx, "vedtak-"+c.ID); err == nil {
		t.Error("a letter is in the outbox for a decision not made")
	}

	// Once the application is there, approving again decides the case and
	// sends its letter.
	sub := &forms.Submission{ID: subID, FormID: app.def.ID, FormVersion: app.def.Version, Owner: "person:x", Lang: "nb",
		SubmittedAt: app.Config.Now().UTC().Truncate(time.Second), Data: forms.Data{
			"soker":       map[string]any{"organisasjonsnummer": registrytest.ApplicantOrgnr, "navn": "SESAM AS"},
			"skjenkested": map[string]any{"navn": "Bar Sesam"}}}
	if err := app.Forms.Submit(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if res := decide(t, officer, base, c.ID, "approved", ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving again: %d", res.StatusCode)
	}
	decidedWithLetter(t, app, c.ID)

	// A decision recorded without its letter: approving again sends it,
	// once.
	c2 := applyPaid(t, app, nil)
	if _, err := app.Cases.Decide(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten:test"}, c2.ID, sak.Approved, ""); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if res := decide(t, officer, base, c2.ID, "approved", ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approving a decided case without a letter: %d", res.StatusCode)
		}
	}
	decidedWithLetter(t, app, c2.ID)
}

// TestExtractLeavesOutCases: a case whose attachment cannot be read is left
// out of the extract; the officer sees which case and why, and downloads
// the extract of the others, which verifies clean.
func TestExtractLeavesOutCases(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	ctx := context.Background()
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())
	plain := applyPaid(t, app, nil)
	var owner, fileID string
	broken := applyPaid(t, app, nil, func(o string, d forms.Data) {
		var err error
		owner = o
		if fileID, err = app.Files.Put(ctx, o, "firmaattest.pdf", "application/pdf", strings.NewReader("%PDF-1.7 firmaattest")); err != nil {
			t.Fatal(err)
		}
		d["vedlegg"] = map[string]any{"firmaattest": []any{map[string]any{"id": fileID, "name": "firmaattest.pdf", "contentType": "application/pdf", "size": json.Number("20")}}}
	})
	for _, c := range []*sak.Case{plain, broken} {
		if res := decide(t, officer, base, c.ID, "approved", ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approving %s: %d", c.Number(), res.StatusCode)
		}
	}
	if err := app.Files.Delete(ctx, owner, fileID); err != nil {
		t.Fatal(err)
	}

	res, page := officer.Do("GET", base+"/ansatt/uttrekk", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /ansatt/uttrekk with a case that cannot be written: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, `href="/ansatt/sak/`+broken.ID+`">`+broken.Number()+`</a>`) || !strings.Contains(page, "Et dokument i saken kunne ikke leses.") {
		t.Errorf("the page does not name %s and why: %s", broken.Number(), page)
	}
	if strings.Contains(page, plain.Number()+"</a>") {
		t.Errorf("the page names %s, which is in the extract", plain.Number())
	}
	href := sitetest.Match(t, `id="extract" href="([^"]+)"`, page)
	if href != "/ansatt/uttrekk?ufullstendig=1" {
		t.Fatalf("download link %q", href)
	}
	dir := extractOK(t, officer, base, 1, href)
	if st, _ := os.ReadFile(filepath.Join(dir, archive.FileArkivstruktur)); !bytes.Contains(st, []byte("<mappeID>"+plain.Number()+"</mappeID>")) {
		t.Errorf("the extract lacks %s", plain.Number())
	}
	// No browser journey reaches this page, so its HTML is checked here.
	t.Run("valid HTML", func(t *testing.T) {
		sitetest.ValidHTML(t, sitetest.Page{Name: "uttrekk-ufullstendig.html", HTML: []byte(page)})
	})
}

// TestFreeTextNeverFails puts each kind of awkward text (sitetest.Texts())
// into every free-text field of the application and the officer's reasons:
// the decision, its letter, the officer's and the applicant's pages, the
// receipt and the extract of them all must not fail. Answers arrive as the
// form input leaves them (no NUL, valid UTF-8); the reasons are posted raw.
// The letter's own handling of raw text is site's TestLetterText.
func TestFreeTextNeverFails(t *testing.T)         { testFreeTextNeverFails(t, "") }
func TestFreeTextNeverFailsPostgres(t *testing.T) { testFreeTextNeverFails(t, postgrestest.URL(t)) }

func testFreeTextNeverFails(t *testing.T, databaseURL string) {
	app, base, _ := startApp(t, databaseURL, pinned(t))
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())
	applicant := loginAt(t, base, "/min-side", registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	get := func(who *sitetest.Browser, path string) string {
		t.Helper()
		res, body := who.Do("GET", base+path, nil)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return body
	}
	for i, tc := range sitetest.Texts() {
		s := tc.Text
		fields := map[string]string{}
		for _, k := range []string{"soker.navn", "kontakt.navn", "fakturaadresse", "fakturaadresse.poststed", "skjenkested.navn",
			"skjenkested.adresse", "skjenkested.adresse.poststed", "skjenkested.typeBeskrivelse", "fra", "til",
			"styrer.navn", "stedfortreder.navn", "kommentar"} {
			fields[k] = s
		}
		c := applyPaid(t, app, fields)
		outcome := []string{"approved", "rejected"}[i%2]
		if res := decide(t, officer, base, c.ID, outcome, s); res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: deciding: %d", tc.Name, res.StatusCode)
			continue
		}
		decidedWithLetter(t, app, c.ID)
		get(officer, "/ansatt/sak/"+c.ID)
		if pdf := get(officer, "/ansatt/sak/"+c.ID+"/brev.pdf"); !strings.HasPrefix(pdf, "%PDF-") {
			t.Errorf("%s: the officer's letter is not a PDF", tc.Name)
		}
		get(applicant, "/sak/"+c.ID)
		if pdf := get(applicant, "/sak/"+c.ID+"/brev.pdf"); !strings.HasPrefix(pdf, "%PDF-") {
			t.Errorf("%s: the applicant's letter is not a PDF", tc.Name)
		}
		sub := c.LinksOf(sak.LinkSubmission)[0].Ref
		get(applicant, "/soknad/receipt/"+sub)
		get(applicant, "/soknad/receipt/"+sub+".json")
	}
	extractOK(t, officer, base, len(sitetest.Texts()))
}

// testID is a fresh draft or submission id, as forms makes them.
func testID() string { return strings.ToLower(rand.Text()) }

// TestPaymentReminderCondition: the reminder is needed while the case waits
// for its fee, and not once it is paid or the case is gone.
func TestPaymentReminderCondition(t *testing.T) {
	app, _, _ := startApp(t, "", pinned(t))
	ctx := context.Background()
	c, err := app.Cases.Open(ctx, sak.Application{Kind: kind, Title: "Søknad", Owner: "owner-1", AwaitPayment: true})
	if err != nil {
		t.Fatal(err)
	}
	if need, err := app.unpaid(ctx, c.ID+"/betaling"); !need || err != nil {
		t.Errorf("awaiting payment: %v %v", need, err)
	}
	if _, err := app.Cases.FeePaid(ctx, system, c.ID, "betalt"); err != nil {
		t.Fatal(err)
	}
	if need, err := app.unpaid(ctx, c.ID+"/betaling"); need || err != nil {
		t.Errorf("paid: %v %v", need, err)
	}
	if need, err := app.unpaid(ctx, "no-such-case/betaling"); need || err != nil {
		t.Errorf("no case: %v %v", need, err)
	}
}
