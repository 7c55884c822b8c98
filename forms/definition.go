package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ErrDefinition is wrapped by *DefinitionError.
var ErrDefinition = errors.New("forms: invalid definition")

// Type is a component type.
type Type string

// The component types.
const (
	TypeText          Type = "text"
	TypeTextarea      Type = "textarea"
	TypeNumber        Type = "number"
	TypeDate          Type = "date" // three fields: day, month, year; stored as YYYY-MM-DD
	TypeRadio         Type = "radio"
	TypeCheckboxes    Type = "checkboxes" // stored as an array of option values
	TypeSelect        Type = "select"
	TypeYesNo         Type = "yesno" // stored as "ja" or "nei"
	TypeEmail         Type = "email"
	TypePhone         Type = "phone" // Norwegian 8 digits, +47 or 0047 prefix, or + and 7-15 digits
	TypeFodselsnummer Type = "fodselsnummer"
	TypeOrgnr         Type = "orgnr"
	TypeKontonummer   Type = "kontonummer"
	TypePostnummer    Type = "postnummer"
	TypeAddress       Type = "address" // an object {adresse, postnummer, poststed}
	TypeAmount        Type = "amount"  // kroner, at most two decimals
	TypeFile          Type = "file"    // an array of {id, name, contentType, size}
	TypeRepeating     Type = "repeating"
	TypeGroup         Type = "group" // a fieldset of components, bound like its parent
	TypeInfo          Type = "info"  // static text
)

var knownTypes = []Type{TypeText, TypeTextarea, TypeNumber, TypeDate, TypeRadio, TypeCheckboxes,
	TypeSelect, TypeYesNo, TypeEmail, TypePhone, TypeFodselsnummer, TypeOrgnr, TypeKontonummer,
	TypePostnummer, TypeAddress, TypeAmount, TypeFile, TypeRepeating, TypeGroup, TypeInfo}

// Types returns every component type.
func Types() []Type { return slices.Clone(knownTypes) }

// bound reports whether components of type t hold data.
func (t Type) bound() bool { return t != TypeGroup && t != TypeInfo }

// hasOptions reports whether t takes options.
func (t Type) hasOptions() bool { return t == TypeRadio || t == TypeSelect || t == TypeCheckboxes }

// Text is one text in every language, keyed by language code.
type Text map[string]string

// Definition is a form: pages of components bound to a JSON data model, texts
// in nb, nn and en, and expressions that hide components and make them
// required. Load one with Parse or Load; a loaded definition is immutable and
// safe for concurrent use.
type Definition struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	// MinDraftVersion is the oldest form version whose drafts this
	// definition continues; older drafts fail with a *VersionError. 0 means 1.
	MinDraftVersion int             `json:"minDraftVersion,omitempty"`
	Title           string          `json:"title"`            // text key
	Schema          json.RawMessage `json:"schema,omitempty"` // JSON Schema 2020-12 for the data model
	Limits          Limits          `json:"limits"`
	Texts           map[string]Text `json:"texts"`
	Pages           []*Page         `json:"pages"`

	byID   map[string]*Component
	schema *jsonschema.Schema
}

// Limits bound what a submission may hold. Zero fields take the defaults.
type Limits struct {
	MaxBodyBytes int64 `json:"maxBodyBytes,omitempty"` // default 1 MiB
	MaxRows      int   `json:"maxRows,omitempty"`      // per repeating group; default 100
	MaxFileBytes int64 `json:"maxFileBytes,omitempty"` // per file; default 20 MiB
	MaxTextChars int   `json:"maxTextChars,omitempty"` // per text field; default 10000
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	if l.MaxRows <= 0 {
		l.MaxRows = 100
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 20 << 20
	}
	if l.MaxTextChars <= 0 {
		l.MaxTextChars = 10000
	}
	return l
}

// Page is one page of the form.
type Page struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"` // text key
	Hidden     *expr.Expr   `json:"hidden,omitempty"`
	Components []*Component `json:"components"`

	index int
}

// Option is one choice of a radio, select or checkbox group.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"` // text key
}

// Validation is a custom check: when Condition is true, the field has the
// error Message (a text key). In the condition, ["argv", 0] is the field's value.
type Validation struct {
	Condition *expr.Expr `json:"condition"`
	Message   string     `json:"message"`
}

// Component is one field, group or text of a page.
type Component struct {
	ID   string `json:"id"`
	Type Type   `json:"type"`
	// Bind is a JSON Pointer into the data model; inside a repeating group
	// it is relative to the row.
	Bind string `json:"bind,omitempty"`
	// BindRoot makes Bind start at the data model's root even inside a
	// repeating group: one value shared by every row (Altinn allows this).
	BindRoot    bool   `json:"bindRoot,omitempty"`
	Label       string `json:"label,omitempty"`       // text key
	Description string `json:"description,omitempty"` // text key, a hint under the label

	Hidden   *expr.Expr `json:"hidden,omitempty"`
	Required *expr.Expr `json:"required,omitempty"`
	ReadOnly *expr.Expr `json:"readOnly,omitempty"`

	Options        []Option `json:"options,omitempty"`
	Min            *float64 `json:"min,omitempty"`
	Max            *float64 `json:"max,omitempty"`
	MinLength      int      `json:"minLength,omitempty"`
	MaxLength      int      `json:"maxLength,omitempty"`
	Pattern        string   `json:"pattern,omitempty"`
	PatternMessage string   `json:"patternMessage,omitempty"` // text key

	// Files.
	MaxSize  int64    `json:"maxSize,omitempty"`
	Accept   []string `json:"accept,omitempty"` // MIME types
	MaxFiles int      `json:"maxFiles,omitempty"`

	// Repeating groups.
	MinRows    int          `json:"minRows,omitempty"`
	MaxRows    int          `json:"maxRows,omitempty"`
	RowHidden  *expr.Expr   `json:"rowHidden,omitempty"`
	AddLabel   string       `json:"addLabel,omitempty"` // text key
	Components []*Component `json:"components,omitempty"`

	Validations  []Validation `json:"validations,omitempty"`
	Autocomplete string       `json:"autocomplete,omitempty"`

	page    *Page
	parent  *Component
	reps    []*Component // repeating ancestors, outermost first
	segs    []string     // Bind, split
	abs     string       // a repeating group's data path without row indices
	pattern *regexp.Regexp
	// minAmount and maxAmount are an amount field's Min and Max in øre.
	minAmount, maxAmount *money.Amount
	place                string
	// mayHide is false when no hidden expression (the component's, a
	// group's, a row's or the page's) can hide it: the common case, checked
	// without evaluating anything.
	mayHide bool
}

// Page returns the page the component is on.
func (c *Component) Page() *Page { return c.page }

// Parent returns the group the component is in, or nil.
func (c *Component) Parent() *Component { return c.parent }

// DefinitionError lists every problem found when loading a definition. Each
// problem names its place, as in `pages[1].components[2] "styrer": ...`.
type DefinitionError struct {
	Problems []string
}

func (e *DefinitionError) Error() string {
	if len(e.Problems) == 1 {
		return "forms: invalid definition: " + e.Problems[0]
	}
	return fmt.Sprintf("forms: invalid definition (%d problems): %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// Unwrap makes errors.Is(err, ErrDefinition) true.
func (e *DefinitionError) Unwrap() error { return ErrDefinition }

// Load reads a definition from a file.
func Load(path string) (*Definition, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("forms: %w", err)
	}
	return Parse(b)
}

// maxDefinitionBytes bounds a definition file.
const maxDefinitionBytes = 4 << 20

// Parse reads a definition from JSON and checks it: unknown fields and
// component types, bad pointers, expressions of the wrong type or arity,
// unknown component references, and text keys missing in nb, nn or en are all
// load errors.
func Parse(b []byte) (*Definition, error) {
	if len(b) > maxDefinitionBytes {
		return nil, &DefinitionError{Problems: []string{"definition larger than 4 MiB"}}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	d.UseNumber()
	var def Definition
	if err := d.Decode(&def); err != nil {
		var ee *expr.Error
		if errors.As(err, &ee) {
			return nil, &DefinitionError{Problems: []string{ee.Where()}}
		}
		return nil, &DefinitionError{Problems: []string{"JSON: " + err.Error()}}
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &DefinitionError{Problems: []string{"JSON: trailing data after the definition"}}
	}
	if err := def.check(); err != nil {
		return nil, err
	}
	return &def, nil
}

// MustParse is Parse that panics; for tests and examples.
func MustParse(b []byte) *Definition {
	d, err := Parse(b)
	if err != nil {
		panic(err)
	}
	return d
}

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// maxNesting bounds repeating groups inside repeating groups.
const maxNesting = 4

type checker struct {
	def      *Definition
	problems []string
	keys     map[string][]string // text key → places using it
}

func (c *checker) addf(place, format string, args ...any) {
	c.problems = append(c.problems, place+": "+fmt.Sprintf(format, args...))
}

func (c *checker) key(place, field, key string, required bool) {
	if key == "" {
		if required {
			c.addf(place, "%s: missing text key", field)
		}
		return
	}
	c.keys[key] = append(c.keys[key], place+"."+field)
}

func (def *Definition) check() error {
	c := &checker{def: def, keys: map[string][]string{}}
	def.Limits = def.Limits.withDefaults()
	def.byID = map[string]*Component{}
	if def.ID == "" || !idPattern.MatchString(def.ID) {
		c.addf("id", "missing or invalid form id %q", def.ID)
	}
	if def.Version < 1 {
		c.addf("version", "must be 1 or more")
	}
	if def.MinDraftVersion < 0 || def.MinDraftVersion > def.Version {
		c.addf("minDraftVersion", "must be from 1 to the version")
	}
	c.key("form", "title", def.Title, true)
	c.pages()
	// Expressions are checked once every component is known.
	c.exprs()
	c.cycles()
	c.texts()
	if len(def.Schema) > 0 {
		if err := def.compileSchema(); err != nil {
			c.addf("schema", "%v", err)
		}
	}
	if len(c.problems) > 0 {
		return &DefinitionError{Problems: c.problems}
	}
	return nil
}

// pages checks the pages and their components.
func (c *checker) pages() {
	if len(c.def.Pages) == 0 {
		c.addf("pages", "a form needs at least one page")
	}
	pageIDs := map[string]bool{}
	for i, p := range c.def.Pages {
		place := fmt.Sprintf("pages[%d]", i)
		if p == nil {
			c.addf(place, "null page")
			continue
		}
		p.index = i
		if !idPattern.MatchString(p.ID) {
			c.addf(place, "missing or invalid page id %q", p.ID)
		} else if pageIDs[p.ID] {
			c.addf(place, "duplicate page id %q", p.ID)
		}
		pageIDs[p.ID] = true
		place += " " + strconv.Quote(p.ID)
		c.key(place, "title", p.Title, true)
		c.components(place, p, nil, p.Components)
	}
}

// exprs checks every expression of the form, and works out which
// components an expression may hide.
func (c *checker) exprs() {
	for i, p := range c.def.Pages {
		if p == nil {
			continue
		}
		c.expr(fmt.Sprintf("pages[%d] %q.hidden", i, p.ID), p.Hidden, nil, true)
	}
	c.def.Walk(func(comp *Component) bool {
		c.expr(comp.place+".hidden", comp.Hidden, comp, true)
		c.expr(comp.place+".required", comp.Required, comp, true)
		c.expr(comp.place+".readOnly", comp.ReadOnly, comp, true)
		c.expr(comp.place+".rowHidden", comp.RowHidden, comp, true)
		for i, v := range comp.Validations {
			if v.Condition == nil {
				c.addf(comp.place, "validations[%d]: missing condition", i)
			}
			c.expr(fmt.Sprintf("%s.validations[%d].condition", comp.place, i), v.Condition, comp, true)
		}
		return true
	})
	c.def.Walk(func(comp *Component) bool {
		comp.mayHide = comp.Hidden != nil || (comp.page != nil && comp.page.Hidden != nil)
		if p := comp.parent; p != nil {
			comp.mayHide = comp.mayHide || p.mayHide || p.RowHidden != nil
		}
		return true
	})
}

// texts checks that every text key used is in texts, in every language.
func (c *checker) texts() {
	keys := make([]string, 0, len(c.keys))
	for k := range c.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t, ok := c.def.Texts[k]
		if !ok {
			c.addf(c.keys[k][0], "text key %q is not in texts", k)
			continue
		}
		for _, lang := range i18n.All {
			if strings.TrimSpace(t[string(lang)]) == "" {
				c.addf("texts."+k, "missing %s text (used by %s)", lang, c.keys[k][0])
			}
		}
	}
}

func (c *checker) components(place string, p *Page, parent *Component, comps []*Component) {
	for i, comp := range comps {
		cp := fmt.Sprintf("%s.components[%d]", place, i)
		if comp == nil {
			c.addf(cp, "null component")
			continue
		}
		comp.page, comp.parent = p, parent
		if parent != nil {
			comp.reps = parent.reps
			if parent.Type == TypeRepeating {
				comp.reps = append(slices.Clip(parent.reps), parent)
			}
		}
		if !idPattern.MatchString(comp.ID) {
			c.addf(cp, "missing or invalid component id %q", comp.ID)
		} else if _, dup := c.def.byID[comp.ID]; dup {
			c.addf(cp, "duplicate component id %q", comp.ID)
		} else {
			c.def.byID[comp.ID] = comp
		}
		cp += " " + strconv.Quote(comp.ID)
		comp.place = cp
		if !slices.Contains(knownTypes, comp.Type) {
			c.addf(cp, "unknown component type %q", comp.Type)
			continue
		}
		c.component(cp, comp)
		if comp.Type == TypeRepeating || comp.Type == TypeGroup {
			if len(comp.Components) == 0 {
				c.addf(cp, "a %s needs components", comp.Type)
			}
			if len(comp.reps) >= maxNesting {
				c.addf(cp, "repeating groups nested more than %d deep", maxNesting)
				continue
			}
			c.components(cp, p, comp, comp.Components)
		} else if len(comp.Components) > 0 {
			c.addf(cp, "a %s cannot have components", comp.Type)
		}
	}
}

func (c *checker) component(cp string, comp *Component) {
	t := comp.Type
	if t.bound() {
		c.bind(cp, comp)
		if t != TypeRepeating {
			c.key(cp, "label", comp.Label, true)
		}
	} else if comp.Bind != "" {
		c.addf(cp, "bind: a %s holds no data", t)
	}
	switch t {
	case TypeInfo:
		c.key(cp, "label", comp.Label, true)
	case TypeGroup, TypeRepeating:
		c.key(cp, "label", comp.Label, t == TypeGroup)
	}
	c.key(cp, "description", comp.Description, false)
	c.key(cp, "addLabel", comp.AddLabel, false)
	c.key(cp, "patternMessage", comp.PatternMessage, false)
	c.options(cp, comp)
	if comp.Pattern != "" {
		re, err := regexp.Compile(comp.Pattern)
		if err != nil {
			c.addf(cp, "pattern: %v", err)
		}
		comp.pattern = re
	}
	c.limits(cp, comp)
	for i, v := range comp.Validations {
		c.key(fmt.Sprintf("%s.validations[%d]", cp, i), "message", v.Message, true)
	}
}

// bind checks a component's binding and splits it.
func (c *checker) bind(cp string, comp *Component) {
	segs, err := parsePointer(comp.Bind)
	switch {
	case comp.Bind == "":
		c.addf(cp, "bind: missing JSON Pointer")
	case err != nil:
		c.addf(cp, "bind: %v", err)
	case len(segs) == 0:
		c.addf(cp, "bind: cannot bind to the whole data model")
	}
	for _, s := range segs {
		if isIndex(s) {
			c.addf(cp, "bind %q: array indices do not belong in a binding; use a repeating group", comp.Bind)
			break
		}
	}
	comp.segs = segs
	if comp.Type != TypeRepeating {
		return
	}
	if comp.BindRoot {
		c.addf(cp, "bindRoot: a repeating group binds its own rows")
	}
	// Two groups bound to the same array share rows, as in Altinn.
	prefix := ""
	if n := len(comp.reps); n > 0 {
		prefix = comp.reps[n-1].abs + "/*"
	}
	comp.abs = prefix + pointer(segs)
}

// options checks the options of a radio, select or checkbox group, and
// that no other component has any.
func (c *checker) options(cp string, comp *Component) {
	t := comp.Type
	if !t.hasOptions() {
		if len(comp.Options) > 0 {
			c.addf(cp, "a %s takes no options", t)
		}
		return
	}
	if len(comp.Options) == 0 {
		c.addf(cp, "a %s needs options", t)
	}
	seen := map[string]bool{}
	for i, o := range comp.Options {
		if o.Value == "" || seen[o.Value] {
			c.addf(cp, "options[%d]: empty or duplicate value %q", i, o.Value)
		}
		seen[o.Value] = true
		c.key(fmt.Sprintf("%s.options[%d]", cp, i), "label", o.Label, true)
	}
}

// limits checks a component's bounds: min and max, lengths, rows and
// files, each against the form's limits.
func (c *checker) limits(cp string, comp *Component) {
	if comp.Min != nil && comp.Max != nil && *comp.Min > *comp.Max {
		c.addf(cp, "min is greater than max")
	}
	if comp.Type == TypeAmount {
		var okMin, okMax bool
		comp.minAmount, okMin = amountLimit(comp.Min)
		comp.maxAmount, okMax = amountLimit(comp.Max)
		if !okMin || !okMax {
			c.addf(cp, "min and max of an amount are kroner with at most two decimals")
		}
	}
	if comp.MinLength < 0 || comp.MaxLength < 0 || (comp.MaxLength > 0 && comp.MinLength > comp.MaxLength) {
		c.addf(cp, "bad minLength/maxLength")
	}
	lim := c.def.Limits
	switch comp.Type {
	case TypeRepeating:
		if comp.MinRows < 0 || comp.MaxRows < 0 || (comp.MaxRows > 0 && comp.MinRows > comp.MaxRows) {
			c.addf(cp, "bad minRows/maxRows")
		}
		if comp.MaxRows > lim.MaxRows {
			c.addf(cp, "maxRows %d is above the form's limit %d", comp.MaxRows, lim.MaxRows)
		}
	case TypeFile:
		if comp.MaxSize < 0 || comp.MaxSize > lim.MaxFileBytes {
			c.addf(cp, "maxSize must be from 1 to the form's limit %d", lim.MaxFileBytes)
		}
		if comp.MaxFiles < 0 || comp.MaxFiles > lim.MaxRows {
			c.addf(cp, "maxFiles must be from 1 to %d", lim.MaxRows)
		}
		for _, a := range comp.Accept {
			if !strings.Contains(a, "/") {
				c.addf(cp, "accept: %q is not a MIME type", a)
			}
		}
	default:
		if comp.MinRows != 0 || comp.MaxRows != 0 || comp.RowHidden != nil {
			c.addf(cp, "minRows, maxRows and rowHidden belong to repeating groups")
		}
	}
}

// expr checks an expression in the context of comp: a compile error kept from
// decoding, literal values that cannot be booleans, and component
// references that do not exist or cannot be reached from comp's rows.
func (c *checker) expr(place string, e *expr.Expr, comp *Component, boolean bool) {
	if e == nil {
		return
	}
	var ee *expr.Error
	if err := e.Err(); err != nil {
		if errors.As(err, &ee) {
			c.addf(place, "%s", ee.Where())
		} else {
			c.addf(place, "%v", err)
		}
		return
	}
	if boolean {
		if err := e.CheckBool(); errors.As(err, &ee) {
			c.addf(place, "%s", ee.Msg)
		}
	}
	for _, r := range e.Refs() {
		switch r.Func {
		case "component":
			t := c.def.byID[r.Arg]
			switch {
			case t == nil:
				c.addf(place, "%s: unknown component %q", r.Path, r.Arg)
			case !reachable(t, comp):
				c.addf(place, "%s: component %q is in a repeating group that %s is not in", r.Path, r.Arg, ctxName(comp))
			}
		case "dataModel":
			if _, err := parsePath(r.Arg); err != nil {
				c.addf(place, "%s: %v", r.Path, err)
			}
		}
	}
}

// refs returns the components an expression names literally.
func refs(e *expr.Expr, byID map[string]*Component) []*Component {
	var out []*Component
	for _, r := range e.Refs() {
		if t := byID[r.Arg]; r.Func == "component" && t != nil {
			out = append(out, t)
		}
	}
	return out
}

// cycles reports hidden expressions that depend on themselves: whether a
// component is hidden depends on its group, its row, its page and the
// components its hidden expression names.
func (c *checker) cycles() {
	deps := map[*Component][]*Component{}
	pageDeps := map[*Page][]*Component{}
	for _, p := range c.def.Pages {
		if p != nil {
			pageDeps[p] = refs(p.Hidden, c.def.byID)
		}
	}
	c.def.Walk(func(comp *Component) bool {
		d := refs(comp.Hidden, c.def.byID)
		if p := comp.parent; p != nil {
			d = append(d, p)
			d = append(d, refs(p.RowHidden, c.def.byID)...)
		} else if comp.page != nil {
			d = append(d, pageDeps[comp.page]...)
		}
		deps[comp] = d
		return true
	})
	const (
		white = iota
		grey
		black
	)
	color := map[*Component]int{}
	reported := false
	var visit func(x *Component, path []string)
	visit = func(x *Component, path []string) {
		color[x] = grey
		path = append(path, x.ID)
		for _, y := range deps[x] {
			switch color[y] {
			case grey:
				if !reported {
					c.addf(x.place+".hidden", "hidden expressions depend on themselves: %s -> %s", strings.Join(path, " -> "), y.ID)
					reported = true
				}
			case white:
				visit(y, path)
			}
		}
		color[x] = black
	}
	c.def.Walk(func(comp *Component) bool {
		if color[comp] == white {
			visit(comp, nil)
		}
		return true
	})
}

func ctxName(c *Component) string {
	if c == nil {
		return "the page"
	}
	return strconv.Quote(c.ID)
}

// ctxReps is the chain of repeating groups whose rows an expression on comp
// can see: comp's repeating ancestors, and comp itself when it is repeating
// (its row expressions run per row).
func ctxReps(comp *Component) []*Component {
	if comp == nil {
		return nil
	}
	if comp.Type == TypeRepeating {
		return append(slices.Clip(comp.reps), comp)
	}
	return comp.reps
}

// reachable reports whether target's rows are known from comp's context:
// its repeating ancestors must be ones comp is also in.
func reachable(target, comp *Component) bool {
	ctx := ctxReps(comp)
	if len(target.reps) > len(ctx) {
		return false
	}
	for i, r := range target.reps {
		if ctx[i].abs != r.abs {
			return false
		}
	}
	return true
}

// Walk calls fn for every component, depth first, in page order. When fn
// returns false, Walk skips the component's children.
func (def *Definition) Walk(fn func(*Component) bool) {
	var walk func([]*Component)
	walk = func(cs []*Component) {
		for _, c := range cs {
			if c == nil {
				continue
			}
			if fn(c) {
				walk(c.Components)
			}
		}
	}
	for _, p := range def.Pages {
		if p != nil {
			walk(p.Components)
		}
	}
}

// Component returns the component with the id, or nil.
func (def *Definition) Component(id string) *Component { return def.byID[id] }

// Text returns the text for key in lang, falling back to nb (for se, and for
// languages a definition does not have).
func (def *Definition) Text(key string, lang i18n.Lang) string {
	t := def.Texts[key]
	if s := t[string(lang)]; s != "" {
		return s
	}
	return t["nb"]
}

func (def *Definition) compileSchema() error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(def.Schema))
	if err != nil {
		return err
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	// A definition's schema is self-contained: no files, no network.
	comp.UseLoader(noLoader{})
	const loc = "urn:grunnmur:forms:schema"
	if err := comp.AddResource(loc, doc); err != nil {
		return err
	}
	s, err := comp.Compile(loc)
	if err != nil {
		return err
	}
	def.schema = s
	return nil
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("forms: schema references %q; a definition's schema must be self-contained", url)
}

// parsePointer splits an RFC 6901 JSON Pointer.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("%q is not a JSON Pointer (it must start with /)", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		if s == "" {
			return nil, fmt.Errorf("%q has an empty segment", p)
		}
		for j := 0; j < len(s); j++ {
			if s[j] == '~' && (j+1 >= len(s) || (s[j+1] != '0' && s[j+1] != '1')) {
				return nil, fmt.Errorf("%q has a bad ~ escape", p)
			}
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// pointer joins segments into a JSON Pointer.
func pointer(segs []string) string {
	var sb strings.Builder
	for _, s := range segs {
		sb.WriteByte('/')
		if strings.ContainsAny(s, "~/") {
			s = strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
		}
		sb.WriteString(s)
	}
	return sb.String()
}

func isIndex(s string) bool {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parsePath reads a dataModel path: a JSON Pointer ("/a/b/0/c") or Altinn's
// dotted form ("a.b[0].c").
func parsePath(p string) ([]string, error) {
	if strings.HasPrefix(p, "/") {
		return parsePointer(p)
	}
	if p == "" {
		return nil, errors.New("empty data model path")
	}
	var segs []string
	for part := range strings.SplitSeq(p, ".") {
		name := part
		var idx []string
		if i := strings.IndexByte(part, '['); i >= 0 {
			name = part[:i]
			rest := part[i:]
			for rest != "" {
				if rest[0] != '[' {
					return nil, fmt.Errorf("bad data model path %q", p)
				}
				j := strings.IndexByte(rest, ']')
				if j < 0 || !isIndex(rest[1:j]) {
					return nil, fmt.Errorf("bad data model path %q", p)
				}
				idx = append(idx, rest[1:j])
				rest = rest[j+1:]
			}
		}
		if name == "" || strings.ContainsAny(name, "[]") {
			return nil, fmt.Errorf("bad data model path %q", p)
		}
		segs = append(segs, name)
		segs = append(segs, idx...)
	}
	return segs, nil
}
