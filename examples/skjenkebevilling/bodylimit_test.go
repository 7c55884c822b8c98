package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestPostLimits: the application form's limits apply to the post, ahead
// of the CSRF check that reads it first. A 2 MiB urlencoded post to a page
// whose limit is 256 KiB is refused and nothing of it saved (it was saved);
// an 11 MiB upload to a file field that takes 20 MiB is saved (it was
// refused as "CSRF check failed").
func TestPostLimits(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	b := sitetest.NewBrowser(t)
	_, page := b.Login(base+"/soknad/ny", registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	csrf := b.CSRF(page)
	res, _ := b.Do("POST", base+"/soknad/ny", url.Values{"orgnr": {registrytest.ApplicantOrgnr}, "csrf_token": {csrf}})
	m := regexp.MustCompile(`^/soknad/([^/]+)/`).FindStringSubmatch(res.Request.URL.Path)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("new application: %d at %s", res.StatusCode, res.Request.URL)
	}
	draftID := m[1]
	post := func(page string, body *bytes.Buffer, contentType string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/soknad/"+draftID+"/"+page, body)
		req.Header.Set("Content-Type", contentType)
		c := &http.Client{Jar: b.C.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if app.def.Limits.MaxBodyBytes != 256<<10 {
		t.Fatalf("the form's body limit is %d, the test assumes 256 KiB", app.def.Limits.MaxBodyBytes)
	}

	form := url.Values{"csrf_token": {csrf}, "_action": {"save"}, "/soker/kontakt/navn": {"For Stor"}, "fyll": {strings.Repeat("x", 2<<20)}}
	if status := post("soker", bytes.NewBufferString(form.Encode()), "application/x-www-form-urlencoded"); status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB urlencoded post to a 256 KiB page: %d, want 413", status)
	}
	d, err := app.Forms.GetDraft(context.Background(), draftID)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := d.Data["soker"].(map[string]any)["kontakt"]; k != nil {
		t.Errorf("the refused post was saved: kontakt %v", k)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", csrf)
	mw.WriteField("_action", "save")
	fw, _ := mw.CreateFormFile("/vedlegg/plantegning", "plantegning.pdf")
	fw.Write([]byte("%PDF-1.7\n"))
	fw.Write(bytes.Repeat([]byte("% plantegning\n"), (11<<20)/14))
	fw.Write([]byte("%%EOF\n"))
	mw.Close()
	if status := post("dokumenter", &body, mw.FormDataContentType()); status != http.StatusSeeOther {
		t.Errorf("11 MiB upload to a 20 MiB file field: %d, want 303", status)
	}
	if d, err = app.Forms.GetDraft(context.Background(), draftID); err != nil {
		t.Fatal(err)
	}
	vedlegg, _ := d.Data["vedlegg"].(map[string]any)
	files, _ := vedlegg["plantegning"].([]any)
	if len(files) != 1 {
		t.Fatalf("the upload was not saved: %v", d.Data["vedlegg"])
	}
}
