package idporten

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a string that never prints itself: a client secret, an access
// token, an id_token. String, every fmt verb, slog and JSON show
// "[REDACTED]"; Reveal returns the value for the one place that sends it.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v as safe as %v.
func (s Secret) GoString() string { return `idporten.Secret("` + s.String() + `")` }

// Format keeps every verb (%x and %q included) from printing the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.String())
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps the value out of JSON and other text encodings. Store a
// secret on purpose with Reveal.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
