package archive

import (
	"errors"
	"strconv"
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
	// ErrDocument means a document's bytes could not be read: its Open
	// failed, or a read from it did. Its case is left out of the extract.
	ErrDocument = errors.New("archive: document cannot be read")
)

// CaseError is a case left out of an extract, and why.
type CaseError struct {
	ID     string // the saksmappe's systemID, or the caller's id for the case
	Number string // its mappeID, e.g. "2026/14"
	Err    error
}

func (e *CaseError) Error() string {
	return "archive: saksmappe " + e.Number + " left out: " + strings.TrimPrefix(e.Err.Error(), "archive: ")
}

// Unwrap returns the reason.
func (e *CaseError) Unwrap() error { return e.Err }

// IncompleteError lists the cases Write left out of an extract. The extract
// of the rest is complete and valid on its own.
type IncompleteError struct {
	Cases []*CaseError
}

func (e *IncompleteError) Error() string {
	var b strings.Builder
	b.WriteString("archive: ")
	b.WriteString(strconv.Itoa(len(e.Cases)))
	b.WriteString(" case(s) left out of the extract")
	for i, c := range e.Cases {
		if i == 10 {
			b.WriteString("; ...")
			break
		}
		b.WriteString("; ")
		b.WriteString(strings.TrimPrefix(c.Error(), "archive: "))
	}
	return b.String()
}

// Unwrap returns each case's error, so that errors.Is finds their reasons.
func (e *IncompleteError) Unwrap() []error {
	errs := make([]error, len(e.Cases))
	for i, c := range e.Cases {
		errs[i] = c
	}
	return errs
}

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
