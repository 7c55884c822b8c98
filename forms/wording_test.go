package forms

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

// An address's street line is one line: autocomplete="street-address" is
// for a multi-line textarea, and invalid HTML on an input.
func TestAddressLineAutocomplete(t *testing.T) {
	skj := loadSkjenk(t)
	valid := loadData(t, "skjenkebevilling-valid.json")
	var b bytes.Buffer
	if err := testRenderer.RenderPage(&b, skj, "skjenkested", valid, nil, "nb"); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if strings.Contains(html, "street-address") || !strings.Contains(html, `id="f-sted-adresse-line" name="/skjenkested/adresse/adresse" type="text" autocomplete="address-line1"`) {
		t.Errorf("the street line's autocomplete is not address-line1:\n%s", html)
	}
}

// A refused file type is named as citizens know it, never by MIME type.
func TestFileTypeMessageNamesTypesInWords(t *testing.T) {
	pdfOnly := []string{"application/pdf"}
	three := []string{"application/pdf", "image/jpeg", "image/png"}
	for _, c := range []struct {
		accept     []string
		lang, want string
	}{
		{pdfOnly, "nb", "Filen må være en PDF."},
		{pdfOnly, "nn", "Fila må vere ein PDF."},
		{pdfOnly, "en", "The file must be a PDF."},
		{three, "nb", "Filen må være en PDF, en JPEG eller en PNG."},
		{three, "en", "The file must be a PDF, a JPEG or a PNG."},
		{[]string{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/svg+xml"}, "en", "The file must be an XLSX or an SVG."},
		{[]string{"application/x-example-foo", "application/vnd.example.bar+json; v=2"}, "nb", "Filen må være en FOO eller en BAR."},
		{[]string{"image/jpeg", "IMAGE/JPEG"}, "nb", "Filen må være en JPEG."},
	} {
		accept, _ := json.Marshal(c.accept)
		def, err := Parse([]byte(`{"id": "f", "version": 1, "title": "t", "texts": {"t": {"nb": "S", "nn": "S", "en": "F"}, "v": {"nb": "V", "nn": "V", "en": "A"}},
			"pages": [{"id": "p", "title": "t", "components": [
			{"id": "vedlegg", "type": "file", "bind": "/vedlegg", "label": "v", "accept": ` + string(accept) + `}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		data := Data{"vedlegg": []any{map[string]any{"id": "v1", "name": "a.exe", "contentType": "application/x-msdownload", "size": 10}}}
		res := def.Validate(data, Options{Lang: i18n.Lang(c.lang)})
		if len(res.Errors) != 1 || res.Errors[0].Code != CodeFileType {
			t.Fatalf("%v: errors %v", c.accept, res.Errors)
		}
		if got := res.Errors[0].Message; got != c.want || strings.Contains(got, "/") {
			t.Errorf("%v %s: %q, want %q", c.accept, c.lang, got, c.want)
		}
	}
}

// The styrer and the stedfortreder both have "Fullt navn", "Telefon" and
// "E-post": each error says whose it is, so no two summary lines read the
// same.
func TestErrorSummaryNamesWhichOfTwoLabels(t *testing.T) {
	skj := loadSkjenk(t)
	d := Data{"styrer": map[string]any{"epost": "x", "telefon": "1"}, "stedfortreder": map[string]any{"epost": "y", "telefon": "2"}}
	want := map[string][]string{
		"nb": {"Du må fylle ut «Fullt navn (Styrer)».", "Du må fylle ut «Fullt navn (Stedfortreder)»."},
		"nn": {"«Fullt namn (Styrar)»", "«Fullt namn (Stadfortredar)»"},
		"en": {"“Full name (Manager)”", "“Full name (Deputy)”"},
	}
	for _, lang := range i18n.All {
		res := skj.Validate(d, Options{Lang: lang, Pages: []string{"personer"}})
		var b bytes.Buffer
		if err := testRenderer.RenderPage(&b, skj, "personer", d, res, lang); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		i := strings.Index(html, `<ul class="ds-error-summary__list">`)
		j := strings.Index(html[i:], "</ul>")
		summary := html[i : i+j]
		lines := strings.Split(strings.TrimSpace(summary), "\n")[1:]
		seen := map[string]bool{}
		for _, l := range lines {
			text := l[strings.Index(l, `">`)+2:]
			if seen[text] {
				t.Errorf("%s: two summary lines read %s", lang, text)
			}
			seen[text] = true
		}
		if len(lines) < 6 {
			t.Errorf("%s: %d summary lines, want the names, phones and e-mails of both:\n%s", lang, len(lines), summary)
		}
		for _, w := range want[string(lang)] {
			if !strings.Contains(summary, w) {
				t.Errorf("%s: summary lacks %s:\n%s", lang, w, summary)
			}
		}
	}
}

// Times are written "kl. 07.08" in Norwegian, "07:08" in English, on the
// receipt as everywhere (i18n.Lang.ClockPattern).
func TestReceiptTimeKlokkeslett(t *testing.T) {
	at := time.Date(2026, 12, 7, 6, 8, 0, 0, time.UTC) // 07.08 in Oslo
	for lang, want := range map[i18n.Lang]string{i18n.NB: "07.08", i18n.NN: "07.08", i18n.SE: "07.08", i18n.EN: "07:08"} {
		if got := lang.Format(at.In(civil.Oslo), lang.ClockPattern()); got != want {
			t.Errorf("clock %s: %q, want %q", lang, got, want)
		}
	}
	skj := loadSkjenk(t)
	valid := loadData(t, "skjenkebevilling-valid.json")
	for lang, want := range map[i18n.Lang]string{"nb": "Sendt inn: 7. desember 2026 kl. 07.08", "nn": "Send inn: 7. desember 2026 kl. 07.08", "en": "Submitted: 7 December 2026 at 07:08"} {
		var b bytes.Buffer
		if err := testRenderer.RenderReceipt(&b, skj, &Submission{ID: "r1", FormID: skj.ID, FormVersion: skj.Version, Data: valid, SubmittedAt: at}, lang); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: the receipt lacks %q", lang, want)
		}
	}
}

// FuzzFileTypeName: whatever content type an upload claims, its name is a
// few letters or digits, never a MIME type, and never empty.
func FuzzFileTypeName(f *testing.F) {
	for _, s := range []string{"application/pdf", "IMAGE/JPEG; q=1", "application/vnd.example.foo+json", "application/", "/", "", "x-/x-", "tekst/æøå", "\xff/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, mime string) {
		n := FileTypeName(mime)
		if n == "" || strings.Contains(n, "/") || len(n) > len(mime)+1 && n != "?" && fileTypeNames[strings.ToLower(strings.TrimSpace(strings.Split(mime, ";")[0]))] == "" {
			t.Fatalf("FileTypeName(%q) = %q", mime, n)
		}
		for _, lang := range []i18n.Lang{"nb", "nn", "en", "se"} {
			if s := fileTypes([]string{mime, "application/pdf"}, lang); !strings.HasSuffix(s, "PDF") {
				t.Fatalf("fileTypes(%q) = %q", mime, s)
			}
		}
	})
}
