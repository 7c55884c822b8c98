// Package text checks and cleans text that people type, for the stores and
// the form input. PostgreSQL text and jsonb hold UTF-8 without NUL; Go
// strings hold any bytes. Anything in between (emoji, right-to-left text,
// U+2028, other control characters) is text and passes unchanged.
package text

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// Valid reports whether s is UTF-8 without NUL: text every store can keep
// as it is.
func Valid(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// Clean makes s valid: each byte that is not part of valid UTF-8 becomes
// U+FFFD and NUL is removed. A NUL has no meaning in text a person types, yet
// a browser sends one for %00; replacing a bad byte keeps a visible mark where
// something was.
func Clean(s string) string {
	if Valid(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0:
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// ValidValue reports whether every string in v is Valid: strings, map keys,
// and the strings inside structs, slices, arrays, maps, pointers and
// interfaces, as json.Marshal would reach them (exported fields only).
// Stores call it before encoding a record, since encoding/json turns bad
// bytes into U+FFFD without a word and PostgreSQL refuses \u0000.
func ValidValue(v any) bool {
	return valid(reflect.ValueOf(v), 0)
}

// maxDepth bounds the walk through cyclic pointers, which json.Marshal
// refuses anyway.
const maxDepth = 100

func valid(v reflect.Value, depth int) bool {
	if depth > maxDepth {
		return true
	}
	switch v.Kind() {
	case reflect.String:
		return Valid(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || valid(v.Elem(), depth+1)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // []byte is encoded as base64
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			if !valid(v.Index(i), depth+1) {
				return false
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !valid(it.Key(), depth+1) || !valid(it.Value(), depth+1) {
				return false
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() && !valid(v.Field(i), depth+1) {
				return false
			}
		}
	}
	return true
}

// Truncate shortens s to at most n bytes without cutting a character in two,
// which would leave bytes that are not UTF-8.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
