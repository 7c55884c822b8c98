package site

import (
	"regexp"
	"slices"
	"testing"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
)

// The skip link and the error summary's heading read the same on the forms'
// pages and on every service's own pages.
func TestSkipLinkAndErrorSummaryWordedOnce(t *testing.T) {
	var m Messages
	for _, l := range i18n.All {
		if got, want := m.T(l, "skip"), forms.Message("skipToContent", l); got != want {
			t.Errorf("%s: skip link %q, the forms' %q", l, got, want)
		}
		if got, want := m.T(l, "errors.title"), forms.Message("errorSummary", l); got != want {
			t.Errorf("%s: error summary heading %q, the forms' %q", l, got, want)
		}
	}
}

// A page with a form loads forms.css and then site.css: both set the same
// font on body, so no page changes font.
func TestOneFont(t *testing.T) {
	decl := regexp.MustCompile(`font-(family|size):([^;}]+)`)
	body := regexp.MustCompile(`(?m)^body\{([^}]*)\}`)
	var fonts []string
	for name, css := range map[string][]byte{"site.css": CSS(), "forms.css": forms.CSS()} {
		for _, d := range decl.FindAllStringSubmatch(string(css), -1) {
			if d[1] == "family" && !slices.Contains(fonts, d[2]) {
				fonts = append(fonts, d[2])
			}
		}
		b := body.FindStringSubmatch(string(css))
		if b == nil {
			t.Fatalf("%s sets nothing on body", name)
		}
		got := decl.FindAllString(b[1], -1)
		if want := []string{`font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif`, "font-size:1.125rem"}; !slices.Equal(got, want) {
			t.Errorf("%s: body has %q, want %q", name, got, want)
		}
	}
	if len(fonts) != 1 {
		t.Errorf("font families %q, want one", fonts)
	}
}
