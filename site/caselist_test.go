package site_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestCaseAndActor: an officer sees any case, as their Ansattporten
// subject; a citizen only their own, as the applicant; another's case and
// a forged id are 404, and no fødselsnummer is the actor's id.
func TestCaseAndActor(t *testing.T) {
	svc, base := serve(t, full())
	show := func(w http.ResponseWriter, r *http.Request) {
		c, actor, err := svc.Case(r)
		if err != nil {
			svc.Fail(w, r, err)
			return
		}
		fmt.Fprintf(w, "%s %s %s", c.ID, actor.Role, actor.ID)
	}
	svc.Mux.Handle("GET /sak/{id}", svc.ForCitizens(show))
	svc.Mux.Handle("GET /ansatt/sak/{id}", svc.ForOfficers(show))
	owner, _ := svc.OwnerKeys.Key(forms.Owner{Person: registrytest.Persons()[registrytest.SigridHaugland].FNR})
	mine, err := svc.Cases.Open(context.Background(), sak.Application{Kind: "test", Title: "Søknad", Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	theirs, _ := svc.Cases.Open(context.Background(), sak.Application{Kind: "test", Title: "Søknad", Owner: "someone-else"})

	citizen := sitetest.NewBrowser(t)
	res, body := citizen.Login(base+"/sak/"+mine.ID, sigrid)
	if res.StatusCode != 200 || body != mine.ID+" applicant "+owner {
		t.Errorf("own case: %d %q", res.StatusCode, body)
	}
	for _, id := range []string{theirs.ID, "forged", url.PathEscape("../" + mine.ID)} {
		if res, _ := citizen.Do("GET", base+"/sak/"+id, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("case %q as a citizen: %d", id, res.StatusCode)
		}
	}
	officer := sitetest.NewBrowser(t)
	res, body = officer.Login(base+"/ansatt/sak/"+theirs.ID, svc.Fakes.Officer.PID.Reveal())
	if res.StatusCode != 200 || !strings.HasPrefix(body, theirs.ID+" officer ansattporten:") || strings.Contains(body, svc.Fakes.Officer.PID.Reveal()) {
		t.Errorf("an officer: %d %q", res.StatusCode, body)
	}
}

// TestCaseList pages through the cases with the cursors' links; a cursor
// sak did not make is a page that does not exist.
func TestCaseList(t *testing.T) {
	svc, base := serve(t, full())
	svc.Mux.Handle("GET /ansatt", svc.ForOfficers(func(w http.ResponseWriter, r *http.Request) {
		l, err := svc.CaseList(r, sak.Filter{Kind: "test"}, 2)
		if err != nil {
			svc.Fail(w, r, err)
			return
		}
		for _, c := range l.Cases {
			fmt.Fprintf(w, "%s=%s;", c.Number, c.State)
		}
		fmt.Fprintf(w, "|%s|%s", l.Newer, l.Older)
	}))
	var numbers []string
	for range 5 {
		c, err := svc.Cases.Open(context.Background(), sak.Application{Kind: "test", Title: "Søknad", Owner: "o"})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append([]string{c.Number()}, numbers...) // newest first
	}
	b := sitetest.NewBrowser(t)
	_, page := b.Login(base+"/ansatt?lang=en", svc.Fakes.Officer.PID.Reveal())
	seen := []string{}
	for range 3 {
		rows, links, _ := strings.Cut(page, "|")
		newer, older, _ := strings.Cut(links, "|")
		for _, r := range strings.Split(strings.TrimSuffix(rows, ";"), ";") {
			number, state, _ := strings.Cut(r, "=")
			if state != sak.Received.Label("en") {
				t.Errorf("state %q", state)
			}
			seen = append(seen, number)
		}
		if len(seen) > 2 && newer == "" {
			t.Errorf("page after the first without a link back")
		}
		if older == "" {
			break
		}
		if !strings.HasPrefix(older, "/ansatt?"+site.ListAfter+"=") {
			t.Fatalf("older %q", older)
		}
		_, page = b.Do("GET", base+older, nil)
	}
	if strings.Join(seen, ",") != strings.Join(numbers, ",") {
		t.Errorf("paged through %v, want %v", seen, numbers)
	}
	if res, _ := b.Do("GET", base+"/ansatt?"+site.ListAfter+"=forged", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("a forged cursor: %d", res.StatusCode)
	}
}
