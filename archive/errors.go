package archive

import (
	"errors"
	"strings"
)

// Sentinel errors.
var (
	// ErrInvalid is wrapped by every *FieldError.
	ErrInvalid = errors.New("archive: invalid record")
	// ErrUnknownClass means a case names a class the Extract does not list.
	ErrUnknownClass = errors.New("archive: unknown class")
	// ErrDirNotEmpty means the output folder already holds files.
	ErrDirNotEmpty = errors.New("archive: output folder is not empty")
	// ErrClosed means the Writer was closed or failed earlier.
	ErrClosed = errors.New("archive: writer closed")
	// ErrEmpty means the extract would have no journal entries or no
	// change-log entries; the Noark 5 schemas require at least one of each.
	ErrEmpty = errors.New("archive: extract is empty")
	// ErrOutsidePeriod means a registration was created outside a sharp
	// archival period.
	ErrOutsidePeriod = errors.New("archive: registration outside the archival period")
	// ErrXMLDecl means an XML file's declaration is malformed, misplaced,
	// or declares a version other than 1.0 or an encoding other than UTF-8.
	ErrXMLDecl = errors.New("archive: invalid or unsupported XML declaration")
)

// FieldError names the record and field that failed validation. It never
// carries the field's value, which may be personal data.
type FieldError struct {
	Path   string // e.g. "saksmappe 2024/1 > journalpost 2"
	Field  string // the Noark element, e.g. "tittel"
	Reason string // e.g. "missing", "not a UUID"
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("archive: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Field)
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }
