package forms_test

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
)

const summaryForm = `{
  "id": "arrangement", "version": 1, "title": "title",
  "texts": {
    "title":   {"nb": "Arrangement", "nn": "Arrangement", "en": "Event"},
    "p1":      {"nb": "Om arrangementet", "nn": "Om arrangementet", "en": "About the event"},
    "p2":      {"nb": "Ekstra", "nn": "Ekstra", "en": "Extra"},
    "navn":    {"nb": "Navn", "nn": "Namn", "en": "Name"},
    "dato":    {"nb": "Dato", "nn": "Dato", "en": "Date"},
    "belop":   {"nb": "Beløp", "nn": "Beløp", "en": "Amount"},
    "type":    {"nb": "Type", "nn": "Type", "en": "Kind"},
    "konsert": {"nb": "Konsert", "nn": "Konsert", "en": "Concert"},
    "marked":  {"nb": "Marked", "nn": "Marknad", "en": "Market"},
    "info":    {"nb": "Les dette", "nn": "Les dette", "en": "Read this"},
    "styrer":  {"nb": "Styrer", "nn": "Styrar", "en": "Manager"},
    "fnr":     {"nb": "Fødselsnummer", "nn": "Fødselsnummer", "en": "National identity number"},
    "hemmelig": {"nb": "Skjult", "nn": "Skjult", "en": "Hidden"},
    "vakter":  {"nb": "Vakter", "nn": "Vakter", "en": "Guards"},
    "vakt":    {"nb": "Vakt", "nn": "Vakt", "en": "Guard"},
    "filer":   {"nb": "Vedlegg", "nn": "Vedlegg", "en": "Attachments"},
    "skjult":  {"nb": "Skjult side", "nn": "Skjult side", "en": "Hidden page"}
  },
  "pages": [
    {"id": "om", "title": "p1", "components": [
      {"id": "info", "type": "info", "label": "info"},
      {"id": "navn", "type": "text", "bind": "/navn", "label": "navn"},
      {"id": "dato", "type": "date", "bind": "/dato", "label": "dato"},
      {"id": "belop", "type": "amount", "bind": "/belop", "label": "belop"},
      {"id": "type", "type": "radio", "bind": "/type", "label": "type",
       "options": [{"value": "konsert", "label": "konsert"}, {"value": "marked", "label": "marked"}]},
      {"id": "hemmelig", "type": "text", "bind": "/hemmelig", "label": "hemmelig",
       "hidden": ["equals", ["component", "type"], "konsert"]},
      {"id": "styrer", "type": "group", "label": "styrer", "components": [
        {"id": "styrer-navn", "type": "text", "bind": "/styrer/navn", "label": "navn"},
        {"id": "styrer-fnr", "type": "fodselsnummer", "bind": "/styrer/fnr", "label": "fnr"}
      ]},
      {"id": "vakter", "type": "repeating", "bind": "/vakter", "label": "vakter", "components": [
        {"id": "vakt", "type": "text", "bind": "/navn", "label": "vakt"}
      ]},
      {"id": "filer", "type": "file", "bind": "/filer", "label": "filer"}
    ]},
    {"id": "skjult", "title": "skjult", "hidden": ["equals", ["component", "type"], "konsert"], "components": [
      {"id": "ekstra", "type": "text", "bind": "/ekstra", "label": "navn"}
    ]}
  ]
}`

// citizen is text a citizen may type: emoji, Arabic (right to left), a
// bidi override and control characters.
const citizen = "Kari 🎉 مرحبا \u202e\u0007\x1b[31m"

func summaryData() forms.Data {
	return forms.Data{
		"navn": citizen, "dato": "2027-03-01", "belop": "1500.5", "type": "konsert",
		"hemmelig": "ikke vis meg", "ekstra": "heller ikke meg",
		"styrer": map[string]any{"navn": "Ola", "fnr": "20036914700"},
		"vakter": []any{map[string]any{"navn": "Per"}, map[string]any{"navn": "Pål"}},
		"filer":  []any{map[string]any{"id": "f1", "name": "løyve.pdf", "size": 2048.0}},
	}
}

// flat is a summary as "Label=Text" lines, repeating groups' rows indented.
func flat(secs []forms.SummarySection) []string {
	var out []string
	var rows func(rs []forms.SummaryRow, indent string)
	rows = func(rs []forms.SummaryRow, indent string) {
		for _, r := range rs {
			out = append(out, indent+r.Label+"="+r.Text("; "))
			for _, ch := range r.Children {
				rows(ch, indent+"  ")
			}
		}
	}
	for _, s := range secs {
		out = append(out, "# "+s.Title)
		rows(s.Rows, "")
	}
	return out
}

func TestSummary(t *testing.T) {
	def := forms.MustParse([]byte(summaryForm))
	for _, tc := range []struct {
		lang i18n.Lang
		mask bool
		want []string
	}{
		{i18n.NB, false, []string{"# Om arrangementet", "Navn=" + citizen, "Dato=1. mars 2027", "Beløp=1 500,50 kr", "Type=Konsert",
			"Styrer: Navn=Ola", "Styrer: Fødselsnummer=20036914700", "Vakter=", "  Vakt=Per", "  Vakt=Pål", "Vedlegg=løyve.pdf (2 kB)"}},
		{i18n.NN, true, []string{"# Om arrangementet", "Namn=" + citizen, "Dato=1. mars 2027", "Beløp=1 500,50 kr", "Type=Konsert",
			"Styrar: Namn=Ola", "Styrar: Fødselsnummer=200369*****", "Vakter=", "  Vakt=Per", "  Vakt=Pål", "Vedlegg=løyve.pdf (2 kB)"}},
		{i18n.EN, false, []string{"# About the event", "Name=" + citizen, "Date=1 March 2027", "Amount=NOK 1,500.50", "Kind=Concert",
			"Manager: Name=Ola", "Manager: National identity number=20036914700", "Guards=", "  Guard=Per", "  Guard=Pål", "Attachments=løyve.pdf (2 kB)"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			got := flat(def.Summary(summaryData(), forms.SummaryOptions{Lang: tc.lang, MaskPersonalNumbers: tc.mask}))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("summary\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	// Shown, the hidden page and component come in; unanswered is said so.
	d := summaryData()
	d["type"] = "marked"
	delete(d, "belop")
	secs := def.Summary(d, forms.SummaryOptions{})
	got := strings.Join(flat(secs), "\n")
	for _, want := range []string{"Type=Marked", "Skjult=ikke vis meg", "# Skjult side\nNavn=heller ikke meg", "Beløp=Ikke besvart"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if secs[0].Page != "om" || secs[1].Page != "skjult" || secs[0].Rows[2].ID != "belop" || !secs[0].Rows[2].Empty || secs[0].Rows[0].Empty {
		t.Errorf("sections %q %q, row %+v", secs[0].Page, secs[1].Page, secs[0].Rows[2])
	}
	for _, r := range secs[0].Rows {
		if r.ChangeHref != "" {
			t.Errorf("%s: a change link outside the check page", r.ID)
		}
	}
}

// FuzzSummary summarises any data against a form with every kind of field:
// rows with labels and the citizen's text whole, never a panic.
func FuzzSummary(f *testing.F) {
	def := forms.MustParse([]byte(summaryForm))
	f.Add(`{"navn":"x","type":"marked","vakter":[{"navn":"a"},3,null],"filer":[{"name":"a","size":-1},"x"]}`, "nb")
	f.Add(`{"dato":"2027-02-30","belop":"1e400","styrer":[],"vakter":{"navn":"x"}}`, "en")
	f.Add(`{"navn":"\u0000\ud800","type":["konsert"]}`, "nn")
	f.Fuzz(func(t *testing.T, body, lang string) {
		d, err := def.ParseData(strings.NewReader(body))
		if err != nil {
			return
		}
		for _, s := range def.Summary(d, forms.SummaryOptions{Lang: i18n.Lang(lang)}) {
			for _, line := range flat([]forms.SummarySection{s}) {
				if !utf8.ValidString(line) && utf8.ValidString(body) {
					t.Fatalf("summary line %q is not UTF-8", line)
				}
			}
		}
		if n, ok := d["navn"].(string); ok {
			secs := def.Summary(d, forms.SummaryOptions{})
			if len(secs) == 0 || secs[0].Rows[0].Value != n && n != "" {
				t.Fatalf("the name %q did not come back as given", n)
			}
		}
	})
}
