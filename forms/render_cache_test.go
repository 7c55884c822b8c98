package forms

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestTemplateSetPerTemplates: renderers with different Templates, rendering
// at once from many goroutines, each get their own overrides and never
// another's, however often the set is reused.
func TestTemplateSetPerTemplates(t *testing.T) {
	src, err := os.ReadFile("testdata/skjenkebevilling.json")
	if err != nil {
		t.Fatal(err)
	}
	def := MustParse(src)
	page := def.Pages[0].ID
	renderers := []*Renderer{{}}
	for i := range 3 {
		src := fmt.Sprintf(`{{define "header"}}<p name="mark" content="m%d"></p>{{end}}`, i)
		renderers = append(renderers, &Renderer{Templates: template.Must(template.New("x").Parse(src))})
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for n := range 20 {
				i := (g + n) % len(renderers)
				var b bytes.Buffer
				if err := renderers[i].RenderPage(&b, def, page, Data{}, nil, "nb"); err != nil {
					t.Error(err)
					return
				}
				marks := strings.Count(b.String(), `name="mark"`)
				if i == 0 && marks != 0 || i > 0 && (marks != 1 || !strings.Contains(b.String(), fmt.Sprintf(`content="m%d"`, i-1))) {
					t.Errorf("renderer %d wrote another's header:\n%.400s", i, b.String())
					return
				}
			}
		})
	}
	wg.Wait()
}
