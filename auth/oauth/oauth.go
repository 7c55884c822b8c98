// Package oauth holds the one error type that ID-porten, Ansattporten and
// Maskinporten answers become: an OAuth 2.0 error response (RFC 6749 5.2)
// from an authorization, token, PAR or userinfo endpoint, or the failure to
// get any answer at all.
//
//	tok, err := ts.Token(ctx) // or login.Callback(ctx, query, pending)
//	var oe *oauth.Error
//	switch {
//	case errors.Is(err, oauth.ErrAccessDenied): // the person pressed Avbryt
//	case errors.As(err, &oe) && oe.Temporary(): // 429, 5xx or no answer: try later
//	case errors.Is(err, oauth.ErrInvalidGrant): // a grant or code refused
//	}
//
// An *Error unwraps to the sentinel of its code (ErrAccessDenied,
// ErrInvalidGrant, ErrInvalidClient, ErrInvalidScope) or, for a 5xx, to
// ErrServer, and for a failed transport to the cause. Error() names the
// package that got the answer ("idporten: http 400: invalid_grant ...") and
// masks digit runs that could be a personal number.
//
// Glossary: MP-nnn is Maskinporten's own error numbering (MPCode).
package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sentinels. An *Error unwraps to the one of its code or status.
var (
	ErrAccessDenied  = errors.New("oauth: access denied") // the person cancelled the login
	ErrInvalidGrant  = errors.New("oauth: invalid grant")
	ErrInvalidClient = errors.New("oauth: invalid client")
	ErrInvalidScope  = errors.New("oauth: invalid scope")
	ErrServer        = errors.New("oauth: server error")
)

// Common OAuth error codes, to compare with Error.Code.
const (
	CodeAccessDenied       = "access_denied"
	CodeLoginRequired      = "login_required"
	CodeInvalidGrant       = "invalid_grant"
	CodeInvalidRequest     = "invalid_request"
	CodeInvalidClient      = "invalid_client"
	CodeUnauthorizedClient = "unauthorized_client"
	CodeInvalidScope       = "invalid_scope"
	// CodeInvalidResponse is not the provider's: it marks an answer that is
	// not what the protocol promises (no id_token, not JSON, ...).
	CodeInvalidResponse = "invalid_response"
)

// Error is an OAuth error response, or a request that got no answer.
type Error struct {
	// Provider is the package that made the request, "idporten" or
	// "maskinporten"; it starts Error().
	Provider string
	// Status is the HTTP status; 0 for an error in a login callback's query
	// and for a request that got no answer (then Err is set).
	Status int
	// Code is the OAuth error code: access_denied, invalid_grant, ...
	Code string
	// Message is the provider's error_description.
	Message string
	// RequestID is the provider's id of the request, for its support desk.
	RequestID string
	// MPCode is Maskinporten's own "MP-nnn" code, when its answer has one.
	MPCode string
	// Err is the transport failure when no answer came.
	Err error
}

func (e *Error) Error() string {
	p := e.Provider
	if p == "" {
		p = "oauth"
	}
	s := p + ": "
	switch {
	case e.Status != 0:
		s += fmt.Sprintf("http %d: %s", e.Status, redact.Numbers(e.Code))
	case e.Code != "":
		s += redact.Numbers(e.Code)
	case e.Err != nil:
		s += "no answer: " + redact.Numbers(e.Err.Error())
	}
	if e.MPCode != "" {
		s += " (" + e.MPCode + ")"
	}
	if e.Message != "" {
		s += ": " + redact.Numbers(e.Message)
	}
	if e.RequestID != "" {
		s += " (request id " + redact.Numbers(e.RequestID) + ")"
	}
	return s
}

// Unwrap returns the sentinel for the code (or ErrServer for a 5xx), and
// Err.
func (e *Error) Unwrap() []error {
	var out []error
	switch {
	case e.Code == CodeAccessDenied:
		out = append(out, ErrAccessDenied)
	case e.Code == CodeInvalidGrant:
		out = append(out, ErrInvalidGrant)
	case e.Code == CodeInvalidClient || e.Code == CodeUnauthorizedClient:
		out = append(out, ErrInvalidClient)
	case e.Code == CodeInvalidScope:
		out = append(out, ErrInvalidScope)
	case e.Status >= 500:
		out = append(out, ErrServer)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Temporary reports whether a later try may succeed: a 429, a 5xx, or a
// request that got no answer (unless its context was cancelled).
func (e *Error) Temporary() bool {
	if e.Status >= 500 || e.Status == http.StatusTooManyRequests {
		return true
	}
	return e.Status == 0 && e.Err != nil && !errors.Is(e.Err, context.Canceled)
}
