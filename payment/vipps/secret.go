package vipps

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a credential: a client secret, a subscription key, an access
// token or a webhook secret. It never prints itself: String, every fmt verb
// and slog show "[REDACTED]". Reveal is the one explicit way to its value.
type Secret struct {
	_ [0]func() // not comparable with ==, which is not constant-time
	// v is behind a pointer so that fmt, printing a struct that holds a
	// Secret in an unexported field (a Client's config or token cache),
	// shows an address instead of the value: there it cannot call Format.
	v *string
}

// NewSecret wraps a credential.
func NewSecret(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{v: &v}
}

// Reveal returns the credential, for the one header or HMAC key that needs it.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == nil }

func (s Secret) String() string { return "[REDACTED]" }

// GoString keeps %#v safe.
func (s Secret) GoString() string { return "vipps.Secret([REDACTED])" }

// Format keeps every verb safe.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, "[REDACTED]")
}

// LogValue keeps slog safe.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// MarshalText keeps encoders (JSON, YAML) safe.
func (s Secret) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }
