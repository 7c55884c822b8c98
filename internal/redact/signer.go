package redact

import (
	"crypto"
	"fmt"
	"io"
	"log/slog"
	"reflect"
)

// Signer wraps a private key so that printing it shows only its kind,
// "[REDACTED *rsa.PrivateKey]": through String and Format, slog and
// encoding/json, and also when fmt reaches it by reflection through an
// unexported field, where no method is called (the key's parts are not in
// the wrapper, only its public key and its Sign method). It signs as the
// key does and its Public is the key's, so it can stand in for the key in a
// configuration a client keeps. nil stays nil.
func Signer(k crypto.Signer) crypto.Signer {
	if k == nil {
		return nil
	}
	if v := reflect.ValueOf(k); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil // a typed nil (var k *rsa.PrivateKey): no key, and Public would panic
	}
	if s, ok := k.(*signer); ok {
		return s
	}
	return &signer{kind: fmt.Sprintf("%T", k), pub: k.Public(), sign: k.Sign}
}

type signer struct {
	kind string
	pub  crypto.PublicKey
	sign func(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// Public implements crypto.Signer.
func (s *signer) Public() crypto.PublicKey { return s.pub }

// Sign implements crypto.Signer.
func (s *signer) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.sign(rand, digest, opts)
}

func (s *signer) String() string { return "[REDACTED " + s.kind + "]" }

// Format prints String for every verb, %#v and %x included.
func (s *signer) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue keeps slog as safe as String.
func (s *signer) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON keeps encoding/json as safe as String.
func (s *signer) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// Struct prints v, a struct value of a type without methods (a local copy
// type of a configuration, say), with the verb and flags of f. A
// configuration's Format calls it after putting Signer in place of its key,
// so that fmt's own struct printing does the rest.
func Struct(f fmt.State, verb rune, v any) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), v)
}
