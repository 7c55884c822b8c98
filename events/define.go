package events

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// Type is one event type with its payload T, defined once, in the package
// that emits it:
//
//	var CaseDecided = events.Define[CaseDecidedData]("no.grunnmur.sak.case.decided.v1")
//
// A changed payload (a field removed, renamed or given another meaning) is a
// new type with the next version, defined beside the old one; adding a
// field is not.
type Type[T any] struct {
	name, source string
}

// Define defines the event type name with payload T and enters it in the
// Catalogue. It is called once per type, in a package-level var, with a
// constant name, so a mistake there is a programming error and Define
// panics, as regexp.MustCompile does:
//   - name is not no.grunnmur.<package>.<aggregate>.<verb>.v<N> (lower-case
//     letters and digits in each part);
//   - name is defined already;
//   - T is not a struct, or holds personal data: a field of a type that
//     redacts itself (ident.Fodselsnummer, secret.Value, any slog.LogValuer)
//     or from package ident (but ident.Orgnr) or secret, or a field named as
//     personal data (fnr, name, email, phone, address, ...). A subscriber
//     that needs the person looks them up with its own authority.
func Define[T any](name string) *Type[T] {
	payload := reflect.TypeFor[T]()
	if err := checkName(name); err != nil {
		panic(err)
	}
	if err := checkPayload(payload); err != nil {
		panic(fmt.Errorf("%w: %s: %v", ErrInvalid, name, err))
	}
	def := Definition{Type: name, Source: sourceOf(name), Payload: payload, Fields: fields(payload, "")}
	catalogue.Lock()
	defer catalogue.Unlock()
	if _, dup := catalogue.defs[name]; dup {
		panic(fmt.Errorf("%w: type %s is defined twice", ErrInvalid, name))
	}
	if catalogue.defs == nil {
		catalogue.defs = map[string]Definition{}
	}
	catalogue.defs[name] = def
	return &Type[T]{name: name, source: def.Source}
}

func checkName(name string) error {
	if !typeName.MatchString(name) {
		return fmt.Errorf("%w: type %q is not no.grunnmur.<package>.<aggregate>.<verb>.v<N>", ErrInvalid, name)
	}
	return nil
}

// Name returns the type's name, e.g. "no.grunnmur.sak.case.decided.v1".
func (t *Type[T]) Name() string { return t.name }

// New returns an event of this type about subject (the aggregate's id) at
// time at, with data as its payload. The error wraps ErrInvalid for an empty
// or unprintable subject or a zero time.
func (t *Type[T]) New(subject string, at time.Time, data T) (Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("events: %s: encode the payload: %w", t.name, err)
	}
	id, err := newID()
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: id, Source: t.source, Type: t.name, Subject: subject, Time: at.UTC().Truncate(time.Microsecond),
		DataContentType: ContentType, Data: b}
	if err := e.Validate(); err != nil {
		return Event{}, fmt.Errorf("%s: %w", t.name, err)
	}
	return e, nil
}

// Is reports whether e is of this type.
func (t *Type[T]) Is(e Event) bool { return e.Type == t.name }

// Decode returns e's payload. The error wraps ErrInvalid when e is of
// another type or its data does not decode into T.
func (t *Type[T]) Decode(e Event) (T, error) {
	var v T
	if e.Type != t.name {
		return v, fmt.Errorf("%w: %s is not %s", ErrInvalid, clip(e.Type), t.name)
	}
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return v, fmt.Errorf("%w: %s: the data does not decode: %v", ErrInvalid, t.name, err)
	}
	return v, nil
}

// Definition is one event type in the Catalogue.
type Definition struct {
	Type    string       // "no.grunnmur.sak.case.decided.v1"
	Source  string       // "/grunnmur/sak"
	Payload reflect.Type // the Go type of the data
	Fields  []Field      // the payload's fields, nested ones as "outer.inner"
}

// Field is one payload field: its JSON name and its Go type.
type Field struct {
	JSON string // "state", or "fee.amount" in a nested struct, "items[].id" in a slice
	Go   string // "sak.State", "string", "time.Time"
}

// catalogue holds every defined type. It is written by Define, which runs
// while packages initialise, and only read after.
var catalogue struct {
	sync.Mutex
	defs map[string]Definition
}

// Catalogue returns every type defined in this program, by name.
func Catalogue() []Definition {
	catalogue.Lock()
	defer catalogue.Unlock()
	out := make([]Definition, 0, len(catalogue.defs))
	for _, d := range catalogue.defs {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Definition) int { return strings.Compare(a.Type, b.Type) })
	return out
}

// personal are field names (lower-case, without '_' and '-') that name
// personal data. A payload field whose Go or JSON name is one of them, or
// ends in one (ApplicantName, contact_email), is refused.
var personal = []string{
	"fnr", "pid", "ssn", "fodselsnummer", "fødselsnummer", "personnummer", "dnummer", "birthnumber",
	"name", "navn", "firstname", "lastname", "fornavn", "etternavn",
	"email", "epost", "mail", "phone", "telefon", "mobile", "mobil", "msisdn",
	"address", "adresse", "birthdate", "fodselsdato", "fødselsdato",
	"token", "password", "passord", "secret", "hemmelighet",
}

var (
	logValuer = reflect.TypeFor[slog.LogValuer]()
	timeType  = reflect.TypeFor[time.Time]()
	rawJSON   = reflect.TypeFor[json.RawMessage]()
)

// checkPayload refuses a payload type that is not a struct or that can hold
// personal data.
func checkPayload(t reflect.Type) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("the payload %v is not a struct", t)
	}
	return checkType(t, t.String(), map[reflect.Type]bool{})
}

func checkType(t reflect.Type, at string, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if t.Implements(logValuer) || reflect.PointerTo(t).Implements(logValuer) {
		return fmt.Errorf("%s is a %v, which redacts itself: personal data or a secret", at, t)
	}
	switch pkg := t.PkgPath(); {
	case strings.HasSuffix(pkg, "grunnmur/secret"),
		strings.HasSuffix(pkg, "grunnmur/ident") && t.Name() != "Orgnr":
		return fmt.Errorf("%s is a %v: personal data or a secret", at, t)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		if t == rawJSON {
			return fmt.Errorf("%s is raw JSON, which the catalogue cannot describe", at)
		}
		return checkType(t.Elem(), at, seen)
	case reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return fmt.Errorf("%s is a %v, which an event cannot carry", at, t)
	case reflect.Struct:
		if t == timeType {
			return nil
		}
		for f := range t.Fields() {
			if f.Anonymous {
				return fmt.Errorf("%s embeds %v: name the field, so the catalogue shows it", at, f.Type)
			}
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if p := personalName(f.Name, name); p != "" {
				return fmt.Errorf("%s.%s is named as personal data (%s)", at, f.Name, p)
			}
			if err := checkType(f.Type, at+"."+f.Name, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// personalName returns the entry of personal that one of names ends in.
func personalName(names ...string) string {
	for _, n := range names {
		n = strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(n))
		if n == "" {
			continue
		}
		for _, p := range personal {
			if strings.HasSuffix(n, p) {
				return p
			}
		}
	}
	return ""
}

// fields lists a payload's fields with their JSON names, as encoding/json
// writes them.
func fields(t reflect.Type, prefix string) []Field {
	var out []Field
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		ft := f.Type
		out = append(out, Field{JSON: prefix + name, Go: ft.String()})
		sub, suffix := ft, ""
		for sub.Kind() == reflect.Pointer || sub.Kind() == reflect.Slice || sub.Kind() == reflect.Array {
			if sub.Kind() != reflect.Pointer {
				suffix += "[]"
			}
			sub = sub.Elem()
		}
		if sub.Kind() == reflect.Struct && sub != timeType {
			out = append(out, fields(sub, prefix+name+suffix+".")...)
		}
	}
	return out
}
