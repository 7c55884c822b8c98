package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"github.com/grunnmur/grunnmur/svarut"
)

// officerCaseFixture submits an application for SESAM AS (a bar, with a
// styrer and a stedfortreder), pays its fee and logs the officer in.
func officerCaseFixture(t *testing.T) (*App, string, *sitetest.Browser, *sak.Case) {
	t.Helper()
	app, base, _ := startApp(t, "", pinned(t))
	ctx := context.Background()
	owner, err := app.OwnerKeys.Key(forms.Owner{Person: registrytest.Persons()[registrytest.SigridHaugland].FNR})
	if err != nil {
		t.Fatal(err)
	}
	sub := &forms.Submission{ID: testID(), FormID: app.def.ID, FormVersion: app.def.Version, Owner: owner, Lang: "nb",
		SubmittedAt: app.Config.Now().UTC().Truncate(time.Second), Data: forms.Data{
			"soker":         map[string]any{"organisasjonsnummer": registrytest.ApplicantOrgnr, "navn": "SESAM AS"},
			"skjenkested":   map[string]any{"navn": "Sesam bar", "type": "bar"},
			"bevilling":     map[string]any{"type": "alminnelig"},
			"styrer":        map[string]any{"navn": "Kari Styrer"},
			"stedfortreder": map[string]any{"navn": "Per Stedfortreder"},
		}}
	c, err := app.Cases.Transition(ctx, system, submit(t, app, sub).ID, sak.InProgress, "betalt")
	if err != nil {
		t.Fatal(err)
	}
	return app, base, loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal()), c
}

var csrfField = regexp.MustCompile(`name="` + auth.CSRFFieldName + `" value="([^"]+)"`)

// mainOf is the page's main element, where the officer's content is.
func mainOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return page
}

// TestOfficerCasePage: the officer's case page reads as words in nb, nn and
// en: the form's option labels, the styrer and the stedfortreder named as
// such, the event log in sentences, the decision heading once, the SvarUT
// status once in words, and the appeal deadline of the case.
func TestOfficerCasePage(t *testing.T) {
	app, base, officer, c := officerCaseFixture(t)
	ctx := context.Background()
	// Decided on Sunday 6 December 2026 at 23:30 in Oslo (22:30 UTC):
	// three weeks on is Sunday 27 December, so the appeal deadline is
	// Monday 28 December.
	decided := time.Date(2026, 12, 6, 22, 30, 0, 0, time.UTC)
	clerk := &sak.Service{Store: app.Cases.Store, Now: func() time.Time { return decided }}
	c, err := clerk.Decide(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten:test"}, c.ID, sak.Approved, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.sendDecision(ctx, system, c); err != nil {
		t.Fatal(err)
	}
	e, err := app.Letters.Store.Get(ctx, "vedtak-"+c.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = svarut.StatusLest
	if err := app.Letters.Store.Update(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, typ, kind, styrer, stedfortreder, read, appeal string
		events                                               []string
	}{
		{"nb", "Bar eller pub", "Alminnelig bevilling", "<dt>Styrer: Fullt navn</dt><dd>Kari Styrer</dd>", "<dt>Stedfortreder: Fullt navn</dt><dd>Per Stedfortreder</dd>", "Lest",
			"<dt>Klagefrist</dt><dd>mandag 28. desember 2026</dd>",
			[]string{"Sak opprettet", "Kobling lagt til: Søknad", "Ny status: Under behandling", "Journalført: Utgående dokument", "Frist satt: Klagefrist"}},
		{"nn", "Bar eller pub", "Alminneleg løyve", "<dt>Styrar: Fullt namn</dt><dd>Kari Styrer</dd>", "<dt>Stadfortredar: Fullt namn</dt><dd>Per Stedfortreder</dd>", "Lese",
			"<dt>Klagefrist</dt><dd>måndag 28. desember 2026</dd>",
			[]string{"Sak oppretta", "Ny status: Under handsaming", "Journalført: Inngåande dokument", "Frist innfridd: Venta vedtak"}},
		{"en", "Bar or pub", "Ordinary licence", "<dt>Manager: Full name</dt><dd>Kari Styrer</dd>", "<dt>Deputy: Full name</dt><dd>Per Stedfortreder</dd>", "Read",
			"<dt>Appeal deadline</dt><dd>Monday 28 December 2026</dd>",
			[]string{"Case opened", "Link added: Letter", "New status: Decided", "Deadline set: Appeal deadline"}},
	} {
		res, page := officer.Do("GET", base+"/ansatt/sak/"+c.ID+"?lang="+tc.lang, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.lang, res.StatusCode)
		}
		main := mainOf(page)
		for _, want := range []string{tc.styrer, tc.stedfortreder, tc.appeal} {
			if !strings.Contains(main, want) {
				t.Errorf("%s: no %q", tc.lang, want)
			}
		}
		for _, want := range []string{tc.typ, tc.kind} {
			if !regexp.MustCompile(`<dd>` + regexp.QuoteMeta(want) + `[^<]*</dd>`).MatchString(main) {
				t.Errorf("%s: no answer reading %q", tc.lang, want)
			}
		}
		for _, raw := range []string{"<dd>bar</dd>", "<dd>alminnelig</dd>", "<dt>Fullt navn</dt>", "<dt>Fullt namn</dt>", "<dt>Full name</dt>"} {
			if strings.Contains(main, raw) {
				t.Errorf("%s: the page shows %q", tc.lang, raw)
			}
		}
		events := main[strings.LastIndex(main, "<ul>"):]
		for _, want := range tc.events {
			if !strings.Contains(events, want) {
				t.Errorf("%s: the events lack %q:\n%s", tc.lang, want, events)
			}
		}
		codes := []string{"transition", "linked", "journaled", "deadline_met", "approved", "LEST", "appeal"}
		if tc.lang != "en" { // where the codes are not English words too
			codes = append(codes, "opened", "deadline", "decision")
		}
		for _, code := range codes {
			if regexp.MustCompile(`\b` + code + `\b`).MatchString(events) {
				t.Errorf("%s: the events show the code %q:\n%s", tc.lang, code, events)
			}
		}
		if state := sitetest.Match(t, `<dd id="letter-state">(.*?)</dd>`, main); !strings.HasPrefix(state, tc.read+" (<a") || strings.Contains(main, "LEST") {
			t.Errorf("%s: the letter's status reads %q, want %q once in words", tc.lang, state, tc.read)
		}
		if n := strings.Count(main, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 headings", tc.lang, n)
		}
	}
}

// TestOfficerDecisionRequiresOutcome: a decision posted with neither
// outcome chosen is refused with an error summary and a field error in the
// officer's language; the reasons typed are kept, and the case stays
// undecided.
func TestOfficerDecisionRequiresOutcome(t *testing.T) {
	app, base, officer, c := officerCaseFixture(t)
	for lang, msg := range map[string]string{
		"nb": "Velg om søknaden skal innvilges eller avslås.",
		"nn": "Vel om søknaden skal innvilgast eller avslåast.",
		"en": "Choose whether to approve or reject the application.",
	} {
		_, page := officer.Do("GET", base+"/ansatt/sak/"+c.ID+"?lang="+lang, nil)
		form := mainOf(page)
		form = form[strings.Index(form, "<form"):]
		if n := strings.Count(form, "checked"); n != 0 {
			t.Errorf("%s: an outcome is chosen in advance", lang)
		}
		if n := strings.Count(mainOf(page), ">"+messages.T(i18n.Lang(lang), "off.decide")+"<"); n != 1 {
			t.Errorf("%s: %q shows %d times, want once (the section heading)", lang, messages.T(i18n.Lang(lang), "off.decide"), n)
		}
		res, page := officer.Do("POST", base+"/ansatt/sak/"+c.ID+"/vedtak", url.Values{
			auth.CSRFFieldName: {sitetest.Match(t, csrfField.String(), page)}, "note": {"Vilkårene <er> oppfylt."},
		})
		if res.StatusCode != http.StatusUnprocessableEntity || res.Request.URL.Path != "/ansatt/sak/"+c.ID+"/vedtak" {
			t.Fatalf("%s: no outcome: %d at %s, want 422 with the form again", lang, res.StatusCode, res.Request.URL.Path)
		}
		main := mainOf(page)
		summary := sitetest.Match(t, `(?s)<div class="ds-error-summary"[^>]*>(.*?)</div>`, main)
		if !strings.Contains(summary, `<a class="ds-link" href="#outcome-approved">`+msg+`</a>`) {
			t.Errorf("%s: error summary %q", lang, summary)
		}
		if !strings.Contains(main, `aria-describedby="outcome-error"`) || !strings.Contains(main, `<p class="ds-validation-message" id="outcome-error">`+msg+`</p>`) {
			t.Errorf("%s: no field error on the outcome", lang)
		}
		if !strings.Contains(main, "Vilkårene &lt;er&gt; oppfylt.</textarea>") {
			t.Errorf("%s: the reasons typed are lost", lang)
		}
		if got, _ := app.Cases.Get(context.Background(), system, c.ID); got.State != sak.InProgress {
			t.Fatalf("%s: the case moved to %s", lang, got.State)
		}
	}
	// A bad outcome is refused the same way; a good one decides.
	_, page := officer.Do("GET", base+"/ansatt/sak/"+c.ID, nil)
	token := sitetest.Match(t, csrfField.String(), page)
	if res, _ := officer.Do("POST", base+"/ansatt/sak/"+c.ID+"/vedtak", url.Values{auth.CSRFFieldName: {token}, "outcome": {"maybe"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("outcome maybe: %d", res.StatusCode)
	}
	res, page := officer.Do("POST", base+"/ansatt/sak/"+c.ID+"/vedtak", url.Values{auth.CSRFFieldName: {token}, "outcome": {"rejected"}})
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/ansatt/sak/"+c.ID || strings.Contains(page, "ds-error-summary") {
		t.Fatalf("decision: %d at %s", res.StatusCode, res.Request.URL.Path)
	}
	if got, _ := app.Cases.Get(context.Background(), system, c.ID); got.State != sak.Decided || got.Outcome != sak.Rejected {
		t.Errorf("case %s %s, want decided, rejected", got.State, got.Outcome)
	}
}

// TestLetterAppealDeadline: the letter prints the case's appeal deadline,
// counted in calendar days and moved off the weekend, not the decision time
// plus 21×24 hours (which read "søndag 27. desember 2026").
func TestLetterAppealDeadline(t *testing.T) {
	decided := time.Date(2026, 12, 6, 23, 30, 0, 0, civil.Oslo)
	svc := &sak.Service{Now: func() time.Time { return decided }}
	ctx := context.Background()
	c, _ := svc.Open(ctx, sak.Application{Kind: kind, Title: "Søknad", Owner: "o"})
	svc.Transition(ctx, system, c.ID, sak.AwaitingPayment, "")
	svc.Transition(ctx, system, c.ID, sak.InProgress, "")
	c, err := svc.Decide(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "o"}, c.ID, sak.Approved, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := i18n.NB.DateOf(appealDeadline(c, decided)); got != "mandag 28. desember 2026" {
		t.Errorf("appeal deadline %q", got)
	}
	c.Deadlines = nil // a case decided before it carried the deadline
	if got := i18n.NB.DateOf(appealDeadline(c, decided)); got != "mandag 28. desember 2026" {
		t.Errorf("appeal deadline without the case's %q", got)
	}
}

// TestOfficerListPages: the officer's list shows a page of cases, newest
// first, with links to the older and newer pages that lose or repeat no
// case; a cursor sak did not make is a page that does not exist.
func TestOfficerListPages(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	ctx := context.Background()
	var want []string // case numbers, newest first
	for i := range 2*casesPerPage + 3 {
		c, err := app.Cases.Open(ctx, sak.Application{Kind: kind, Title: "Søknad om skjenkebevilling", Owner: "sub-" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{c.Number()}, want...)
	}
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())
	row := regexp.MustCompile(`href="/ansatt/sak/[^"]+">([^<]+)</a>`)
	link := regexp.MustCompile(`id="(newer|older)" href="([^"]+)"`)
	open := func(path string) (numbers []string, links map[string]string, page string) {
		t.Helper()
		res, page := officer.Do("GET", base+path, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		for _, m := range row.FindAllStringSubmatch(mainOf(page), -1) {
			numbers = append(numbers, m[1])
		}
		links = map[string]string{}
		for _, m := range link.FindAllStringSubmatch(page, -1) {
			links[m[1]] = strings.ReplaceAll(m[2], "&amp;", "&")
		}
		return numbers, links, page
	}
	var got, pages []string
	path := "/ansatt"
	for range 10 {
		numbers, links, page := open(path)
		if len(numbers) == 0 || len(numbers) > casesPerPage {
			t.Fatalf("%s lists %d cases", path, len(numbers))
		}
		if (path == "/ansatt") != (links["newer"] == "") {
			t.Errorf("%s: newer link %q", path, links["newer"])
		}
		got, pages = append(got, numbers...), append(pages, page)
		if links["older"] == "" {
			break
		}
		path = links["older"]
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the pages list %v, want %v", got, want)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages of %d cases, want 3", len(pages), len(want))
	}
	// Back from the last page: the middle one, and then the first, whole.
	_, links, _ := open(path)
	middle, links, _ := open(links["newer"])
	if !slices.Equal(middle, want[casesPerPage:2*casesPerPage]) {
		t.Errorf("back to the middle page: %v", middle)
	}
	first, links, _ := open(links["newer"])
	if !slices.Equal(first, want[:casesPerPage]) || links["newer"] != "" {
		t.Errorf("back to the first page: %v, newer %q", first, links["newer"])
	}
	for _, bad := range []string{"/ansatt?etter=x", "/ansatt?foer=%00", "/ansatt?etter=" + url.QueryEscape(strings.Repeat("A", 2000))} {
		if res, _ := officer.Do("GET", base+bad, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, res.StatusCode)
		}
	}
	// No browser journey pages this far, so the pages' HTML is checked here.
	t.Run("valid HTML", func(t *testing.T) {
		var vp []sitetest.Page
		for i, p := range pages {
			vp = append(vp, sitetest.Page{Name: fmt.Sprintf("saker-%d.html", i+1), HTML: []byte(p)})
		}
		sitetest.ValidHTML(t, vp...)
	})
}
