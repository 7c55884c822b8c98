package forms

import (
	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"

	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed templates/*.html templates/*.css
var templateFS embed.FS

// builtin is parsed once; Renderers clone it before adding their own.
var builtin = template.Must(template.New("forms").Funcs(template.FuncMap{
	"msg": func(key string, lang i18n.Lang) string { return message(key, lang) },
}).ParseFS(templateFS, "templates/*.html"))

var builtinCSS = func() template.CSS {
	b, err := templateFS.ReadFile("templates/forms.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

// CSS returns the built-in stylesheet, for a service that serves it as a
// file (Renderer.Stylesheet) under a Content-Security-Policy without
// 'unsafe-inline'.
func CSS() []byte { return []byte(builtinCSS) }

// Renderer writes a form as server-side HTML that works without JavaScript,
// in the GOV.UK error pattern: "Feil: " in the title, an error summary that
// takes focus with links to the fields, the same message inline and tied to
// the field with aria-describedby, fieldset and legend for groups and date
// parts. CSS classes are Designsystemet's ds-* names.
//
// The zero Renderer uses the built-in templates and inline CSS.
type Renderer struct {
	// Templates, when set, overrides built-in templates by name: "page",
	// "check", "receipt", "head", "field", "summary-rows" and so on.
	// "receipt-next", empty by default, stands on the receipt between the
	// confirmation and the answers: the way on (to a payment, say).
	Templates *template.Template
	// Stylesheet is the URL of a stylesheet to link instead of the built-in
	// inline CSS.
	Stylesheet string
	// BasePath is where the form is served; page URLs are BasePath/PAGE,
	// the check page BasePath/check and the receipt BasePath/receipt.
	BasePath string
	// Location is the zone dates are shown in; default Europe/Oslo.
	Location *time.Location
	// Hidden is put inside every form the pages post (a CSRF token's hidden
	// input, say); Flow.Hidden sets it per request.
	Hidden template.HTML
}

// compiled holds the template set of each Renderer.Templates (the nil key:
// the built-in templates alone), made on a Renderer's first render: cloning
// and escaping the built-in templates again for every page cost a third of
// a page's time. html/template executes a set from many goroutines at once.
var compiled sync.Map // *template.Template → *template.Template

// compileEach makes tmpl compile afresh on every render, as every render
// did before the cache: BenchmarkRenderPageBaselineClone's baseline.
var compileEach bool

// tmpl returns the built-in templates with r.Templates' in place of those
// of the same name, made once per r.Templates (which must not change after
// a Renderer that uses it has rendered).
func (r *Renderer) tmpl() (*template.Template, error) {
	if compileEach {
		return r.compile()
	}
	if t, ok := compiled.Load(r.Templates); ok {
		return t.(*template.Template), nil
	}
	t, err := r.compile()
	if err != nil {
		return nil, err
	}
	actual, _ := compiled.LoadOrStore(r.Templates, t)
	return actual.(*template.Template), nil
}

// compile makes the template set of r.Templates afresh.
func (r *Renderer) compile() (*template.Template, error) {
	t, err := builtin.Clone()
	if err != nil {
		return nil, err
	}
	if r.Templates != nil {
		for _, x := range r.Templates.Templates() {
			if x.Tree == nil {
				continue
			}
			if _, err := t.AddParseTree(x.Name(), x.Tree); err != nil {
				return nil, fmt.Errorf("forms: template %q: %w", x.Name(), err)
			}
		}
	}
	return t, nil
}

// PageView is what the page template gets.
type PageView struct {
	Lang                         i18n.Lang
	Title, FormTitle, PageTitle  string
	PageNumber, PageCount        int
	Action, BackHref, Stylesheet string
	CSS                          template.CSS
	Errors                       []ErrorLink
	Fields                       []*FieldView
	Last                         bool // the last page: Continue goes to the check page
	Hidden                       template.HTML
}

// ErrorLink is one entry of the error summary.
type ErrorLink struct {
	Href, Message string
}

// FieldView is one component as the templates see it.
type FieldView struct {
	ID, Name, Type, Label, Description, Error string
	Value                                     string
	Lang                                      i18n.Lang
	Autocomplete, InputMode                   string
	ReadOnly                                  bool
	Options                                   []OptionView
	Day, Month, Year                          string       // date
	Line, Postnummer, Poststed                string       // address
	Files                                     []File       // file
	Accept                                    string       // file
	Limits                                    string       // file
	Children                                  []*FieldView // group
	Rows                                      []RowView    // repeating
	RowCount                                  int
	CanAdd, CanRemove                         bool
	AddLabel                                  string
	PartErrors                                map[string]string // address parts
}

// DescribedBy is the aria-describedby value: the hint and the error.
func (f *FieldView) DescribedBy() string {
	var ids []string
	if f.Description != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// OptionView is one radio button, checkbox or select option.
type OptionView struct {
	ID, Value, Label string
	Checked          bool
}

// RowView is one row of a repeating group.
type RowView struct {
	Legend, RemoveValue string
	Fields              []*FieldView
}

// RenderPage writes one page of the form with the data so far and, after a
// failed Continue, the errors of res (nil for none).
func (r *Renderer) RenderPage(w io.Writer, def *Definition, pageID string, data Data, res *Result, lang i18n.Lang) error {
	lang = normLang(lang)
	p, idx := def.page(pageID)
	if p == nil {
		return fmt.Errorf("forms: no page %q", pageID)
	}
	st := newState(def, data, lang, r.Location)
	b := &viewBuilder{def: def, st: st, lang: lang, errs: map[string]string{}}
	if res != nil {
		for _, e := range res.Errors {
			if e.Page == pageID {
				if _, dup := b.errs[e.Pointer]; !dup {
					b.errs[e.Pointer] = e.Message
				}
			}
		}
	}
	v := &PageView{
		Lang: lang, FormTitle: def.Text(def.Title, lang), PageTitle: def.Text(p.Title, lang),
		PageNumber: idx + 1, PageCount: len(def.Pages), Action: r.BasePath + "/" + p.ID,
		Stylesheet: r.Stylesheet, Last: def.nextPage(idx, st) < 0, Hidden: r.Hidden,
	}
	if prev := def.prevPage(idx, st); prev >= 0 {
		v.BackHref = r.BasePath + "/" + def.Pages[prev].ID
	}
	if r.Stylesheet == "" {
		v.CSS = builtinCSS
	}
	v.Fields = b.fields(p.Components, data, nil, nil)
	v.Errors = b.links
	v.Title = v.PageTitle + " – " + v.FormTitle
	if len(v.Errors) > 0 {
		v.Title = message("errorPrefix", lang) + v.Title
	}
	return r.exec(w, "page", v)
}

func (r *Renderer) exec(w io.Writer, name string, v any) error {
	t, err := r.tmpl()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		return fmt.Errorf("forms: rendering %s: %w", name, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// normLang is the language a page is written in: nb, nn or en (nb for
// any other).
func normLang(lang i18n.Lang) i18n.Lang {
	switch lang {
	case i18n.NN, i18n.EN:
		return lang
	}
	return i18n.NB
}

func (def *Definition) page(id string) (*Page, int) {
	for i, p := range def.Pages {
		if p.ID == id {
			return p, i
		}
	}
	return nil, -1
}

// nextPage returns the index of the next visible page after i, or -1.
func (def *Definition) nextPage(i int, st *state) int {
	for j := i + 1; j < len(def.Pages); j++ {
		if h, err := st.pageHidden(def.Pages[j]); err != nil || !h {
			return j
		}
	}
	return -1
}

func (def *Definition) prevPage(i int, st *state) int {
	for j := i - 1; j >= 0; j-- {
		if h, err := st.pageHidden(def.Pages[j]); err != nil || !h {
			return j
		}
	}
	return -1
}

// NextPage returns the id of the visible page after pageID for data, or ""
// after the last one (then comes the check page).
func (def *Definition) NextPage(pageID string, data Data) string {
	_, i := def.page(pageID)
	if i < 0 {
		return ""
	}
	if j := def.nextPage(i, newState(def, data, "nb", nil)); j >= 0 {
		return def.Pages[j].ID
	}
	return ""
}

// FirstPage returns the id of the first visible page.
func (def *Definition) FirstPage(data Data) string {
	st := newState(def, data, "nb", nil)
	if j := def.nextPage(-1, st); j >= 0 {
		return def.Pages[j].ID
	}
	return ""
}

type viewBuilder struct {
	def   *Definition
	st    *state
	lang  i18n.Lang
	errs  map[string]string // pointer → message
	links []ErrorLink
}

func htmlID(c *Component, rows []int) string {
	var sb strings.Builder
	sb.WriteString("f-")
	sb.WriteString(c.ID)
	for _, r := range rows {
		sb.WriteByte('-')
		sb.WriteString(strconv.Itoa(r))
	}
	return sb.String()
}

// errAt takes the error for a pointer (once) and adds it to the summary.
func (b *viewBuilder) errAt(ptr, href string) string {
	msg, ok := b.errs[ptr]
	if !ok {
		return ""
	}
	delete(b.errs, ptr)
	b.links = append(b.links, ErrorLink{Href: "#" + href, Message: msg})
	return msg
}

func (b *viewBuilder) fields(cs []*Component, scope any, rows []int, ptr []string) []*FieldView {
	var out []*FieldView
	for _, c := range cs {
		if h, err := b.st.isHidden(c, rows); err == nil && h {
			continue
		}
		out = append(out, b.field(c, scope, rows, ptr))
	}
	return out
}

func str(x any) string {
	switch x := x.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case float64:
		return expr.FormatNumber(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func (b *viewBuilder) field(c *Component, scope any, rows []int, ptr []string) *FieldView {
	id := htmlID(c, rows)
	if c.BindRoot {
		scope, ptr = b.st.data, nil
	}
	fp := concat(ptr, c.segs)
	f := &FieldView{ID: id, Name: pointer(fp), Type: string(c.Type), Autocomplete: c.Autocomplete, Lang: b.lang}
	if c.Label != "" {
		f.Label = b.def.Text(c.Label, b.lang)
	}
	if c.Description != "" {
		f.Description = b.def.Text(c.Description, b.lang)
	}
	if c.ReadOnly != nil {
		ro, err := b.st.evalBool(c.ReadOnly, c, rows, nil)
		f.ReadOnly = err == nil && ro
	}
	var x any
	if c.Type.bound() {
		x, _ = walk(scope, c.segs)
	}
	switch c.Type {
	case TypeInfo:
	case TypeGroup:
		f.Children = b.fields(c.Components, scope, rows, ptr)
	case TypeRepeating:
		b.rowsView(f, c, x, rows, fp)
	case TypeRadio, TypeSelect, TypeCheckboxes, TypeYesNo:
		b.optionsView(f, c, x)
	case TypeDate:
		b.dateView(f, x)
	case TypeAddress:
		b.addressView(f, x)
	case TypeFile:
		b.filesView(f, c, x)
	default:
		f.Value = str(x)
		f.Error = b.errAt(f.Name, id)
		switch c.Type {
		case TypeNumber, TypeAmount:
			f.InputMode = "decimal"
		case TypeFodselsnummer, TypeOrgnr, TypePostnummer, TypeKontonummer:
			f.InputMode = "numeric"
		}
		if f.Autocomplete == "" {
			f.Autocomplete = defaultAutocomplete[c.Type]
		}
	}
	return f
}

// rowsView fills in a repeating group's visible rows, up to its limit, and
// whether a row may be added or removed; fp is the group's pointer.
func (b *viewBuilder) rowsView(f *FieldView, c *Component, x any, rows []int, fp []string) {
	arr, _ := x.([]any)
	max := c.MaxRows
	if max == 0 || max > b.def.Limits.MaxRows {
		max = b.def.Limits.MaxRows
	}
	if len(arr) > max {
		arr = arr[:max]
	}
	f.Error = b.errAt(f.Name, f.ID+"-add")
	for i, row := range arr {
		rr := append(slices.Clip(rows), i)
		if c.RowHidden != nil {
			if h, err := b.st.evalBool(c.RowHidden, c, rr, nil); err == nil && h {
				continue
			}
		}
		rp := concat(fp, nil, strconv.Itoa(i))
		f.Rows = append(f.Rows, RowView{
			Legend:      fmt.Sprintf("%s %d", message("row", b.lang), i+1),
			RemoveValue: pointer(rp),
			Fields:      b.fields(c.Components, row, rr, rp),
		})
	}
	f.RowCount = len(arr)
	f.CanAdd = len(arr) < max
	f.CanRemove = len(arr) > c.MinRows
	f.AddLabel = message("addRow", b.lang)
	if c.AddLabel != "" {
		f.AddLabel = b.def.Text(c.AddLabel, b.lang)
	}
}

// optionsView fills in the choices of a radio, select, checkbox or yes/no
// field, with those chosen in x checked.
func (b *viewBuilder) optionsView(f *FieldView, c *Component, x any) {
	opts := c.Options
	if c.Type == TypeYesNo {
		opts = []Option{{Value: "ja"}, {Value: "nei"}}
	}
	var chosen []string
	if arr, ok := x.([]any); ok {
		for _, a := range arr {
			chosen = append(chosen, str(a))
		}
	} else if s := str(x); s != "" {
		chosen = []string{s}
	}
	for i, o := range opts {
		label := ""
		switch {
		case c.Type == TypeYesNo && o.Value == "ja":
			label = message("yes", b.lang)
		case c.Type == TypeYesNo:
			label = message("no", b.lang)
		default:
			label = b.def.Text(o.Label, b.lang)
		}
		oid := f.ID
		if i > 0 && c.Type != TypeSelect {
			oid = f.ID + "-" + strconv.Itoa(i)
		}
		f.Options = append(f.Options, OptionView{ID: oid, Value: o.Value, Label: label, Checked: slices.Contains(chosen, o.Value)})
	}
	f.Error = b.errAt(f.Name, f.ID)
}

// dateView splits a date into its day, month and year fields; what a
// citizen typed that is no date is shown back as typed.
func (b *viewBuilder) dateView(f *FieldView, x any) {
	s := str(x)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		f.Day, f.Month, f.Year = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
	} else if parts := strings.Split(s, "-"); len(parts) == 3 {
		f.Year, f.Month, f.Day = parts[0], parts[1], parts[2]
	}
	f.InputMode = "numeric"
	f.Error = b.errAt(f.Name, f.ID+"-day")
}

// addressView fills in an address's parts and their errors; the field's
// error reads them all.
func (b *viewBuilder) addressView(f *FieldView, x any) {
	m, _ := x.(map[string]any)
	f.Line, f.Postnummer, f.Poststed = str(m[AddressLine]), str(m[AddressPostnummer]), str(m[AddressPoststed])
	f.PartErrors = map[string]string{}
	hrefs := map[string]string{AddressLine: f.ID + "-line", AddressPostnummer: f.ID + "-postnummer", AddressPoststed: f.ID + "-poststed"}
	var msgs []string
	if whole := b.errAt(f.Name, f.ID+"-line"); whole != "" {
		msgs = append(msgs, whole)
	}
	for _, part := range []string{AddressLine, AddressPostnummer, AddressPoststed} {
		if e := b.errAt(f.Name+"/"+part, hrefs[part]); e != "" {
			f.PartErrors[part] = e
			msgs = append(msgs, e)
		}
	}
	f.Error = strings.Join(msgs, " ")
}

// filesView lists a file field's uploads, its limits, and the errors of
// the field and of each file.
func (b *viewBuilder) filesView(f *FieldView, c *Component, x any) {
	if arr, ok := x.([]any); ok {
		for _, e := range arr {
			if m, ok := e.(map[string]any); ok {
				size, _, _ := number(m["size"])
				f.Files = append(f.Files, File{ID: str(m["id"]), Name: str(m["name"]), ContentType: str(m["contentType"]), Size: int64(size)})
			}
		}
	}
	f.Accept = strings.Join(c.Accept, ",")
	f.Limits = message("fileLimits", b.lang, "{max}", FormatBytes(c.maxSize(b.def.Limits)))
	msgs := []string{}
	if e := b.errAt(f.Name, f.ID); e != "" {
		msgs = append(msgs, e)
	}
	for i := range c.maxFiles() + 1 {
		if e := b.errAt(f.Name+"/"+strconv.Itoa(i), f.ID); e != "" {
			msgs = append(msgs, e)
		}
	}
	f.Error = strings.Join(msgs, " ")
}

var defaultAutocomplete = map[Type]string{
	TypeEmail: "email", TypePhone: "tel", TypePostnummer: "postal-code",
	TypeFodselsnummer: "off", TypeOrgnr: "off", TypeKontonummer: "off",
}

// SummaryView is what the check-your-answers and receipt templates get.
type SummaryView struct {
	Lang                           i18n.Lang
	Title, FormTitle, Stylesheet   string
	CSS                            template.CSS
	Action, BackHref               string
	Sections                       []SummarySection
	Reference, SubmittedAt, Digest string
	Hidden                         template.HTML // inside the check page's form
}

// RenderCheck writes the check-your-answers page: every visible answer by
// page, with "Endre" links back to each page and the final submit button.
func (r *Renderer) RenderCheck(w io.Writer, def *Definition, data Data, lang i18n.Lang) error {
	lang = normLang(lang)
	st := newState(def, data, lang, r.Location)
	v := &SummaryView{
		Lang: lang, FormTitle: def.Text(def.Title, lang), Stylesheet: r.Stylesheet,
		Action: r.BasePath + "/check", Sections: r.withChangeLinks(def.Summary(data, SummaryOptions{Lang: lang, Location: r.Location}), lang),
		Hidden: r.Hidden,
	}
	v.Title = message("checkAnswers", lang) + " – " + v.FormTitle
	if last := def.prevPage(len(def.Pages), st); last >= 0 {
		v.BackHref = r.BasePath + "/" + def.Pages[last].ID
	}
	if r.Stylesheet == "" {
		v.CSS = builtinCSS
	}
	return r.exec(w, "check", v)
}
