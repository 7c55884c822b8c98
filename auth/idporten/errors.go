package idporten

import (
	"errors"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sentinels for the conditions callers branch on. Validation errors wrap them
// in a *ValidationError that names the check. The provider's own error
// answers are *oauth.Error (package auth/oauth), which unwraps to
// oauth.ErrAccessDenied, oauth.ErrInvalidGrant, ...
var (
	ErrConfig          = errors.New("idporten: invalid configuration")
	ErrDiscovery       = errors.New("idporten: discovery failed")
	ErrIssuerMismatch  = errors.New("idporten: issuer mismatch")
	ErrStateMismatch   = errors.New("idporten: state mismatch")
	ErrMalformedToken  = errors.New("idporten: malformed token")
	ErrAlgorithm       = errors.New("idporten: signing algorithm not allowed")
	ErrUnknownKey      = errors.New("idporten: no key to verify the token")
	ErrAmbiguousKey    = errors.New("idporten: token has no kid and the key set has several candidate keys")
	ErrSignature       = errors.New("idporten: invalid signature")
	ErrAudience        = errors.New("idporten: audience mismatch")
	ErrExpired         = errors.New("idporten: token expired")
	ErrIssuedAt        = errors.New("idporten: iat missing or in the future")
	ErrNonce           = errors.New("idporten: nonce mismatch")
	ErrMissingClaim    = errors.New("idporten: required claim missing")
	ErrACR             = errors.New("idporten: authentication level too low")
	ErrUserinfoSubject = errors.New("idporten: userinfo sub does not match the id_token")
	ErrLogout          = errors.New("idporten: invalid logout request")
)

// ValidationError says which id_token check failed. It unwraps to one of the
// sentinels above. It never carries claim values that identify a person.
type ValidationError struct {
	Check string // "iss", "aud", "signature", ...
	Err   error
	// Detail is a short safe explanation, such as the algorithm name.
	Detail string
}

func (e *ValidationError) Error() string {
	s := "idporten: id_token " + e.Check
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *ValidationError) Unwrap() error { return e.Err }

func invalid(check string, err error, detail string) error {
	return &ValidationError{Check: check, Err: err, Detail: redact.Numbers(detail)}
}
