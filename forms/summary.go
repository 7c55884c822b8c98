package forms

import (
	"slices"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

// SummaryOptions says how Summary writes the answers.
type SummaryOptions struct {
	Lang     i18n.Lang      // nb (default), nn or en
	Location *time.Location // default Europe/Oslo, for expressions that read the time
	// MaskPersonalNumbers shows a fødselsnummer as its birth date and five
	// asterisks ("010190*****"), for copies others than the citizen read:
	// an archive copy, a letter.
	MaskPersonalNumbers bool
}

// SummarySection is one page's answers.
type SummarySection struct {
	Page  string // the page's ID
	Title string // the page's title in the summary's language
	// ChangeHref links to the page; only the check page sets it.
	ChangeHref string
	Rows       []SummaryRow
}

// SummaryRow is one answer. Value holds a one-line answer, Lines one in
// parts (an address, files, checkboxes), Children the rows of each entry of
// a repeating group. The text is the citizen's as given: emoji, right-to-left
// script and control characters are kept, so show it through html/template
// (which escapes it) or site.PDFString (which draws it).
type SummaryRow struct {
	ID    string // the component's ID
	Type  Type
	Label string // the component's label, after its group's: "Styrer: Fullt navn"
	Value string
	Lines []string
	// Children are the rows of a repeating group's entries, one slice each.
	Children [][]SummaryRow
	// Empty reports that the answer is missing: Value then says so in the
	// summary's language ("Ikke besvart").
	Empty bool
	// ChangeHref and ChangeText link to the field; only the check page sets them.
	ChangeHref, ChangeText string

	page, anchor string // for the check page's change links
}

// Text returns the answer on one line: Value, or Lines joined by sep.
func (r SummaryRow) Text(sep string) string {
	if len(r.Lines) > 0 {
		return strings.Join(r.Lines, sep)
	}
	return r.Value
}

// Summary lists the answers in data as a citizen reads them, page by page
// in form order, with the definition's labels in o.Lang: option labels for
// choices, dates as "1. mars 2027", amounts in kroner, files by name and
// size, every entry of a repeating group. Hidden pages and components are
// left out, as are info texts; pages without an answer too. It is what the
// check-your-answers page, the receipt and any letter or officer's page show,
// so that they all agree. Pass data as stored (Result.Data).
func (def *Definition) Summary(data Data, o SummaryOptions) []SummarySection {
	s := summarizer{def: def, st: newState(def, data, o.Lang, o.Location), lang: normLang(o.Lang), loc: o.Location, mask: o.MaskPersonalNumbers}
	if s.loc == nil {
		s.loc = civil.Oslo
	}
	var secs []SummarySection
	for _, p := range def.Pages {
		if h, err := s.st.pageHidden(p); err == nil && h {
			continue
		}
		sec := SummarySection{Page: p.ID, Title: def.Text(p.Title, s.lang)}
		sec.Rows = s.rows(p.Components, data, nil, "")
		if len(sec.Rows) > 0 {
			secs = append(secs, sec)
		}
	}
	return secs
}

type summarizer struct {
	def  *Definition
	st   *state
	lang i18n.Lang
	loc  *time.Location
	mask bool
}

// rows lists the answers of cs; prefix is the label of the group they are
// in, so that "Styrer: Fullt navn" and "Stedfortreder: Fullt navn" differ.
func (s *summarizer) rows(cs []*Component, scope any, rows []int, prefix string) []SummaryRow {
	var out []SummaryRow
	for _, c := range cs {
		if h, err := s.st.isHidden(c, rows); err == nil && h {
			continue
		}
		switch c.Type {
		case TypeInfo:
			continue
		case TypeGroup:
			out = append(out, s.rows(c.Components, scope, rows, s.def.Text(c.Label, s.lang))...)
			continue
		}
		row := SummaryRow{ID: c.ID, Type: c.Type, Label: s.def.Text(c.Label, s.lang), page: c.page.ID, anchor: htmlID(c, rows)}
		if prefix != "" {
			row.Label = prefix + ": " + row.Label
		}
		sc := scope
		if c.BindRoot {
			sc = s.st.data
		}
		x, _ := walk(sc, c.segs)
		if c.Type == TypeRepeating {
			arr, _ := x.([]any)
			for i, e := range arr {
				rr := append(slices.Clip(rows), i)
				if c.RowHidden != nil {
					if h, err := s.st.evalBool(c.RowHidden, c, rr, nil); err == nil && h {
						continue
					}
				}
				row.Children = append(row.Children, s.rows(c.Components, e, rr, ""))
			}
			if len(arr) > 0 { // the check page links to "add another"
				row.anchor += "-add"
			}
			if len(row.Children) == 0 {
				row.Value, row.Empty = message("notAnswered", s.lang), true
			}
			out = append(out, row)
			continue
		}
		row.Value, row.Lines = DisplayValue(s.def, c, x, s.lang, s.loc)
		if s.mask && c.Type == TypeFodselsnummer && len(row.Value) == 11 {
			row.Value = row.Value[:6] + "*****"
		}
		if row.Value == "" && len(row.Lines) == 0 {
			row.Value, row.Empty = message("notAnswered", s.lang), true
		}
		out = append(out, row)
	}
	return out
}

// withChangeLinks adds the check page's links back to each page and field.
func (r *Renderer) withChangeLinks(secs []SummarySection, lang i18n.Lang) []SummarySection {
	var link func(rows []SummaryRow)
	link = func(rows []SummaryRow) {
		for i := range rows {
			row := &rows[i]
			row.ChangeHref = r.BasePath + "/" + row.page + "#" + row.anchor
			row.ChangeText = message("change", lang)
			for _, ch := range row.Children {
				link(ch)
			}
		}
	}
	for i := range secs {
		secs[i].ChangeHref = r.BasePath + "/" + secs[i].Page
		link(secs[i].Rows)
	}
	return secs
}

// DisplayValue is how an answer reads on the check page and the receipt:
// option labels, Ja/Nei, dates as "1. mars 2027", kroner with thin groups.
// Multi-part values (addresses, files, checkboxes) come back as lines.
func DisplayValue(def *Definition, c *Component, x any, lang i18n.Lang, loc *time.Location) (string, []string) {
	label := func(v string) string {
		for _, o := range c.Options {
			if o.Value == v {
				return def.Text(o.Label, lang)
			}
		}
		return v
	}
	switch c.Type {
	case TypeRadio, TypeSelect:
		if s := str(x); s != "" {
			return label(s), nil
		}
	case TypeYesNo:
		switch str(x) {
		case "ja":
			return message("yes", lang), nil
		case "nei":
			return message("no", lang), nil
		}
	case TypeCheckboxes:
		arr, _ := x.([]any)
		var lines []string
		for _, a := range arr {
			lines = append(lines, label(str(a)))
		}
		return "", lines
	case TypeDate:
		t, err := time.ParseInLocation(time.DateOnly, str(x), loc)
		if err != nil {
			return str(x), nil
		}
		if lang == i18n.EN {
			return lang.Format(t, "d MMMM yyyy"), nil
		}
		return lang.Format(t, "d. MMMM yyyy"), nil
	case TypeAmount:
		a, problem := amountOf(x)
		if problem != "" {
			return str(x), nil
		}
		return lang.Amount(a), nil
	case TypeKontonummer:
		s := str(x)
		if len(s) == 11 {
			return s[:4] + "." + s[4:6] + "." + s[6:], nil
		}
		return s, nil
	case TypeAddress:
		m, _ := x.(map[string]any)
		if m == nil {
			return "", nil
		}
		var lines []string
		if l := str(m[AddressLine]); l != "" {
			lines = append(lines, l)
		}
		if pn := strings.TrimSpace(str(m[AddressPostnummer]) + " " + str(m[AddressPoststed])); pn != "" {
			lines = append(lines, pn)
		}
		return "", lines
	case TypeFile:
		arr, _ := x.([]any)
		var lines []string
		for _, e := range arr {
			if m, ok := e.(map[string]any); ok {
				size, _, _ := number(m["size"])
				lines = append(lines, str(m["name"])+" ("+FormatBytes(int64(size))+")")
			}
		}
		return "", lines
	}
	return str(x), nil
}
