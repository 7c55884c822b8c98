package idporten

import (
	"errors"
	"fmt"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sentinels for the conditions callers branch on. Validation errors wrap them
// in a *ValidationError that names the check.
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

	// An *AuthError unwraps to one of these, as maskinporten.Error does.
	ErrAccessDenied  = errors.New("idporten: access denied") // the person cancelled the login
	ErrInvalidGrant  = errors.New("idporten: invalid grant")
	ErrInvalidClient = errors.New("idporten: invalid client")
	ErrServer        = errors.New("idporten: server error")
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

// AuthError is an OAuth 2.0 error response: from the authorization endpoint
// (in the callback's query) or from the token, PAR or userinfo endpoint.
type AuthError struct {
	Status      int    // HTTP status; 0 for a callback error
	Code        string // access_denied, invalid_grant, login_required, ...
	Description string
	RequestID   string
}

func (e *AuthError) Error() string {
	code := redact.Numbers(e.Code)
	s := "idporten: " + code
	if e.Status != 0 {
		s = fmt.Sprintf("idporten: http %d: %s", e.Status, code)
	}
	if e.Description != "" {
		s += ": " + redact.Numbers(e.Description)
	}
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the sentinel for the error code: ErrAccessDenied,
// ErrInvalidGrant, ErrInvalidClient, or ErrServer for a 5xx.
func (e *AuthError) Unwrap() error {
	switch {
	case e.Code == CodeAccessDenied:
		return ErrAccessDenied
	case e.Code == CodeInvalidGrant:
		return ErrInvalidGrant
	case e.Code == CodeInvalidClient || e.Code == "unauthorized_client":
		return ErrInvalidClient
	case e.Status >= 500:
		return ErrServer
	}
	return nil
}

// Temporary reports whether a later try may succeed (429 and 5xx).
func (e *AuthError) Temporary() bool { return e.Status >= 500 || e.Status == 429 }

// Common OAuth error codes, to compare with AuthError.Code.
const (
	CodeAccessDenied   = "access_denied"
	CodeLoginRequired  = "login_required"
	CodeInvalidGrant   = "invalid_grant"
	CodeInvalidRequest = "invalid_request"
	CodeInvalidClient  = "invalid_client"
)
