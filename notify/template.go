package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/grunnmur/grunnmur/internal/text"
)

// Langs are the languages every template has a text in.
var Langs = []string{"nb", "nn", "en"}

// DefaultMaxSegments is a template's MaxSegments when it gives none.
const DefaultMaxSegments = 3

// Template errors.
var (
	// ErrTemplate is what every *TemplateError matches: a template set that
	// fails its checks at load.
	ErrTemplate = errors.New("notify: bad template")
	// ErrUnknownTemplate is Render of a name the set does not hold.
	ErrUnknownTemplate = errors.New("notify: unknown template")
	// ErrLanguage is Render in a language other than nb, nn and en.
	ErrLanguage = errors.New("notify: unsupported language")
	// ErrPersonalisation is Render without a value for a placeholder.
	ErrPersonalisation = errors.New("notify: missing personalisation")
	// ErrTooLong is an SMS that renders to more segments than its template
	// allows; it is what every *SegmentsError matches.
	ErrTooLong = errors.New("notify: SMS too long")
)

// TemplateError is a template that fails a check at load: which template,
// language and placeholder (each "" when it is not about one) and what is
// wrong.
type TemplateError struct {
	Template, Lang, Placeholder, Problem string
}

func (e *TemplateError) Error() string {
	var b strings.Builder
	b.WriteString("notify: template")
	if e.Template != "" {
		fmt.Fprintf(&b, " %q", e.Template)
	}
	if e.Lang != "" {
		fmt.Fprintf(&b, " (%s)", e.Lang)
	}
	if e.Placeholder != "" {
		fmt.Fprintf(&b, " placeholder ((%s))", e.Placeholder)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// Is makes errors.Is(err, ErrTemplate) true.
func (e *TemplateError) Is(target error) bool { return target == ErrTemplate }

// SegmentsError is an SMS that renders longer than its template allows.
type SegmentsError struct {
	Template, Lang string
	Segments       Segments
	Max            int
}

func (e *SegmentsError) Error() string {
	return fmt.Sprintf("notify: template %q (%s): the SMS takes %d segments (%s), at most %d allowed",
		e.Template, e.Lang, e.Segments.Count, e.Segments.Encoding, e.Max)
}

// Is makes errors.Is(err, ErrTooLong) true.
func (e *SegmentsError) Is(target error) bool { return target == ErrTooLong }

// Template is one message in nb, nn and en, with ((placeholder))s filled in
// from the personalisation at Render.
//
// An e-mail body is plain text. Its HTML part is made from it: paragraphs
// between blank lines, a paragraph whose lines all start with "* " or "- "
// as a list, and https:// links in the template's own text as links. What
// the personalisation holds is always escaped, never markup.
type Template struct {
	Name    string  `json:"name"`
	Channel Channel `json:"channel"`
	// Urgent SMS goes out at once; other SMS wait for the daytime window.
	Urgent bool `json:"urgent,omitempty"`
	// MaxSegments bounds an SMS's length in segments; 0 means
	// DefaultMaxSegments.
	MaxSegments int `json:"maxSegments,omitempty"`
	// Placeholders are the names the texts may use, each in every language.
	Placeholders []string `json:"placeholders"`
	// Texts holds one Text for each of nb, nn and en.
	Texts map[string]Text `json:"texts"`
}

// Text is a template's text in one language. An SMS has a body only.
type Text struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

// part is literal text, or a placeholder when name is set.
type part struct{ lit, name string }

// block is a paragraph of lines, or a list of items.
type block struct {
	list  bool
	lines [][]part
}

type compiled struct {
	subject, body []part
	blocks        []block
}

// Templates is a checked set of templates. It is safe for concurrent use.
type Templates struct {
	byName map[string]*entry
}

type entry struct {
	t     Template
	langs map[string]*compiled
}

// ParseTemplates reads a JSON array of Templates, strictly (an unknown field
// is an error), and checks them as NewTemplates does.
func ParseTemplates(b []byte) (*Templates, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var ts []Template
	if err := d.Decode(&ts); err != nil {
		return nil, &TemplateError{Problem: "not a JSON array of templates: " + err.Error()}
	}
	if d.More() {
		return nil, &TemplateError{Problem: "text after the JSON array"}
	}
	return NewTemplates(ts...)
}

// NewTemplates checks each template and returns the set. Every fault is a
// *TemplateError naming the template, language and placeholder: a name used
// twice, a language missing or unknown, a ((placeholder)) not declared or not
// used in every language, a placeholder not closed, an e-mail without a
// subject, an SMS whose fixed text alone passes MaxSegments.
func NewTemplates(ts ...Template) (*Templates, error) {
	set := &Templates{byName: make(map[string]*entry, len(ts))}
	for _, t := range ts {
		e, err := compile(t)
		if err != nil {
			return nil, err
		}
		if _, dup := set.byName[t.Name]; dup {
			return nil, &TemplateError{Template: t.Name, Problem: "the name is used twice"}
		}
		set.byName[t.Name] = e
	}
	return set, nil
}

func compile(t Template) (*entry, error) {
	fail := func(lang, ph, problem string) error {
		return &TemplateError{Template: t.Name, Lang: lang, Placeholder: ph, Problem: problem}
	}
	if t.Name == "" || !text.Valid(t.Name) {
		return nil, fail("", "", "a template needs a name")
	}
	if t.Channel != Email && t.Channel != SMS {
		return nil, fail("", "", fmt.Sprintf("channel %q is neither email nor sms", t.Channel))
	}
	if t.MaxSegments < 0 || t.MaxSegments > 10 {
		return nil, fail("", "", fmt.Sprintf("maxSegments %d is not between 0 and 10", t.MaxSegments))
	}
	if t.MaxSegments == 0 {
		t.MaxSegments = DefaultMaxSegments
	}
	declared := make(map[string]bool, len(t.Placeholders))
	for _, p := range t.Placeholders {
		if !validName(p) {
			return nil, fail("", p, "not a placeholder name (letters, digits, space, _ - .)")
		}
		if declared[p] {
			return nil, fail("", p, "declared twice")
		}
		declared[p] = true
	}
	for lang := range t.Texts {
		if !slices.Contains(Langs, lang) {
			return nil, fail(lang, "", "not one of the languages nb, nn and en")
		}
	}
	e := &entry{t: t, langs: make(map[string]*compiled, len(Langs))}
	e.t.Placeholders = slices.Clone(t.Placeholders)
	e.t.Texts = make(map[string]Text, len(Langs))
	for _, lang := range Langs {
		tx, ok := t.Texts[lang]
		if !ok {
			return nil, fail(lang, "", "the language has no text")
		}
		e.t.Texts[lang] = tx
		c, err := compileText(t, lang, tx, declared)
		if err != nil {
			return nil, err
		}
		e.langs[lang] = c
	}
	return e, nil
}

// compileText checks and parses a template's text in one language.
func compileText(t Template, lang string, tx Text, declared map[string]bool) (*compiled, error) {
	fail := func(ph, problem string) error {
		return &TemplateError{Template: t.Name, Lang: lang, Placeholder: ph, Problem: problem}
	}
	if strings.TrimSpace(tx.Body) == "" {
		return nil, fail("", "the body is empty")
	}
	switch {
	case t.Channel == Email && strings.TrimSpace(tx.Subject) == "":
		return nil, fail("", "an e-mail needs a subject")
	case t.Channel == SMS && tx.Subject != "":
		return nil, fail("", "an SMS has no subject")
	case strings.ContainsAny(tx.Subject, "\r\n"):
		return nil, fail("", "the subject is more than one line")
	}
	c := &compiled{}
	var err error
	if c.subject, err = parse(tx.Subject); err != nil {
		return nil, fail("", "subject: "+err.Error())
	}
	if c.body, err = parse(tx.Body); err != nil {
		return nil, fail("", "body: "+err.Error())
	}
	used := map[string]bool{}
	for _, p := range slices.Concat(c.subject, c.body) {
		if p.name == "" {
			continue
		}
		if !declared[p.name] {
			return nil, fail(p.name, "unknown placeholder (not in placeholders)")
		}
		used[p.name] = true
	}
	for _, p := range t.Placeholders {
		if !used[p] {
			return nil, fail(p, "declared but not used in this language")
		}
	}
	if t.Channel == Email {
		c.blocks = blocks(tx.Body)
	} else if seg := CountSegments(literal(c.body)); seg.Count > t.MaxSegments {
		return nil, fail("", fmt.Sprintf("the fixed text alone takes %d segments, more than maxSegments %d", seg.Count, t.MaxSegments))
	}
	return c, nil
}

func literal(ps []part) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.lit)
	}
	return b.String()
}

func validName(s string) bool {
	if s == "" || len(s) > 64 || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == ' ' || r == '_' || r == '-' || r == '.' || strings.ContainsRune("æøåÆØÅ", r)
		if !ok {
			return false
		}
	}
	return true
}

// parse splits s into literal text and ((placeholder))s.
func parse(s string) ([]part, error) {
	if !text.Valid(s) {
		return nil, errors.New("not UTF-8 text without NUL")
	}
	var out []part
	for {
		i := strings.Index(s, "((")
		if i < 0 {
			if s != "" {
				out = append(out, part{lit: s})
			}
			return out, nil
		}
		if i > 0 {
			out = append(out, part{lit: s[:i]})
		}
		rest := s[i+2:]
		j := strings.Index(rest, "))")
		if j < 0 {
			return nil, fmt.Errorf("(( at byte %d is not closed with ))", len(s)-len(rest)-2)
		}
		name := rest[:j]
		if !validName(name) {
			return nil, fmt.Errorf("((%s)) is not a placeholder name (letters, digits, space, _ - .)", text.Truncate(name, 40))
		}
		out = append(out, part{name: name})
		s = rest[j+2:]
	}
}

// blocks splits an e-mail body into paragraphs and lists, each line parsed.
// parse has passed on the whole body, and a placeholder holds no newline, so
// each line parses.
func blocks(body string) []block {
	var out []block
	for _, para := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.Trim(para, "\n"), "\n")
		if len(lines) == 1 && strings.TrimSpace(lines[0]) == "" {
			continue
		}
		b := block{list: true}
		for _, l := range lines {
			if !strings.HasPrefix(l, "* ") && !strings.HasPrefix(l, "- ") {
				b.list = false
			}
		}
		for _, l := range lines {
			if b.list {
				l = l[2:]
			}
			ps, _ := parse(l)
			b.lines = append(b.lines, ps)
		}
		out = append(out, b)
	}
	return out
}

// Rendered is a template filled in, ready for Message.
type Rendered struct {
	Template string
	Lang     string
	Channel  Channel
	Urgent   bool
	Subject  string
	Text     string
	// HTML is a whole accessible HTML document (e-mail only).
	HTML string
	// Segments is the SMS's length (SMS only).
	Segments Segments
}

// Message returns the rendered text as a Message to key and to.
func (r *Rendered) Message(key string, to Address) Message {
	return Message{Key: key, Channel: r.Channel, To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Urgent: r.Urgent, Template: r.Template, Lang: r.Lang}
}

// Template returns the template called name.
func (ts *Templates) Template(name string) (Template, bool) {
	e, ok := ts.byName[name]
	if !ok {
		return Template{}, false
	}
	return e.t, true
}

// Render fills in the template called name in lang (nb, nn or en) with
// values. Each placeholder needs a value (ErrPersonalisation otherwise);
// values for no placeholder are ignored. Values are text as a citizen typed
// it: escaped in HTML, line breaks kept in bodies and folded in subjects.
// An SMS longer than the template's MaxSegments is a *SegmentsError.
func (ts *Templates) Render(name, lang string, values map[string]string) (*Rendered, error) {
	e, ok := ts.byName[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTemplate, text.Truncate(text.Clean(name), 64))
	}
	c, ok := e.langs[lang]
	if !ok {
		return nil, fmt.Errorf("%w: %q (nb, nn or en)", ErrLanguage, text.Truncate(text.Clean(lang), 16))
	}
	for _, p := range e.t.Placeholders {
		if _, ok := values[p]; !ok {
			return nil, fmt.Errorf("%w: template %q has no value for ((%s))", ErrPersonalisation, name, p)
		}
	}
	clean := make(map[string]string, len(e.t.Placeholders))
	for _, p := range e.t.Placeholders {
		clean[p] = strings.ReplaceAll(text.Clean(values[p]), "\r\n", "\n")
	}
	r := &Rendered{Template: name, Lang: lang, Channel: e.t.Channel, Urgent: e.t.Urgent}
	var b strings.Builder
	fill(&b, c.body, clean, nil)
	r.Text = b.String()
	if e.t.Channel == SMS {
		r.Segments = CountSegments(r.Text)
		if r.Segments.Count > e.t.MaxSegments {
			return nil, &SegmentsError{Template: name, Lang: lang, Segments: r.Segments, Max: e.t.MaxSegments}
		}
		return r, nil
	}
	b.Reset()
	fill(&b, c.subject, clean, func(s string) string { return strings.Join(strings.Fields(s), " ") })
	r.Subject = b.String()
	r.HTML = renderHTML(lang, r.Subject, c.blocks, clean)
	return r, nil
}

func fill(b *strings.Builder, ps []part, values map[string]string, value func(string) string) {
	for _, p := range ps {
		switch {
		case p.name == "":
			b.WriteString(p.lit)
		case value != nil:
			b.WriteString(value(values[p.name]))
		default:
			b.WriteString(values[p.name])
		}
	}
}

func renderHTML(lang, subject string, bs []block, values map[string]string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"")
	b.WriteString(lang)
	b.WriteString("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	b.WriteString(html.EscapeString(subject))
	b.WriteString("</title>\n</head>\n<body style=\"font-family: Arial, sans-serif; font-size: 19px; line-height: 1.5; color: #0b0c0c; max-width: 40em; margin: 0 auto; padding: 16px\">\n<main>\n")
	for _, bl := range bs {
		if bl.list {
			b.WriteString("<ul>\n")
			for _, l := range bl.lines {
				b.WriteString("<li>")
				htmlLine(&b, l, values)
				b.WriteString("</li>\n")
			}
			b.WriteString("</ul>\n")
			continue
		}
		b.WriteString("<p>")
		for i, l := range bl.lines {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			htmlLine(&b, l, values)
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.String()
}

func htmlLine(b *strings.Builder, ps []part, values map[string]string) {
	for _, p := range ps {
		if p.name != "" {
			b.WriteString(strings.ReplaceAll(html.EscapeString(values[p.name]), "\n", "<br>\n"))
			continue
		}
		linkify(b, p.lit)
	}
}

// linkify writes s escaped, with each https:// URL of the template's own text
// as a link to itself.
func linkify(b *strings.Builder, s string) {
	for {
		i := strings.Index(s, "https://")
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			return
		}
		b.WriteString(html.EscapeString(s[:i]))
		end := strings.IndexAny(s[i:], " \t\n<>\"")
		if end < 0 {
			end = len(s) - i
		}
		url := strings.TrimRight(s[i:i+end], ".,;:!?)")
		esc := html.EscapeString(url)
		b.WriteString(`<a href="` + esc + `">` + esc + `</a>`)
		s = s[i+len(url):]
	}
}
