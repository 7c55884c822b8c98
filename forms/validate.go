package forms

import (
	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ErrTooLarge is returned for a submission body over the form's limit.
var ErrTooLarge = errors.New("forms: submission too large")

// ErrBadData is wrapped by errors from ParseData for bodies that are not a
// JSON object.
var ErrBadData = errors.New("forms: submission is not a JSON object")

// Data is a submission's data model: decoded JSON, with numbers as
// json.Number.
type Data = map[string]any

// FieldError is one problem with a submission. It names the field by JSON
// Pointer and component id, and has a message in the citizen's language. It
// never holds the value itself, so it is safe to log.
type FieldError struct {
	Pointer   string `json:"pointer"`
	Component string `json:"component"`
	Page      string `json:"page,omitempty"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

func (e FieldError) Error() string {
	return fmt.Sprintf("forms: %s (%s): %s", e.Pointer, e.Component, e.Code)
}

// Result is the outcome of Validate: the errors, and the data pruned to what
// visible components hold.
type Result struct {
	Errors []FieldError
	// Data holds only the values of visible components, normalised (a
	// fødselsnummer without spaces, numbers as numbers). It is what may be
	// stored, shown on the receipt and exported.
	Data Data
	// ExprErrors are expressions that failed at run time (a number compared
	// with text, say). The expression counts as false; log these for the
	// form's author. They never hold personal data.
	ExprErrors []error
}

// Valid reports whether there are no errors.
func (r *Result) Valid() bool { return len(r.Errors) == 0 }

// PageErrors returns the errors on one page.
func (r *Result) PageErrors(pageID string) []FieldError {
	var out []FieldError
	for _, e := range r.Errors {
		if e.Page == pageID {
			out = append(out, e)
		}
	}
	return out
}

// Options for Validate.
type Options struct {
	Lang     i18n.Lang      // nb (default), nn or en; expressions also take i18n.Lang("se")
	Location *time.Location // default Europe/Oslo
	// Pages, when set, limits the errors to these pages (the page a citizen
	// just continued from). Pruning always covers the whole form.
	Pages []string
}

// ParseData reads a submission body: one JSON object, at most the form's
// MaxBodyBytes. Any input gives a value or an error, never a panic.
func (def *Definition) ParseData(r io.Reader) (Data, error) {
	max := def.Limits.withDefaults().MaxBodyBytes
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("forms: reading submission: %w", err)
	}
	if int64(len(b)) > max {
		return nil, ErrTooLarge
	}
	return parseData(b)
}

func parseData(b []byte) (Data, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d Data
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	if d == nil {
		return nil, ErrBadData
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrBadData)
	}
	return d, nil
}

// validator is one run of Validate.
type validator struct {
	rootDone map[*Component]bool
	def      *Definition
	st       *state
	lang     i18n.Lang
	pages    []string
	res      *Result
	labels   map[*Page]map[string]int // label text → components with it, per page
}

// Validate checks data against the definition and prunes it. Hidden
// components are neither validated nor kept: their data is not in
// Result.Data, whatever the submission held. Data bound to no component is
// dropped too.
func (def *Definition) Validate(data Data, opt Options) *Result {
	v := &validator{def: def, st: newState(def, data, opt.Lang, opt.Location), lang: normLang(opt.Lang), pages: opt.Pages, res: &Result{Data: Data{}}}
	for _, p := range def.Pages {
		h, err := v.st.pageHidden(p)
		if err != nil {
			v.res.ExprErrors = append(v.res.ExprErrors, err)
		}
		if h {
			continue
		}
		v.comps(p.Components, data, v.res.Data, nil, nil)
	}
	if def.schema != nil {
		v.schema()
	}
	return v.res
}

// at is where an error is: a component in a scope, and optionally a part of
// its value (an address part, a file). The pointer is built only when an
// error needs it.
type at struct {
	ptr   []string
	c     *Component
	extra string
}

func (a at) sub(extra string) at { a.extra = extra; return a }

func (a at) pointer() string {
	segs := concat(a.ptr, a.c.segs)
	if a.extra != "" {
		segs = append(segs, a.extra)
	}
	return pointer(segs)
}

func (v *validator) report(c *Component) bool {
	return v.pages == nil || slices.Contains(v.pages, c.page.ID)
}

func (v *validator) fail(c *Component, where at, code string, args ...string) {
	if !v.report(c) {
		return
	}
	label, qualified := v.label(c)
	msg := message(code, v.lang, append(args, "{label}", label)...)
	if qualified && !strings.Contains(msg, label) {
		// A message that does not name its field ("Skriv inn en
		// e-postadresse …") would read the same for both.
		msg = label + ": " + msg
	}
	v.res.Errors = append(v.res.Errors, FieldError{
		Pointer: where.pointer(), Component: c.ID, Page: c.page.ID, Code: code,
		Message: msg,
	})
}

func (v *validator) failText(c *Component, where at, code, textKey string) {
	if !v.report(c) {
		return
	}
	v.res.Errors = append(v.res.Errors, FieldError{
		Pointer: where.pointer(), Component: c.ID, Page: c.page.ID, Code: code,
		Message: v.def.Text(textKey, v.lang),
	})
}

// label is the component's label for its messages. When another component
// on its page has the same label (the styrer's and the stedfortreder's
// "Fullt navn"), the nearest group's label says which one: "Fullt navn
// (Styrer)", "Fødselsnummer (11 siffer) – Styrer", and qualified is true.
func (v *validator) label(c *Component) (label string, qualified bool) {
	if c.Label == "" {
		return c.ID, false
	}
	label = v.def.Text(c.Label, v.lang)
	if v.labels == nil {
		v.labels = map[*Page]map[string]int{}
	}
	n, ok := v.labels[c.page]
	if !ok {
		n = map[string]int{}
		var count func([]*Component)
		count = func(cs []*Component) {
			for _, x := range cs {
				if x.Label != "" {
					n[v.def.Text(x.Label, v.lang)]++
				}
				count(x.Components)
			}
		}
		count(c.page.Components)
		v.labels[c.page] = n
	}
	if n[label] < 2 {
		return label, false
	}
	for g := c.parent; g != nil; g = g.parent {
		if g.Label == "" {
			continue
		}
		group := v.def.Text(g.Label, v.lang)
		if strings.HasSuffix(label, ")") {
			return label + " – " + group, true // not "(11 siffer) (Styrer)"
		}
		return label + " (" + group + ")", true
	}
	return label, false
}

func (v *validator) hidden(c *Component, rows []int) bool {
	h, err := v.st.isHidden(c, rows)
	if err != nil {
		v.res.ExprErrors = append(v.res.ExprErrors, err)
		return false
	}
	return h
}

func (v *validator) boolExpr(e *expr.Expr, c *Component, rows []int, argv []expr.Value) bool {
	if e == nil {
		return false
	}
	b, err := v.st.evalBool(e, c, rows, argv)
	if err != nil {
		v.res.ExprErrors = append(v.res.ExprErrors, fmt.Errorf("%q: %w", c.ID, err))
		return false
	}
	return b
}

// set stores x at segs under out, making objects on the way.
func set(out map[string]any, segs []string, x any) {
	for _, s := range segs[:len(segs)-1] {
		next, ok := out[s].(map[string]any)
		if !ok {
			next = map[string]any{}
			out[s] = next
		}
		out = next
	}
	out[segs[len(segs)-1]] = x
}

func concat(a, b []string, more ...string) []string {
	out := make([]string, 0, len(a)+len(b)+len(more))
	return append(append(append(out, a...), b...), more...)
}

// comps validates components whose data lives in scope (the data root or a
// row object), writing kept values to out. ptr is scope's pointer.
func (v *validator) comps(cs []*Component, scope any, out map[string]any, rows []int, ptr []string) {
	for _, c := range cs {
		if v.hidden(c, rows) {
			continue
		}
		switch c.Type {
		case TypeInfo:
		case TypeGroup:
			v.comps(c.Components, scope, out, rows, ptr)
		case TypeRepeating:
			v.repeating(c, scope, out, rows, ptr)
		default:
			sc, p, o := scope, ptr, out
			if c.BindRoot {
				// One value for every row: checked in the first visible one.
				if v.rootDone[c] {
					continue
				}
				if v.rootDone == nil {
					v.rootDone = map[*Component]bool{}
				}
				v.rootDone[c] = true
				sc, p, o = v.st.data, nil, v.res.Data
			}
			x, _ := walk(sc, c.segs)
			if kept, ok := v.field(c, x, rows, at{ptr: p, c: c}); ok {
				set(o, c.segs, kept)
			}
		}
	}
}

func (v *validator) repeating(c *Component, scope any, out map[string]any, rows []int, ptr []string) {
	x, _ := walk(scope, c.segs)
	fp := at{ptr: ptr, c: c}
	arr, ok := x.([]any)
	if x != nil && !ok {
		v.fail(c, fp, CodeType)
		return
	}
	required := v.boolExpr(c.Required, c, rows, nil)
	maxRows := c.MaxRows
	if maxRows == 0 || maxRows > v.def.Limits.MaxRows {
		maxRows = v.def.Limits.MaxRows
	}
	switch {
	case len(arr) == 0 && required:
		v.fail(c, fp, "requiredRows")
	case len(arr) > 0 && len(arr) < c.MinRows:
		v.fail(c, fp, CodeMinRows, "{min}", strconv.Itoa(c.MinRows))
	case len(arr) > maxRows:
		v.fail(c, fp, CodeMaxRows, "{max}", strconv.Itoa(maxRows))
		arr = arr[:maxRows] // bounded work, whatever the body holds
	}
	if arr == nil {
		return
	}
	kept := make([]any, 0, len(arr))
	for i, row := range arr {
		rrows := append(slices.Clip(rows), i)
		if c.RowHidden != nil && v.boolExpr(c.RowHidden, c, rrows, nil) {
			continue
		}
		obj, ok := row.(map[string]any)
		if !ok && row != nil {
			v.fail(c, fp.sub(strconv.Itoa(i)), CodeType)
			continue
		}
		rp := concat(ptr, c.segs, strconv.Itoa(i))
		outRow := map[string]any{}
		v.comps(c.Components, obj, outRow, rrows, rp)
		kept = append(kept, outRow)
	}
	set(out, c.segs, kept)
}

func isEmpty(x any) bool {
	switch x := x.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, e := range x {
			if !isEmpty(e) {
				return false
			}
		}
		return true
	}
	return false
}

// field validates one value and returns what to keep.
func (v *validator) field(c *Component, x any, rows []int, fp at) (any, bool) {
	if isEmpty(x) {
		if v.boolExpr(c.Required, c, rows, nil) {
			switch c.Type {
			case TypeRadio, TypeSelect, TypeCheckboxes, TypeYesNo:
				v.fail(c, fp, "requiredChoice")
			case TypeFile:
				v.fail(c, fp, "requiredFile")
			default:
				v.fail(c, fp, CodeRequired)
			}
		}
		return nil, false
	}
	n := len(v.res.Errors)
	kept := v.check(c, x, fp)
	if len(v.res.Errors) == n && len(c.Validations) > 0 {
		argv := []expr.Value{expr.ValueOf(kept)}
		for _, val := range c.Validations {
			if v.boolExpr(val.Condition, c, rows, argv) {
				v.failText(c, fp, CodeCustom, val.Message)
			}
		}
	}
	return kept, true
}

// digits reports whether s is exactly n ASCII digits (any number when n < 0).
func digits(s string, n int) bool {
	if n >= 0 && len(s) != n || s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validPhone accepts a normalised number: +47 and 8 digits starting with 2-9,
// or + and 7 to 15 digits (E.164) for other countries.
func validPhone(p string) bool {
	if len(p) < 8 || p[0] != '+' || p[1] == '0' || !digits(p[1:], -1) {
		return false
	}
	if strings.HasPrefix(p, "+47") {
		return len(p) == 11 && p[3] >= '2'
	}
	return len(p) <= 16
}

// validDate accepts YYYY-MM-DD for a real date.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[:4], 4) || !digits(s[5:7], 2) || !digits(s[8:], 2) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// validEmail accepts the addresses people type: a dot-atom local part, @, and
// a domain of letter-digit-hyphen labels with a dot. Quoted local parts and
// IP literals, which RFC 5322 allows and nobody types, are refused.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		ch := local[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", ch) >= 0) {
			return false
		}
	}
	labels := 0
	for label := range strings.SplitSeq(domain, ".") {
		labels++
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch >= 0x80) {
				return false
			}
		}
	}
	return labels >= 2
}

func stripSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// str reads a text value within the form's length limit.
func (v *validator) str(c *Component, x any, fp at) (string, bool) {
	s, ok := x.(string)
	if !ok {
		v.fail(c, fp, CodeType)
		return "", false
	}
	if max := v.def.Limits.MaxTextChars; len(s) > max && (utf8.RuneCountInString(s) > max) || !utf8.ValidString(s) {
		v.fail(c, fp, CodeMaxLength, "{max}", strconv.Itoa(v.def.Limits.MaxTextChars))
		return "", false
	}
	return s, true
}

// same returns x when s is the string x already holds, so that an unchanged
// value is not boxed again.
func same(x any, s string) any {
	if xs, ok := x.(string); ok && xs == s {
		return x
	}
	return s
}

// checks validates a non-empty value of a component type and returns it
// normalised, one function per type. Types without an entry (none today
// among the bound ones) keep their value as it is.
var checks = map[Type]func(v *validator, c *Component, x any, fp at) any{
	TypeText:          (*validator).checkText,
	TypeTextarea:      (*validator).checkText,
	TypeEmail:         (*validator).checkEmail,
	TypePhone:         (*validator).checkPhone,
	TypeFodselsnummer: (*validator).checkFodselsnummer,
	TypeOrgnr:         (*validator).checkOrgnr,
	TypeKontonummer:   (*validator).checkKontonummer,
	TypePostnummer:    (*validator).checkPostnummer,
	TypeNumber:        (*validator).checkNumber,
	TypeAmount:        (*validator).checkAmount,
	TypeDate:          (*validator).checkDate,
	TypeRadio:         (*validator).checkOption,
	TypeSelect:        (*validator).checkOption,
	TypeYesNo:         (*validator).checkYesNo,
	TypeCheckboxes:    (*validator).checkCheckboxes,
	TypeAddress:       (*validator).address,
	TypeFile:          (*validator).files,
}

// check validates a non-empty value of c's type and returns it normalised.
func (v *validator) check(c *Component, x any, fp at) any {
	if f := checks[c.Type]; f != nil {
		return f(v, c, x, fp)
	}
	return x
}

func (v *validator) checkText(c *Component, x any, fp at) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	n := utf8.RuneCountInString(s)
	switch {
	case c.MinLength > 0 && n < c.MinLength:
		v.fail(c, fp, CodeMinLength, "{min}", strconv.Itoa(c.MinLength))
	case c.MaxLength > 0 && n > c.MaxLength:
		v.fail(c, fp, CodeMaxLength, "{max}", strconv.Itoa(c.MaxLength))
	case c.pattern != nil && !fullMatch(c.pattern, s):
		if c.PatternMessage != "" {
			v.failText(c, fp, CodePattern, c.PatternMessage)
		} else {
			v.fail(c, fp, CodePattern)
		}
	}
	return same(x, s)
}

func (v *validator) checkEmail(c *Component, x any, fp at) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	s = strings.TrimSpace(s)
	if !validEmail(s) {
		v.fail(c, fp, CodeEmail)
	}
	return same(x, s)
}

func (v *validator) checkPhone(c *Component, x any, fp at) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	p := stripSpaces(s)
	switch {
	case strings.HasPrefix(p, "0047"):
		p = "+47" + p[4:]
	case !strings.HasPrefix(p, "+"):
		p = "+47" + p
	}
	if !validPhone(p) {
		v.fail(c, fp, CodePhone)
		return same(x, s)
	}
	return same(x, p)
}

// checkStripped validates a number typed with spaces (a personal or
// organisation number, a postcode) and keeps it without them; code names
// what is wrong with it, "" when nothing is.
func (v *validator) checkStripped(c *Component, x any, fp at, code func(p string) string) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	p := stripSpaces(s)
	if problem := code(p); problem != "" {
		v.fail(c, fp, problem)
		return same(x, s)
	}
	return same(x, p)
}

func (v *validator) checkFodselsnummer(c *Component, x any, fp at) any {
	return v.checkStripped(c, x, fp, func(p string) string {
		_, err := ident.ParseFodselsnummer(p)
		switch {
		case err == nil:
			return ""
		case errors.Is(err, ident.ErrLength), errors.Is(err, ident.ErrNonDigit):
			return CodeFnrLength
		}
		return CodeFnr
	})
}

func (v *validator) checkOrgnr(c *Component, x any, fp at) any {
	return v.checkStripped(c, x, fp, func(p string) string {
		if _, err := ident.ParseOrgnr(p); err != nil {
			return CodeOrgnr
		}
		return ""
	})
}

func (v *validator) checkPostnummer(c *Component, x any, fp at) any {
	return v.checkStripped(c, x, fp, func(p string) string {
		if !digits(p, 4) {
			return CodePostnummer
		}
		return ""
	})
}

func (v *validator) checkKontonummer(c *Component, x any, fp at) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	k, err := ident.ParseKontonummer(s)
	if err != nil {
		v.fail(c, fp, CodeKontonummer)
		return same(x, s)
	}
	return string(k)
}

func (v *validator) checkNumber(c *Component, x any, fp at) any {
	f, num, ok := number(x)
	if !ok {
		v.fail(c, fp, CodeType)
		return x
	}
	switch {
	case c.Min != nil && f < *c.Min:
		v.fail(c, fp, CodeMin, "{min}", expr.FormatNumber(*c.Min))
	case c.Max != nil && f > *c.Max:
		v.fail(c, fp, CodeMax, "{max}", expr.FormatNumber(*c.Max))
	}
	return num
}

// checkAmount reads kroner exactly (amountOf) and keeps them as a JSON
// number of kroner; a limit is shown as an amount ("minst 0,00 kr").
func (v *validator) checkAmount(c *Component, x any, fp at) any {
	a, problem := amountOf(x)
	if problem != "" {
		v.fail(c, fp, problem)
		return x
	}
	var lo money.Amount // no negative amounts unless the definition says so
	if c.minAmount != nil {
		lo = *c.minAmount
	}
	switch {
	case a < lo:
		v.fail(c, fp, CodeMin, "{min}", v.lang.Amount(lo))
	case c.maxAmount != nil && a > *c.maxAmount:
		v.fail(c, fp, CodeMax, "{max}", v.lang.Amount(*c.maxAmount))
	}
	return kronerNumber(a)
}

func (v *validator) checkDate(c *Component, x any, fp at) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	if !validDate(s) {
		v.fail(c, fp, CodeDate)
	}
	return same(x, s)
}

func (v *validator) checkOption(c *Component, x any, fp at) any {
	s, ok := v.str(c, x, fp)
	if !ok {
		return x
	}
	if !c.hasOption(s) {
		v.fail(c, fp, CodeOption)
	}
	return same(x, s)
}

func (v *validator) checkYesNo(c *Component, x any, fp at) any {
	s, ok := x.(string)
	if !ok || (s != "ja" && s != "nei") {
		v.fail(c, fp, CodeOption)
	}
	return x
}

func (v *validator) checkCheckboxes(c *Component, x any, fp at) any {
	arr, ok := x.([]any)
	if !ok || len(arr) > len(c.Options) {
		v.fail(c, fp, CodeType)
		return x
	}
	seen := map[string]bool{}
	for _, e := range arr {
		s, ok := e.(string)
		if !ok || !c.hasOption(s) || seen[s] {
			v.fail(c, fp, CodeOption)
			return x
		}
		seen[s] = true
	}
	return x
}

func fullMatch(re *regexp.Regexp, s string) bool {
	loc := re.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

func (c *Component) hasOption(s string) bool {
	for _, o := range c.Options {
		if o.Value == s {
			return true
		}
	}
	return false
}

// number reads a JSON number, or a string holding one (from an HTML form);
// kroner may be written with a decimal comma and spaces.
func number(x any) (float64, json.Number, bool) {
	var s string
	switch x := x.(type) {
	case json.Number:
		s = string(x)
	case float64:
		return x, json.Number(expr.FormatNumber(x)), !math.IsInf(x, 0) && !math.IsNaN(x)
	case int:
		return float64(x), json.Number(strconv.Itoa(x)), true
	case int64:
		return float64(x), json.Number(strconv.FormatInt(x, 10)), true
	case string:
		s = strings.Replace(stripSpaces(x), ",", ".", 1)
	default:
		return 0, "", false
	}
	f, null, err := expr.String(s).AsNumber()
	if null || err != nil || math.IsInf(f, 0) {
		return 0, "", false
	}
	if n, ok := x.(json.Number); ok && string(n) == expr.FormatNumber(f) {
		return f, n, true
	}
	return f, json.Number(expr.FormatNumber(f)), true
}

// Address parts.
const (
	AddressLine       = "adresse"
	AddressPostnummer = "postnummer"
	AddressPoststed   = "poststed"
)

func (v *validator) address(c *Component, x any, fp at) any {
	m, ok := x.(map[string]any)
	if !ok {
		v.fail(c, fp, CodeType)
		return x
	}
	out := map[string]any{}
	get := func(k string) (string, bool) {
		s, ok := m[k].(string)
		if m[k] != nil && !ok {
			v.fail(c, fp.sub(k), CodeType)
			return "", false
		}
		return strings.TrimSpace(s), true
	}
	if s, ok := get(AddressLine); ok {
		if s == "" {
			v.fail(c, fp.sub(AddressLine), CodeRequired, "{label}", message("addressLine", v.lang))
		} else if utf8.RuneCountInString(s) > 200 {
			v.fail(c, fp.sub(AddressLine), CodeMaxLength, "{max}", "200")
		} else {
			out[AddressLine] = s
		}
	}
	if s, ok := get(AddressPostnummer); ok {
		s = stripSpaces(s)
		if s == "" {
			v.fail(c, fp.sub(AddressPostnummer), CodeRequired, "{label}", message("postnummerLabel", v.lang))
		} else if !digits(s, 4) {
			v.fail(c, fp.sub(AddressPostnummer), CodePostnummer)
		}
		out[AddressPostnummer] = s
	}
	if s, ok := get(AddressPoststed); ok {
		if s == "" {
			v.fail(c, fp.sub(AddressPoststed), CodeRequired, "{label}", message("poststed", v.lang))
		} else if utf8.RuneCountInString(s) > 100 {
			v.fail(c, fp.sub(AddressPoststed), CodeMaxLength, "{max}", "100")
		} else {
			out[AddressPoststed] = s
		}
	}
	return out
}

// File is one uploaded file in the data model. The bytes live elsewhere (an
// object store, the archive); the form holds the reference.
type File struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
}

func (c *Component) maxFiles() int {
	if c.MaxFiles > 0 {
		return c.MaxFiles
	}
	return 1
}

func (c *Component) maxSize(l Limits) int64 {
	if c.MaxSize > 0 {
		return c.MaxSize
	}
	return l.withDefaults().MaxFileBytes
}

func (v *validator) files(c *Component, x any, fp at) any {
	arr, ok := x.([]any)
	if !ok {
		v.fail(c, fp, CodeType)
		return x
	}
	if len(arr) > c.maxFiles() {
		v.fail(c, fp, CodeMaxFiles, "{max}", strconv.Itoa(c.maxFiles()))
		return x
	}
	out := make([]any, 0, len(arr))
	for i, e := range arr {
		ip := fp.sub(strconv.Itoa(i))
		m, ok := e.(map[string]any)
		if !ok {
			v.fail(c, ip, CodeType)
			continue
		}
		id, _ := m["id"].(string)
		name, _ := m["name"].(string)
		ct, _ := m["contentType"].(string)
		size, _, sok := number(m["size"])
		if id == "" || name == "" || ct == "" || !sok || size < 0 || size != math.Trunc(size) || len(name) > 255 || len(id) > 200 {
			v.fail(c, ip, CodeType)
			continue
		}
		badType := len(c.Accept) > 0 && !slices.Contains(c.Accept, strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0])))
		// A refused file of the right type and size was refused by the
		// FileStore's own limit.
		if int64(size) > c.maxSize(v.def.Limits) || id == refusedFile && !badType {
			v.fail(c, ip, CodeFileSize, "{max}", FormatBytes(c.maxSize(v.def.Limits)))
		}
		if badType {
			v.fail(c, ip, CodeFileType, "{types}", fileTypes(c.Accept, v.lang))
		}
		out = append(out, map[string]any{"id": id, "name": name, "contentType": ct, "size": json.Number(strconv.FormatInt(int64(size), 10))})
	}
	return out
}

// FormatBytes writes a size as "20 MB" or "500 kB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " kB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// schema validates the pruned data against the definition's JSON Schema.
func (v *validator) schema() {
	// The schema validator wants plain JSON types; Data already is.
	err := v.def.schema.Validate(any(map[string]any(v.res.Data)))
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return
	}
	out := ve.BasicOutput()
	seen := map[string]bool{}
	for _, u := range out.Errors {
		if u.Error == nil || seen[u.InstanceLocation] || u.InstanceLocation == "" && len(out.Errors) > 1 {
			continue
		}
		seen[u.InstanceLocation] = true
		segs, _ := parsePointer(u.InstanceLocation)
		c := v.def.componentAt(segs)
		fe := FieldError{Pointer: u.InstanceLocation, Code: CodeSchema}
		if c != nil {
			if !v.report(c) {
				continue
			}
			fe.Component, fe.Page = c.ID, c.page.ID
			label, _ := v.label(c)
			fe.Message = message(CodeSchema, v.lang, "{label}", label)
		} else {
			fe.Message = message(CodeSchema, v.lang, "{label}", u.InstanceLocation)
		}
		v.res.Errors = append(v.res.Errors, fe)
	}
}

// componentAt finds the component bound to an absolute pointer (row indices
// included), or nil.
func (def *Definition) componentAt(segs []string) *Component {
	var found *Component
	def.Walk(func(c *Component) bool {
		if found != nil || !c.Type.bound() {
			return found == nil
		}
		var want []string
		for _, r := range c.reps {
			want = append(want, r.segs...)
			want = append(want, "*")
		}
		if c.BindRoot {
			want = nil
		}
		want = append(want, c.segs...)
		if len(want) <= len(segs) {
			match := true
			for i, w := range want {
				if w != segs[i] && (w != "*" || !isIndex(segs[i])) {
					match = false
					break
				}
			}
			if match && (len(want) == len(segs) || c.Type == TypeAddress || c.Type == TypeFile) {
				found = c
			}
		}
		return true
	})
	return found
}
