package fiksarkiv

import (
	"errors"
	"fmt"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sentinels for errors.Is.
var (
	// ErrInvalid: a message to send breaks the protocol's rules (a required
	// field is empty, both or neither of mappe and registrering, no
	// referanseEksternNoekkel). Nothing was written.
	ErrInvalid = errors.New("fiksarkiv: invalid message")
	// ErrReply: a reply from the archive is not what its message type
	// promises (not XML, wrong root or namespace, a required field missing
	// or malformed).
	ErrReply = errors.New("fiksarkiv: invalid reply")
	// ErrUnknownType: a reply's message type is not a Fiks Arkiv V1 reply
	// this package reads.
	ErrUnknownType = errors.New("fiksarkiv: unknown message type")
	// ErrFeilmelding: the archive answered with a feilmelding; errors.As
	// gives the *Feilmelding.
	ErrFeilmelding = errors.New("fiksarkiv: the archive answered with an error")
)

// FieldError names the field of a message to send that breaks a rule.
type FieldError struct {
	Field  string // a path such as "registrering/korrespondansepart[1]/korrespondansepartNavn"
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrInvalid, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// ReplyError says what is wrong with a reply's payload. Reason quotes no
// payload text beyond element names, so no personal data reaches it.
type ReplyError struct {
	Type   string // the message type the payload came with
	Field  string // the element, when one is to blame
	Reason string
}

func (e *ReplyError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v (%s): %s", ErrReply, e.Type, e.Reason)
	}
	return fmt.Sprintf("%v (%s): %s: %s", ErrReply, e.Type, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrReply) hold.
func (e *ReplyError) Unwrap() error { return ErrReply }

// Kind of feilmelding.
type Kind string

// The three feilmelding kinds of Fiks Arkiv V1.
const (
	Ugyldigforespoersel Kind = "ugyldigforespoersel" // final: the request is invalid
	Serverfeil          Kind = "serverfeil"          // the archive failed; retry
	Ikkefunnet          Kind = "ikkefunnet"          // a referenced object does not exist
)

// Feilmelding is the archive's error reply. It is an error: errors.Is(err,
// ErrFeilmelding) holds. Message is the archive's text as sent, for the
// officer; Error() masks 11-digit runs in it (a fødselsnummer an archive may
// echo) so it can be logged.
type Feilmelding struct {
	Kind    Kind
	FeilID  string // a string since December 2025 (it was a UUID)
	Message string
}

func (f *Feilmelding) Error() string {
	return fmt.Sprintf("fiksarkiv: %s %s: %s", f.Kind, redact.Numbers(f.FeilID), redact.Numbers(f.Message))
}

// Unwrap makes errors.Is(err, ErrFeilmelding) hold.
func (f *Feilmelding) Unwrap() error { return ErrFeilmelding }

// Temporary reports whether sending again may succeed: true for serverfeil
// only. Ugyldigforespoersel is final and ikkefunnet needs a different request.
func (f *Feilmelding) Temporary() bool { return f.Kind == Serverfeil }
