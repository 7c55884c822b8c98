package forms

import (
	"io"
	"os"
	"testing"
)

// benchPage renders the first page of the real skjenkebevilling form, as a
// citizen first sees it, with r.
func benchPage(b *testing.B, render func(*Renderer, *Definition) error) {
	src, err := os.ReadFile("testdata/skjenkebevilling.json")
	if err != nil {
		b.Fatal(err)
	}
	def := MustParse(src)
	r := &Renderer{BasePath: "/soknad"}
	b.ReportAllocs()
	for b.Loop() {
		if err := render(r, def); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderPage renders a form page with the template set made once
// per Renderer.Templates (issue 22 item 3).
func BenchmarkRenderPage(b *testing.B) {
	benchPage(b, func(r *Renderer, def *Definition) error {
		return r.RenderPage(io.Discard, def, def.Pages[0].ID, Data{}, nil, "nb")
	})
}

// BenchmarkRenderPageBaselineClone is the same page with the template set
// cloned and escaped afresh for the render, as every render did before:
// the baseline.
func BenchmarkRenderPageBaselineClone(b *testing.B) {
	compileEach = true
	defer func() { compileEach = false }()
	BenchmarkRenderPage(b)
}
