package vnu

import (
	"context"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/internal/testenv"
)

// TestCheckReportsErrors shows that the check can fail: of two pages in one
// run, the invalid one is reported with its name, line and message, and the
// valid one is not.
func TestCheckReportsErrors(t *testing.T) {
	java, jar := testenv.Vnu(t)
	good := `<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>God</title></head>
<body><main><h1>Hei</h1><label for="a">Adresse</label><input id="a" autocomplete="address-line1"></main></body></html>`
	bad := `<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>Dårlig</title></head>
<body><main>
<input autocomplete="street-address">
<p><div>blokk i avsnitt</div></p>
</main></body></html>`
	ms, err := Check(context.Background(), java, jar, []Page{{Name: "good", HTML: []byte(good)}, {Name: "bad", HTML: []byte(bad)}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.String())
		if m.Page != "bad" {
			t.Errorf("error on page %q, want only on bad: %s", m.Page, m)
		}
	}
	want := []struct {
		line int
		text string
	}{
		{4, "street-address"},
		{5, "No “p” element in scope"},
	}
	for _, w := range want {
		found := false
		for _, m := range ms {
			found = found || m.Line == w.line && strings.Contains(m.Text, w.text)
		}
		if !found {
			t.Errorf("no error at line %d with %q among:\n%s", w.line, w.text, strings.Join(got, "\n"))
		}
	}
}

// TestCheckFailsWithoutReport makes a run that cannot check anything an error,
// not a clean result.
func TestCheckFailsWithoutReport(t *testing.T) {
	java, _ := testenv.Vnu(t)
	_, err := Check(context.Background(), java, "/nonexistent/vnu.jar", []Page{{Name: "x", HTML: []byte("<!DOCTYPE html>")}})
	if err == nil || !strings.HasPrefix(err.Error(), "vnu: ") {
		t.Fatalf("err = %v, want a vnu: error", err)
	}
}
