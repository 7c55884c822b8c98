package forms

import (
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeFormRoundTrip(t *testing.T) {
	def := loadSkjenk(t)
	valid := loadData(t, "skjenkebevilling-valid.json")
	// Posting the values a page shows gives back the same answers.
	for _, p := range def.Pages {
		form := url.Values{}
		var b strings.Builder
		if err := testRenderer.RenderPage(&b, def, p.ID, valid, nil, "nb"); err != nil {
			t.Fatal(err)
		}
		formFromHTML(t, b.String(), form)
		got, post, err := def.DecodeForm(p.ID, form, Data{"vedlegg": valid["vedlegg"]}) // files are uploaded, not posted
		if err != nil || post.Action != "continue" {
			t.Fatalf("%s: %v %+v", p.ID, err, post)
		}
		res := def.Validate(got, Options{Pages: []string{p.ID}})
		if !res.Valid() {
			t.Errorf("%s: round trip gives errors %+v", p.ID, res.Errors)
		}
	}
}

func TestDecodeFormActions(t *testing.T) {
	def := loadSkjenk(t)
	data := loadData(t, "skjenkebevilling-valid.json")
	form := url.Values{
		"/bevilling/type": {"alminnelig"}, "/bevilling/skjenketider~rows": {"3"},
		"/bevilling/skjenketider/0/dag": {"mandag"}, "/bevilling/fraDato~day": {"1"}, "/bevilling/fraDato~month": {"3"}, "/bevilling/fraDato~year": {"2027"},
		"_add": {"/bevilling/skjenketider"},
	}
	got, post, err := def.DecodeForm("bevilling", form, data)
	if err != nil || post.Action != "add" {
		t.Fatal(err, post)
	}
	rows := got["bevilling"].(map[string]any)["skjenketider"].([]any)
	if len(rows) != 4 || got["bevilling"].(map[string]any)["fraDato"] != "2027-03-01" {
		b, _ := json.Marshal(got)
		t.Fatalf("add: %s", b)
	}
	// The stored draft is not changed.
	if len(data["bevilling"].(map[string]any)["skjenketider"].([]any)) != 3 {
		t.Error("DecodeForm changed its input")
	}
	delete(form, "_add")
	form.Set("_remove", "/bevilling/skjenketider/1")
	got, post, err = def.DecodeForm("bevilling", form, data)
	if err != nil || post.Action != "remove" || len(got["bevilling"].(map[string]any)["skjenketider"].([]any)) != 2 {
		t.Fatal(err, post)
	}
	form.Set("_remove", "/bevilling/skjenketider/x")
	if _, _, err := def.DecodeForm("bevilling", form, data); err == nil {
		t.Error("bad remove target accepted")
	}
	form.Del("_remove")
	form.Set("_action", "delete-everything")
	if _, _, err := def.DecodeForm("bevilling", form, data); err == nil {
		t.Error("unknown action accepted")
	}
	form.Set("/bevilling/skjenketider~rows", "100000")
	form.Set("_action", "save")
	got, _, err = def.DecodeForm("bevilling", form, data)
	if err != nil || len(got["bevilling"].(map[string]any)["skjenketider"].([]any)) != def.Limits.MaxRows {
		t.Error("row count not bounded", err)
	}
}

func TestSetFiles(t *testing.T) {
	def := loadSkjenk(t)
	d := Data{}
	if err := def.SetFiles(d, "/vedlegg/firmaattest", []File{{ID: "x", Name: "a.pdf", ContentType: "application/pdf", Size: 10}}); err != nil {
		t.Fatal(err)
	}
	if err := def.SetFiles(d, "/soker/navn", nil); err == nil {
		t.Error("set files on a text field")
	}
	b, _ := json.Marshal(d)
	if string(b) != `{"vedlegg":{"firmaattest":[{"contentType":"application/pdf","id":"x","name":"a.pdf","size":10}]}}` {
		t.Error(string(b))
	}
}

var (
	reInput    = regexp.MustCompile(`<input [^>]*>`)
	reAttr     = regexp.MustCompile(`\s([a-z-]+)(?:="([^"]*)")?`)
	reTextarea = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]*)"[^>]*>(.*?)</textarea>`)
	reSelect   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]*)"[^>]*>(.*?)</select>`)
	reSelected = regexp.MustCompile(`<option value="([^"]*)" selected>`)
)

// formFromHTML collects what a browser would post from our own markup.
func formFromHTML(t *testing.T, page string, form url.Values) {
	t.Helper()
	for _, tag := range reInput.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range reAttr.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
			if m[2] == "" && !strings.Contains(m[0], "=") {
				attrs[m[1]] = "true"
			}
		}
		switch attrs["type"] {
		case "file":
		case "radio", "checkbox":
			if attrs["checked"] != "" {
				form.Add(attrs["name"], attrs["value"])
			}
		default:
			form.Add(attrs["name"], attrs["value"])
		}
	}
	for _, m := range reTextarea.FindAllStringSubmatch(page, -1) {
		form.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for _, m := range reSelect.FindAllStringSubmatch(page, -1) {
		if s := reSelected.FindStringSubmatch(m[2]); s != nil {
			form.Add(html.UnescapeString(m[1]), html.UnescapeString(s[1]))
		}
	}
}

func TestParseDataLimits(t *testing.T) {
	def := loadSkjenk(t)
	big := `{"kommentar":"` + strings.Repeat("x", int(def.Limits.MaxBodyBytes)) + `"}`
	if _, err := def.ParseData(strings.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big body: %v", err)
	}
	for _, body := range []string{`[]`, `null`, `{"a":1} {"b":2}`, `{"a":`, ``, strings.Repeat("[", 100000)} {
		if _, err := def.ParseData(strings.NewReader(body)); !errors.Is(err, ErrBadData) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%.20q: %v", body, err)
		}
	}
	d, err := def.ParseData(strings.NewReader(`{"a": 1.50}`))
	if err != nil || d["a"] != json.Number("1.50") {
		t.Errorf("%v %v", d, err)
	}
}

// What a citizen posts is kept as text every store can hold: NUL (%00) is
// dropped, bytes that are not UTF-8 become U+FFFD, the rest is kept as
// typed, and an over-long answer is not cut inside a character.
func TestDecodeFormCleansText(t *testing.T) {
	def := loadSkjenk(t)
	long := strings.Repeat("🍺", def.Limits.MaxTextChars) // 4 bytes each: the cap falls inside one
	form := url.Values{
		"/skjenkested/navn":             {"Bar\x00 🍺\xff\xfe"},
		"/skjenkested/typeBeskrivelse":  {"\u202eevil\u202c linje\u2028to"},
		"/skjenkested/type":             {"bar\x00"},
		"/skjenkested/adresse/gate\xff": {"x"},
	}
	got, _, err := def.DecodeForm("skjenkested", form, nil)
	if err != nil {
		t.Fatal(err)
	}
	sted, _ := got["skjenkested"].(map[string]any)
	for k, want := range map[string]string{"navn": "Bar 🍺\uFFFD\uFFFD", "typeBeskrivelse": "\u202eevil\u202c linje\u2028to", "type": "bar"} {
		if sted[k] != want {
			t.Errorf("%s = %q, want %q", k, sted[k], want)
		}
	}
	form = url.Values{"/skjenkested/navn": {"x" + long}}
	if got, _, err = def.DecodeForm("skjenkested", form, nil); err != nil {
		t.Fatal(err)
	}
	navn, _ := got["skjenkested"].(map[string]any)["navn"].(string)
	if !strings.HasPrefix("x"+long, navn) || len(navn) > 4*def.Limits.MaxTextChars || !utf8.ValidString(navn) {
		t.Errorf("long answer cut to %d bytes, valid %v", len(navn), utf8.ValidString(navn))
	}
	if err := NewMemoryStore().CreateDraft(t.Context(), &Draft{ID: "d", Data: got}); err != nil {
		t.Errorf("the store refuses decoded text: %v", err)
	}
}
