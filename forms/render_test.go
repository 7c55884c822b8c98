package forms

import (
	"bytes"
	"flag"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./forms -run %s -update and review the diff", path, t.Name())
	}
}

func loadDef(t testing.TB, name string) *Definition {
	t.Helper()
	def, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// testRenderer links a stylesheet instead of inlining the CSS, so golden files show the markup only.
var testRenderer = &Renderer{BasePath: "/soknad/s1", Stylesheet: "/static/forms.css"}

func TestRenderGolden(t *testing.T) {
	skj := loadSkjenk(t)
	valid := loadData(t, "skjenkebevilling-valid.json")
	all := loadDef(t, "alltypes.json")
	allData := loadData(t, "alltypes-data.json")
	type tc struct {
		name string
		fn   func(*bytes.Buffer) error
	}
	var cases []tc
	for _, lang := range i18n.All {
		for _, p := range skj.Pages {
			cases = append(cases, tc{"skjenkebevilling-" + p.ID + "-" + string(lang) + ".html", func(b *bytes.Buffer) error {
				return testRenderer.RenderPage(b, skj, p.ID, valid, nil, lang)
			}})
		}
		cases = append(cases,
			tc{"skjenkebevilling-errors-" + string(lang) + ".html", func(b *bytes.Buffer) error {
				empty := Data{"soker": map[string]any{"kontakt": map[string]any{"epost": "ikke-epost"}, "annenFakturaadresse": "ja", "fakturaadresse": map[string]any{"postnummer": "12"}}}
				res := skj.Validate(empty, Options{Lang: lang, Pages: []string{"soker"}})
				return testRenderer.RenderPage(b, skj, "soker", empty, res, lang)
			}},
			tc{"skjenkebevilling-check-" + string(lang) + ".html", func(b *bytes.Buffer) error {
				res := skj.Validate(valid, Options{Lang: lang})
				return testRenderer.RenderCheck(b, skj, res.Data, lang)
			}},
			tc{"alltypes-" + string(lang) + ".html", func(b *bytes.Buffer) error {
				return testRenderer.RenderPage(b, all, "alt", allData, nil, lang)
			}},
			tc{"alltypes-errors-" + string(lang) + ".html", func(b *bytes.Buffer) error {
				bad := Data{"antall": "0", "dato": "2026-02-30", "epost": "x", "telefon": "1", "fnr": "123", "orgnr": "123456789", "konto": "1234", "postnr": "1", "adresse": map[string]any{"adresse": "x"}, "belop": "-1", "vedlegg": []any{map[string]any{"id": "v", "name": "a.exe", "contentType": "application/x-msdownload", "size": 2 << 20}}, "rader": []any{map[string]any{}}}
				return testRenderer.RenderPage(b, all, "alt", bad, all.Validate(bad, Options{Lang: lang}), lang)
			}},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.fn(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
}

func TestRenderErrorPattern(t *testing.T) {
	skj := loadSkjenk(t)
	for _, lang := range i18n.All {
		d := Data{"soker": map[string]any{"kontakt": map[string]any{"epost": "ikke-epost"}}}
		res := skj.Validate(d, Options{Lang: lang, Pages: []string{"soker"}})
		var b bytes.Buffer
		if err := testRenderer.RenderPage(&b, skj, "soker", d, res, lang); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		prefix := map[i18n.Lang]string{"nb": "<title>Feil: ", "nn": "<title>Feil: ", "en": "<title>Error: "}[lang]
		for _, want := range []string{
			`<html lang="` + string(lang) + `">`, prefix,
			`class="ds-error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus`,
			`<a class="ds-link" href="#f-soker-orgnr">`,
			`id="f-kontakt-epost-error"`, `aria-describedby="f-kontakt-epost-error" aria-invalid="true"`,
			`autocomplete="email"`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: page lacks %s", lang, want)
			}
		}
		// Every error in the summary is also inline.
		for _, e := range res.Errors {
			if strings.Count(html, template.HTMLEscapeString(e.Message)) < 2 {
				t.Errorf("%s: %q not both in the summary and inline", lang, e.Message)
			}
		}
		if strings.Contains(html, "ds-error-summary") != (len(res.Errors) > 0) {
			t.Error("error summary mismatch")
		}
	}
}

func TestCSSServedAsFile(t *testing.T) {
	var b strings.Builder
	r := &Renderer{Stylesheet: "/static/forms.css"}
	if err := r.RenderPage(&b, loadSkjenk(t), "soker", Data{}, nil, "nb"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<style>") || !strings.Contains(b.String(), `href="/static/forms.css"`) {
		t.Fatalf("page: %s", b.String())
	}
	if !strings.Contains(string(CSS()), ".ds-button") {
		t.Fatal("CSS lacks the ds-button class")
	}
}
