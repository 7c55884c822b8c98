package notify

import (
	"fmt"
	"log/slog"
	"strings"
)

// Address is where a message goes: an e-mail address or a phone number in
// E.164 form (+4791234567). It is personal data, so it redacts itself under
// every fmt verb and in log/slog ("o***@example.no", "+47******67"); code that
// hands it to a provider calls Reveal.
type Address struct{ v string }

// NewAddress wraps s as it is; ParsePhone and ParseEmail check and normalise.
func NewAddress(s string) Address { return Address{v: s} }

// Reveal returns the address itself, for the provider and the store.
func (a Address) Reveal() string { return a.v }

// IsZero reports whether there is no address.
func (a Address) IsZero() bool { return a.v == "" }

// String returns the address masked.
func (a Address) String() string {
	s := a.v
	if s == "" {
		return ""
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		first := ""
		if at > 0 {
			first = string([]rune(s[:at])[0])
		}
		return first + "***" + s[at:]
	}
	r := []rune(s)
	if len(r) <= 5 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}

// Format prints the masked address under every verb.
func (a Address) Format(f fmt.State, verb rune) { fmt.Fprint(f, a.String()) }

// LogValue logs the masked address.
func (a Address) LogValue() slog.Value { return slog.StringValue(a.String()) }
