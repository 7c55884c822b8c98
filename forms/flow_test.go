package forms

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// stored counts an owner's files in the flow's store.
func stored(t *testing.T, flow *Flow, owner string) int {
	t.Helper()
	fs, err := flow.files().(Files).List(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	return len(fs)
}

type flowClient struct {
	t     *testing.T
	srv   *httptest.Server
	owner string
	c     *http.Client
}

func (fc *flowClient) do(method, path string, body io.Reader, ct string) (*http.Response, string) {
	fc.t.Helper()
	req, _ := http.NewRequest(method, fc.srv.URL+path, body)
	req.Header.Set("X-Owner", fc.owner)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := fc.c.Do(req)
	if err != nil {
		fc.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func newFlowServer(t *testing.T) (*Flow, *httptest.Server) {
	return newFlowServerWith(t, NewMemoryStore(), &MemoryFileStore{})
}

// newFlowServerWith serves a Flow with the stores given; nil ones are the
// Flow's own in-memory stores.
func newFlowServerWith(t *testing.T, store Store, files FileStore) (*Flow, *httptest.Server) {
	def := loadSkjenk(t)
	flow := &Flow{Def: def, Store: store, Files: files, Prefix: "/soknad",
		Owner: func(r *http.Request) (string, error) {
			if o := r.Header.Get("X-Owner"); o != "" {
				return o, nil
			}
			return "", errors.New("not logged in")
		}}
	mux := http.NewServeMux()
	mux.Handle("/soknad/", http.StripPrefix("/soknad", flow))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return flow, srv
}

func multipartBody(t *testing.T, form url.Values, files map[string][]byte) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, content := range files {
		fw, _ := mw.CreateFormFile(field, "dokument.pdf")
		fw.Write(content)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

var pdf = []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

// TestFlowJourney fills in the skjenkebevilling form page by page through
// the HTTP handler, as a browser without JavaScript would: with stores
// given, and with none (a Flow's zero Store and Files keep everything in
// memory).
func TestFlowJourney(t *testing.T) {
	t.Run("stores", func(t *testing.T) {
		flow, srv := newFlowServer(t)
		testFlowJourney(t, flow, srv)
	})
	t.Run("nil stores", func(t *testing.T) {
		flow, srv := newFlowServerWith(t, nil, nil)
		testFlowJourney(t, flow, srv)
		if flow.Store != nil || flow.Files != nil {
			t.Error("the Flow set its own Store or Files fields")
		}
	})
}

func testFlowJourney(t *testing.T, flow *Flow, srv *httptest.Server) {
	jar, _ := cookiejar.New(nil)
	fc := &flowClient{t: t, srv: srv, owner: "person:kari", c: &http.Client{Jar: jar}}
	valid := loadData(t, "skjenkebevilling-valid.json")

	res, body := fc.do("POST", "/soknad/?lang=nn", nil, "")
	if res.StatusCode != 200 || !strings.Contains(body, `<html lang="nn">`) || !strings.Contains(body, "Om søkjaren") {
		t.Fatalf("start: %d %s", res.StatusCode, body)
	}
	draftPath := strings.TrimSuffix(res.Request.URL.Path, "/soker")

	// Continue with an empty page: errors, in nynorsk, nothing lost.
	res, body = fc.do("POST", draftPath+"/soker?lang=nn", strings.NewReader("/soker/navn=Bakg%C3%A5rden+AS&_action=continue"), "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "<title>Feil: ") || !strings.Contains(body, `value="Bakgården AS"`) {
		t.Fatalf("errors: %d %s", res.StatusCode, body)
	}

	// Someone else cannot see the draft.
	other := &flowClient{t: t, srv: srv, owner: "person:ola", c: http.DefaultClient}
	if res, _ := other.do("GET", draftPath+"/soker", nil, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("other owner: %d", res.StatusCode)
	}
	if res, _ := (&flowClient{t: t, srv: srv, c: http.DefaultClient}).do("GET", draftPath+"/soker", nil, ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no owner: %d", res.StatusCode)
	}

	for _, p := range flow.Def.Pages {
		// What the valid data's page would post, as a browser does.
		var page strings.Builder
		if err := testRenderer.RenderPage(&page, flow.Def, p.ID, valid, nil, "nb"); err != nil {
			t.Fatal(err)
		}
		form := url.Values{}
		formFromHTML(t, page.String(), form)
		form.Set("_action", "continue")
		files := map[string][]byte{}
		if p.ID == "dokumenter" {
			for _, ptr := range []string{"/vedlegg/firmaattest", "/vedlegg/skatteattest", "/vedlegg/plantegning", "/vedlegg/uteserveringKart"} {
				files[ptr] = pdf
			}
		}
		b, ct := multipartBody(t, form, files)
		res, body = fc.do("POST", draftPath+"/"+p.ID, b, ct)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", p.ID, res.StatusCode, body)
		}
	}
	if !strings.HasSuffix(res.Request.URL.Path, "/check") || !strings.Contains(body, "Se over svarene dine") || !strings.Contains(body, "Endre<span") {
		t.Fatalf("check page: %s %s", res.Request.URL, body)
	}
	// The applicant then says there is no outdoor serving after all: the
	// map uploaded for it is hidden, left out of the submission, and
	// deleted when the application is sent.
	if n := stored(t, flow, "person:kari"); n != 4 {
		t.Fatalf("%d files stored before submitting", n)
	}
	noOutdoor := maps.Clone(valid)
	noOutdoor["skjenkested"] = maps.Clone(valid["skjenkested"].(map[string]any))
	noOutdoor["skjenkested"].(map[string]any)["uteservering"] = "nei"
	var page strings.Builder
	if err := testRenderer.RenderPage(&page, flow.Def, "skjenkested", noOutdoor, nil, "nb"); err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	formFromHTML(t, page.String(), form)
	form.Set("_action", "save")
	if res, body := fc.do("POST", draftPath+"/skjenkested", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"); res.StatusCode != 200 {
		t.Fatalf("no outdoor serving: %d %s", res.StatusCode, body)
	}
	res, body = fc.do("POST", draftPath+"/check", strings.NewReader("_action=submit"), "application/x-www-form-urlencoded")
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.Path, "/soknad/receipt/") || !strings.Contains(body, "Søknaden er sendt inn") {
		t.Fatalf("receipt: %d %s %s", res.StatusCode, res.Request.URL, body)
	}
	receipt := res.Request.URL.Path
	if res, js := fc.do("GET", receipt+".json", nil, ""); res.StatusCode != 200 || !strings.Contains(js, `"form":"skjenkebevilling"`) || !strings.Contains(js, `"fodselsnummer":"20036914700"`) {
		t.Errorf("receipt json: %d %s", res.StatusCode, js)
	}
	if res, _ := other.do("GET", receipt, nil, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("other owner sees the receipt: %d", res.StatusCode)
	}
	// The draft is gone; submitting again is refused.
	if res, _ := fc.do("POST", draftPath+"/check", strings.NewReader("_action=submit"), "application/x-www-form-urlencoded"); res.StatusCode != http.StatusNotFound {
		t.Errorf("second submit: %d", res.StatusCode)
	}
	subs, _ := flow.store().ListSubmissions(context.Background(), "person:kari")
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	sub := subs[0]
	firma := sub.Data["vedlegg"].(map[string]any)["firmaattest"].([]any)[0].(map[string]any)
	if firma["contentType"] != "application/pdf" || firma["name"] != "dokument.pdf" {
		t.Errorf("stored file reference: %v", firma)
	}
	if n := stored(t, flow, "person:kari"); n != 3 {
		t.Errorf("%d files stored after submitting, want 3 (the hidden field's upload deleted)", n)
	}
	if _, ok := sub.Data["vedlegg"].(map[string]any)["uteserveringKart"]; ok {
		t.Error("the hidden field's upload is in the submission")
	}
}

func TestFlowRowsAndRefusedUpload(t *testing.T) {
	flow, srv := newFlowServer(t)
	jar, _ := cookiejar.New(nil)
	fc := &flowClient{t: t, srv: srv, owner: "org:974760673", c: &http.Client{Jar: jar}}
	res, _ := fc.do("POST", "/soknad/", nil, "")
	draftPath := strings.TrimSuffix(res.Request.URL.Path, "/soker")
	res, body := fc.do("POST", draftPath+"/bevilling", strings.NewReader("_add=/bevilling/skjenketider&/bevilling/skjenketider~rows=0"), "application/x-www-form-urlencoded")
	if res.StatusCode != 200 || !strings.Contains(body, `name="/bevilling/skjenketider/0/dag"`) {
		t.Fatalf("add row: %d", res.StatusCode)
	}
	// A text file where a PDF is wanted: not stored, and the page says why.
	b, ct := multipartBody(t, url.Values{"_action": {"continue"}}, map[string][]byte{"/vedlegg/firmaattest": []byte("hello, I am not a PDF")})
	res, body = fc.do("POST", draftPath+"/dokumenter", b, ct)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Filen må være en PDF.") || strings.Contains(body, "application/pdf.") {
		t.Fatalf("refused upload: %d", res.StatusCode)
	}
	if stored(t, flow, "org:974760673") != 0 {
		t.Error("a refused file was stored")
	}
	// A PDF the store itself refuses as too large: not stored either, and
	// the page says it is too large.
	flow.Files.(*MemoryFileStore).MaxSize = int64(len(pdf)) - 1
	b, ct = multipartBody(t, url.Values{"_action": {"continue"}}, map[string][]byte{"/vedlegg/firmaattest": pdf})
	res, body = fc.do("POST", draftPath+"/dokumenter", b, ct)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Filen må være mindre enn") {
		t.Fatalf("upload over the store's limit: %d", res.StatusCode)
	}
	if stored(t, flow, "org:974760673") != 0 {
		t.Error("a file over the store's limit was stored")
	}
	flow.Files.(*MemoryFileStore).MaxSize = 0
	// A PDF replaces it.
	b, ct = multipartBody(t, url.Values{"_action": {"save"}}, map[string][]byte{"/vedlegg/firmaattest": pdf})
	fc.do("POST", draftPath+"/dokumenter", b, ct)
	d, _ := flow.Store.GetDraft(context.Background(), strings.TrimPrefix(draftPath, "/soknad/"))
	files := d.Data["vedlegg"].(map[string]any)["firmaattest"].([]any)
	if len(files) != 1 || files[0].(map[string]any)["id"] == refusedFile {
		t.Errorf("files after replacing: %v", files)
	}
	// Another PDF replaces that one (a one-file field): the replaced file
	// is deleted from the store once the draft is saved.
	first := files[0].(map[string]any)["id"].(string)
	b, ct = multipartBody(t, url.Values{"_action": {"save"}}, map[string][]byte{"/vedlegg/firmaattest": append(slices.Clone(pdf), '\n')})
	fc.do("POST", draftPath+"/dokumenter", b, ct)
	d, _ = flow.Store.GetDraft(context.Background(), strings.TrimPrefix(draftPath, "/soknad/"))
	files = d.Data["vedlegg"].(map[string]any)["firmaattest"].([]any)
	if len(files) != 1 || files[0].(map[string]any)["id"] == first {
		t.Errorf("files after the second upload: %v", files)
	}
	if _, _, err := flow.Files.(*MemoryFileStore).Open(context.Background(), first); !errors.Is(err, ErrFileNotFound) {
		t.Errorf("the replaced file is still stored: %v", err)
	}
	if n := stored(t, flow, "org:974760673"); n != 1 {
		t.Errorf("%d files stored after replacing, want 1", n)
	}
	// A file field that is not on the page is refused.
	b, ct = multipartBody(t, url.Values{}, map[string][]byte{"/vedlegg/firmaattest": pdf})
	if res, _ := fc.do("POST", draftPath+"/soker", b, ct); res.StatusCode != http.StatusBadRequest {
		t.Errorf("file for another page: %d", res.StatusCode)
	}
}

// A field revealed by an answer on the same page is shown without an error
// the first time, as a no-JavaScript form cannot reveal it sooner.
func TestFlowRevealWithoutError(t *testing.T) {
	_, srv := newFlowServer(t)
	fc := &flowClient{t: t, srv: srv, owner: "person:kari", c: http.DefaultClient}
	res, _ := fc.do("POST", "/soknad/", nil, "")
	draftPath := strings.TrimSuffix(res.Request.URL.Path, "/soker")
	form := url.Values{
		"/soker/organisasjonsnummer": {"974760673"}, "/soker/navn": {"Bakgården AS"},
		"/soker/kontakt/navn": {"Kari"}, "/soker/kontakt/epost": {"kari@bakgarden.no"}, "/soker/kontakt/telefon": {"91234567"},
		"/soker/annenFakturaadresse": {"ja"}, "_action": {"continue"},
	}
	res, body := fc.do("POST", draftPath+"/soker", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if res.StatusCode != 200 || strings.Contains(body, `class="ds-error-summary"`) || !strings.Contains(body, `name="/soker/fakturaadresse/adresse"`) || !strings.HasSuffix(res.Request.URL.Path, "/soker") {
		t.Fatalf("reveal: %d %s", res.StatusCode, res.Request.URL)
	}
	// The second time the empty address is an error.
	res, body = fc.do("POST", draftPath+"/soker", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="ds-error-summary"`) {
		t.Fatalf("second post: %d", res.StatusCode)
	}
}

// TestFlowHidden puts the Flow's hidden inputs (a CSRF token) inside the
// page's form and the check page's form.
func TestFlowHidden(t *testing.T) {
	flow, srv := newFlowServer(t)
	flow.Hidden = func(r *http.Request) template.HTML {
		return `<input type="hidden" name="csrf_token" value="tok-123">`
	}
	jar, _ := cookiejar.New(nil)
	fc := &flowClient{t: t, srv: srv, owner: "person:kari", c: &http.Client{Jar: jar}}
	res, body := fc.do("POST", "/soknad/", nil, "")
	form := body[strings.Index(body, "<form"):]
	if res.StatusCode != 200 || !strings.Contains(form[:strings.Index(form, "</form>")], `value="tok-123"`) {
		t.Fatalf("page: %d %s", res.StatusCode, body)
	}
	draftPath := strings.TrimSuffix(res.Request.URL.Path, "/soker")
	_, body = fc.do("GET", draftPath+"/check", nil, "")
	form = body[strings.Index(body, "<form"):]
	if !strings.Contains(form[:strings.Index(form, "</form>")], `value="tok-123"`) {
		t.Fatalf("check: %s", body)
	}
}

// A Flow without a Def or an Owner is a mistake of the service's: every
// request gets 500, never a panic.
func TestFlowMisconfigured(t *testing.T) {
	for name, flow := range map[string]*Flow{
		"zero":     {},
		"no owner": {Def: loadSkjenk(t)},
		"no def":   {Owner: func(*http.Request) (string, error) { return "person:kari", nil }},
	} {
		for _, target := range []string{"/", "/x/soker"} {
			rec := httptest.NewRecorder()
			flow.Limit(flow).ServeHTTP(rec, httptest.NewRequest("POST", target, strings.NewReader("a=b")))
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("%s, POST %s: %d", name, target, rec.Code)
			}
		}
	}
}
