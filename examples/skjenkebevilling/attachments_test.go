package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// loginAt opens path without a session and logs in through the fake's
// test-user picker as pid; the client keeps the session.
func loginAt(t *testing.T, base, path, pid string) *sitetest.Browser {
	t.Helper()
	c := sitetest.NewBrowser(t)
	res, page := c.Login(base+path, pid)
	if res.StatusCode != 200 {
		t.Fatalf("login at %s: %d %s", path, res.StatusCode, page)
	}
	return c
}

func TestAttachments(t *testing.T)         { testAttachments(t, "") }
func TestAttachmentsPostgres(t *testing.T) { testAttachments(t, postgrestest.URL(t)) }

// testAttachments: the files uploaded with an application are in its
// journal entry and the Noark 5 extract; the officer and the applicant can
// download them, and nobody can download a file of another case or
// another citizen's: that is 404, the same as a file that does not exist.
func testAttachments(t *testing.T, databaseURL string) {
	app, base, _ := startApp(t, databaseURL, pinned(t))
	ctx := context.Background()
	sigrid := registrytest.Persons()[registrytest.SigridHaugland].FNR
	owner, err := app.OwnerKeys.Key(forms.Owner{Person: sigrid})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7\n% firmaattest for SESAM AS\n%%EOF\n")
	fileID, err := app.Files.Put(ctx, owner, "Firmaattest æøå.pdf", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	// The same citizen's file that is not in the application, and another
	// citizen's.
	looseID, _ := app.Files.Put(ctx, owner, "utkast.pdf", "application/pdf", strings.NewReader("%PDF-1.7 utkast"))
	otherID, _ := app.Files.Put(ctx, "person:someone-else", "annen.pdf", "application/pdf", strings.NewReader("%PDF-1.7 annen"))
	ref := func(id, name string, size int) []any {
		return []any{map[string]any{"id": id, "name": name, "contentType": "application/pdf", "size": json.Number(strconv.Itoa(size))}}
	}
	sub := &forms.Submission{ID: testID(), FormID: app.def.ID, FormVersion: app.def.Version, Owner: owner, Lang: "nb",
		SubmittedAt: app.Config.Now().UTC().Truncate(time.Second), Data: forms.Data{
			"soker": map[string]any{"organisasjonsnummer": registrytest.ApplicantOrgnr, "navn": "SESAM AS"},
			// A reference to another citizen's file, which the Flow
			// never writes: it must count for nothing.
			"vedlegg": map[string]any{"firmaattest": ref(fileID, "Firmaattest æøå.pdf", len(pdf)), "andre": ref(otherID, "annen.pdf", 14)},
		}}
	c := submit(t, app, sub)

	// The application's journal entry holds the attachment after the
	// application, titled by the form's label; the other citizen's file is
	// not there.
	if len(c.Journal) != 1 || len(c.Journal[0].Documents) != 2 {
		t.Fatalf("journal: %+v", c.Journal)
	}
	if d := c.Journal[0].Documents[1]; d.Ref != "vedlegg:"+fileID || d.MediaType != "application/pdf" || !strings.HasPrefix(d.Title, "Vedlegg: Firmaattest") {
		t.Errorf("attachment document: %+v", d)
	}

	download := func(cl *sitetest.Browser, path string) (*http.Response, string) {
		t.Helper()
		return cl.Do("GET", base+path, nil)
	}
	// notFound returns the 404 page with the file's id (in the page's
	// language links) taken out, for comparing.
	notFound := func(who string, cl *sitetest.Browser, path string) string {
		t.Helper()
		res, body := download(cl, path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s GET %s: %d, want 404", who, path, res.StatusCode)
		}
		return strings.ReplaceAll(body, path[strings.LastIndex(path, "/")+1:], "FILE")
	}

	// The officer sees the attachment on the case and downloads it.
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())
	officerFile := "/ansatt/sak/" + c.ID + "/vedlegg/" + fileID
	if res, page := download(officer, "/ansatt/sak/"+c.ID); res.StatusCode != 200 || !strings.Contains(page, `href="`+officerFile+`"`) || !strings.Contains(page, "Firmaattest æøå.pdf") {
		t.Errorf("officer's case page: %d, no link to %s", res.StatusCode, officerFile)
	} else if strings.Contains(page, otherID) || strings.Contains(page, "annen.pdf") {
		t.Error("the officer's case page lists another citizen's file")
	}
	res, body := download(officer, officerFile)
	if res.StatusCode != 200 || body != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `attachment; filename*=utf-8''Firmaattest%20%C3%A6%C3%B8%C3%A5.pdf` {
		t.Errorf("officer's download: %d %q %v", res.StatusCode, body, res.Header)
	}
	// Files outside the case are not found, and look like a missing file.
	missing := notFound("officer", officer, "/ansatt/sak/"+c.ID+"/vedlegg/nosuchfile")
	for _, id := range []string{looseID, otherID} {
		if body := notFound("officer", officer, "/ansatt/sak/"+c.ID+"/vedlegg/"+id); body != missing {
			t.Errorf("the 404 for a file outside the case differs from a missing file's")
		}
	}

	// Another citizen gets 404 for the file, as for a file that does not
	// exist.
	nils := loginAt(t, base, "/min-side", registrytest.Persons()[registrytest.NilsFjeld].FNR.Reveal())
	citizenFile := "/sak/" + c.ID + "/vedlegg/" + fileID
	if notFound("another citizen", nils, citizenFile) != notFound("another citizen", nils, "/sak/"+c.ID+"/vedlegg/nosuchfile") {
		t.Error("another citizen can tell an existing attachment from a missing one")
	}
	notFound("another citizen", nils, "/sak/"+c.ID)
	// A citizen's login does not open the officers' download.
	if res, body := download(nils, officerFile); body == string(pdf) || res.Request.URL.Path == officerFile {
		t.Errorf("a citizen downloads through the officers' path: %d", res.StatusCode)
	}

	// The applicant downloads her own attachment from her case page.
	applicant := loginAt(t, base, "/min-side", sigrid.Reveal())
	if res, page := download(applicant, "/sak/"+c.ID); res.StatusCode != 200 || !strings.Contains(page, `href="`+citizenFile+`"`) {
		t.Errorf("applicant's case page: %d, no link to %s", res.StatusCode, citizenFile)
	} else if !strings.Contains(page, "Firmaattest æøå.pdf</a> (PDF, ") || strings.Contains(page, "application/pdf") {
		t.Error("the applicant's case page names the file's type by its MIME type")
	}
	if res, body := download(applicant, citizenFile); res.StatusCode != 200 || body != string(pdf) {
		t.Errorf("applicant's download: %d %q", res.StatusCode, body)
	}
	notFound("the applicant", applicant, "/sak/"+c.ID+"/vedlegg/"+looseID)
	notFound("the applicant", applicant, "/sak/"+c.ID+"/vedlegg/"+otherID)

	// Once decided, the case goes into the Noark 5 extract with the
	// attachment's bytes.
	if _, err := app.Cases.Transition(ctx, system, c.ID, sak.InProgress, "betalt"); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Cases.Decide(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten:test"}, c.ID, sak.Approved, ""); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "uttrekk")
	if _, err := app.Cases.ExportArchive(ctx, dir, sak.Filter{Kind: kind}, app.archiveOptions()); err != nil {
		t.Fatal(err)
	}
	if !extractHolds(t, dir, pdf) {
		t.Error("the extract lacks the attachment")
	}
	if extractHolds(t, dir, []byte("%PDF-1.7 annen")) {
		t.Error("the extract holds another citizen's file")
	}
}

// extractHolds reports whether a file in the extract directory has exactly
// the bytes want.
func extractHolds(t *testing.T, dir string, want []byte) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		found = found || bytes.Equal(b, want)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
