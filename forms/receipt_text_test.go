package forms

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// withText returns a copy of the data with every text, textarea and
// address answer (in repeating groups too) set to s.
func withText(def *Definition, data Data, s string) Data {
	var clone func(v any) any
	clone = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(v))
			for k, x := range v {
				m[k] = clone(x)
			}
			return m
		case []any:
			a := make([]any, len(v))
			for i, x := range v {
				a[i] = clone(x)
			}
			return a
		}
		return v
	}
	d := Data(clone(map[string]any(data)).(map[string]any))
	var walk func(cs []*Component, obj map[string]any)
	walk = func(cs []*Component, obj map[string]any) {
		for _, c := range cs {
			key := c.Bind[strings.LastIndex(c.Bind, "/")+1:]
			parent := obj
			if c.Bind != "" {
				parts := strings.Split(strings.Trim(c.Bind, "/"), "/")
				for _, p := range parts[:len(parts)-1] {
					next, ok := parent[p].(map[string]any)
					if !ok {
						next = map[string]any{}
						parent[p] = next
					}
					parent = next
				}
			}
			switch c.Type {
			case TypeText, TypeTextarea:
				parent[key] = s
			case TypeAddress:
				parent[key] = map[string]any{"adresse": s, "postnummer": "0155", "poststed": s}
			case TypeRepeating:
				items, _ := parent[key].([]any)
				for _, it := range items {
					if m, ok := it.(map[string]any); ok {
						walk(c.Components, m)
					}
				}
				continue
			}
			if len(c.Components) > 0 {
				walk(c.Components, obj)
			}
		}
	}
	for _, p := range def.Pages {
		walk(p.Components, d)
	}
	return d
}

// TestReceiptAnyText: the receipt (page, JSON and, with Chromium, the
// tagged PDF) of an application whose every free-text answer is awkward
// text (testenv.Texts) is made in every language.
func TestReceiptAnyText(t *testing.T) {
	def := loadSkjenk(t)
	base := submitted(t, def, "skjenkebevilling-valid.json")
	var all strings.Builder
	for _, tc := range testenv.Texts {
		sub := *base
		sub.Data = withText(def, base.Data, tc.Text)
		if _, err := def.ReceiptJSON(&sub); err != nil {
			t.Errorf("%s: ReceiptJSON: %v", tc.Name, err)
		}
		for _, lang := range []i18n.Lang{"nb", "nn", "en"} {
			var b bytes.Buffer
			if err := (&Renderer{}).RenderReceipt(&b, def, &sub, lang); err != nil {
				t.Errorf("%s: RenderReceipt(%s): %v", tc.Name, lang, err)
			}
			if tc.Name == "CJK" && !strings.Contains(b.String(), tc.Text) {
				t.Errorf("the receipt leaves out the answers")
			}
		}
		all.WriteString(tc.Text + " ")
	}
	t.Run("PDF", func(t *testing.T) {
		path, flags := testenv.Chromium(t)
		sub := *base
		sub.Data = withText(def, base.Data, all.String())
		p := ChromiumPrinter{Path: path, NoSandbox: slices.Contains(flags, "--no-sandbox")}
		pdf, err := (&Renderer{}).ReceiptPDF(context.Background(), p, def, &sub, "nb")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/StructTreeRoot")) {
			t.Error("not a tagged PDF")
		}
	})
}
