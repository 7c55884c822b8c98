package forms

import (
	"bytes"
	"net/url"
	"os"
	"testing"

	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/text"
)

// FuzzParseData feeds arbitrary bodies to the submission parser and the
// validator of the real form: errors, never a panic.
func FuzzParseData(f *testing.F) {
	def := loadSkjenk(f)
	for _, name := range []string{"skjenkebevilling-valid.json", "skjenkebevilling-hidden.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"bevilling":{"skjenketider":[1,"x",{"fra":[]}]},"vedlegg":{"firmaattest":[{"size":-1}]}}`))
	f.Add([]byte(`{"skjenkested":{"adresse":"x","arealInne":"1e400"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := def.ParseData(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, lang := range []i18n.Lang{"nb", "en"} {
			res := def.Validate(d, Options{Lang: lang})
			for _, e := range res.Errors {
				if e.Message == "" || e.Pointer == "" {
					t.Fatalf("error without message or pointer: %+v", e)
				}
			}
			// Pruned data validates the same way again: pruning is stable.
			again := def.Validate(res.Data, Options{Lang: lang})
			if res.Valid() && !again.Valid() {
				t.Fatalf("valid data became invalid after pruning: %+v", again.Errors)
			}
		}
	})
}

// FuzzExpression compiles and evaluates arbitrary expressions against the
// real form and data: errors, never a panic.
func FuzzExpression(f *testing.F) {
	def := loadSkjenk(f)
	data := loadData(f, "skjenkebevilling-valid.json")
	for _, s := range []string{
		`["equals", ["component", "uteservering"], "ja"]`,
		`["and", ["greaterThan", ["dataModel", "bevilling.skjenketider[1].fra"], 2], ["not", null]]`,
		`["compare", "2020-01-01", "not", "isSameDay", ["formatDate", "2020-01-01T10:00:00Z", "EEEE d. MMMM yyyy G a"]]`,
		`["stringSlice", ["concat", "🌍", 1.5e300], -3, ["stringIndexOf", "abc", "c"]]`,
		`["round", ["divide", ["plus", "1e308", 1e308], 3], 20]`,
		`["if", ["commaContains", ["component", "alkoholgrupper"], "2"], ["upperCaseFirst", "x"], "else", ["argv", 0]]`,
		`["component", "tid-fra"]`, `[[[[[]]]]]`, `{"a":1}`, `"x"`,
	} {
		f.Add([]byte(s), "tid-til", 1)
	}
	f.Fuzz(func(t *testing.T, src []byte, comp string, row int) {
		e, err := expr.Parse(src)
		if err != nil {
			return
		}
		c := Context{Lang: "nn", Argv: []expr.Value{expr.String("x")}}
		if def.Component(comp) != nil {
			c.Component = comp
			c.Rows = []int{row % 5}
		}
		_, _ = def.Eval(e, data, c)
	})
}

// FuzzDecodeForm posts arbitrary values to a page: errors, never a panic.
func FuzzDecodeForm(f *testing.F) {
	def := loadSkjenk(f)
	data := loadData(f, "skjenkebevilling-valid.json")
	f.Add("/bevilling/skjenketider~rows=3&_add=/bevilling/skjenketider&/bevilling/fraDato~day=1")
	f.Add("_remove=/bevilling/skjenketider/0&/bevilling/skjenketider~rows=-5")
	f.Add("/bevilling/alkoholgrupper=1&/bevilling/alkoholgrupper=1&/bevilling/alkoholgrupper=9&/bevilling/alkoholgrupper=3&/bevilling/alkoholgrupper=2")
	f.Add("/skjenkested/navn=Bar%00%F0%9F%8D%BA%ff%fe&/skjenkested/type=bar%00&%ff=1")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		for _, p := range def.Pages {
			d, _, err := def.DecodeForm(p.ID, form, data)
			if err != nil {
				continue
			}
			// Whatever was posted, every store can keep the draft.
			if !text.ValidValue(d) {
				t.Fatalf("%s: decoded data holds text no store can keep", p.ID)
			}
			def.Validate(d, Options{})
		}
	})
}

// FuzzParseDefinition loads arbitrary definitions: errors, never a panic.
func FuzzParseDefinition(f *testing.F) {
	b, err := os.ReadFile("testdata/alltypes.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"id":"f","version":1,"title":"t","texts":{"t":{"nb":"T","nn":"T","en":"T"}},"pages":[{"id":"p","title":"t","components":[{"id":"r","type":"repeating","bind":"/r","rowHidden":["component","x"],"components":[{"id":"x","type":"text","bind":"/x","label":"t","hidden":["component","x"]}]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		def, err := Parse(b)
		if err != nil {
			return
		}
		def.Validate(Data{}, Options{})
		var out bytes.Buffer
		for _, p := range def.Pages {
			if err := (&Renderer{}).RenderPage(&out, def, p.ID, Data{}, nil, "en"); err != nil {
				t.Fatal(err)
			}
		}
	})
}
