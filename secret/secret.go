// Package secret holds credentials so that they cannot leak by accident.
//
// A [Value] holds a client secret, a subscription key, an integration
// password, an HMAC key or a webhook secret. It prints as "[redacted]" under
// every fmt verb, in log/slog (text and JSON handlers) and in encoding/json,
// and it cannot be compared with ==, so that a secret is never checked in
// variable time by mistake. The one way to read it is [Value.Reveal], which
// stands out in review.
//
//	key, err := secret.FromEnv(os.Getenv, "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY")
//	if err != nil {
//		return err
//	}
//	req.Header.Set("Ocp-Apim-Subscription-Key", key.Reveal())
//	slog.Info("configured", "key", key) // key=[redacted]
//
// Every grunnmur Config keeps its credentials in a Value.
package secret

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Value is a credential. The zero Value is empty. Values are not comparable;
// use [Value.Equal], which takes constant time.
//
// The secret sits behind a pointer: fmt prints a struct's unexported fields
// by reflection without calling their methods, so a Value held in an
// unexported field shows only an address there, never the secret.
type Value struct {
	_ [0]func() // not comparable
	p *string
}

const redacted = "[redacted]"

// New returns a Value holding s.
func New(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{p: &s}
}

// Reveal returns the secret itself. Call it only where the secret leaves the
// process for the service it belongs to.
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// IsZero reports whether v is empty.
func (v Value) IsZero() bool { return v.p == nil }

// Equal reports whether v and w hold the same secret, in time that depends
// only on their lengths.
func (v Value) Equal(w Value) bool {
	a, b := v.Reveal(), w.Reveal()
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := 0; i < len(a); i++ {
		d |= a[i] ^ b[i]
	}
	return d == 0
}

// String returns "[redacted]", or "" for the zero Value.
func (v Value) String() string {
	if v.IsZero() {
		return ""
	}
	return redacted
}

// GoString keeps %#v as safe as %v.
func (v Value) GoString() string { return "secret.Value(" + v.String() + ")" }

// Format prints the redacted form under every verb and flag.
func (v Value) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", v.String())
	case 'v':
		if f.Flag('#') {
			io.WriteString(f, v.GoString())
			return
		}
		io.WriteString(f, v.String())
	default:
		io.WriteString(f, v.String())
	}
}

// LogValue redacts v in log/slog.
func (v Value) LogValue() slog.Value { return slog.StringValue(v.String()) }

// MarshalText redacts v in encoding/json map keys, XML and text encoders.
func (v Value) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// MarshalJSON redacts v in encoding/json.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.IsZero() {
		return []byte(`""`), nil
	}
	return []byte(`"` + redacted + `"`), nil
}

// UnmarshalText reads a secret from configuration text. The redacted form
// itself is refused, so that a configuration written back from a log cannot
// silently hold "[redacted]" as a password.
func (v *Value) UnmarshalText(b []byte) error {
	if string(b) == redacted {
		return errors.New("secret: the redacted placeholder is not a secret")
	}
	*v = New(string(b))
	return nil
}

// ErrConflict is returned by [FromEnv] when both NAME and NAME_FILE are set.
var ErrConflict = errors.New("secret: both the variable and its _FILE variable are set")

// maxFile bounds a secret file: credentials are short, and a wrong path to a
// large file should fail, not fill memory.
const maxFile = 64 << 10

// FromFile reads a secret from a file, as mounted by Kubernetes or systemd
// credentials. One trailing newline (LF or CRLF) is removed; other
// whitespace is kept. An empty file or one over 64 KiB is an error.
func FromFile(path string) (Value, error) {
	f, err := os.Open(path)
	if err != nil {
		return Value{}, fmt.Errorf("secret: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return Value{}, fmt.Errorf("secret: read %s: %w", path, err)
	}
	if len(b) > maxFile {
		return Value{}, fmt.Errorf("secret: %s is over %d bytes", path, maxFile)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return Value{}, fmt.Errorf("secret: %s is empty", path)
	}
	return New(s), nil
}

// FromEnv reads the secret in the variable name, or in the file named by the
// variable name+"_FILE". Neither set gives the zero Value and no error; both
// set is [ErrConflict]. getenv is usually os.Getenv.
func FromEnv(getenv func(string) string, name string) (Value, error) {
	v, file := getenv(name), getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return Value{}, fmt.Errorf("%w: %s", ErrConflict, name)
	case file != "":
		s, err := FromFile(file)
		if err != nil {
			return Value{}, fmt.Errorf("%s_FILE: %w", name, err)
		}
		return s, nil
	}
	return New(v), nil
}
