package asice

import (
	"errors"
	"fmt"
)

// Sentinels callers branch on. A problem with one file comes as a
// *FileError that names the file and wraps one of them.
var (
	// ErrNotASiCE: not a ZIP, or no stored `mimetype` first with the
	// ASiC-E media type, or two entries of one name.
	ErrNotASiCE = errors.New("asice: not an ASiC-E container")
	// ErrMissingFile: a file the manifest or signature names is not in the
	// container, or the container has no signature at all.
	ErrMissingFile = errors.New("asice: a file is missing")
	// ErrExtraFile: a file in the container that no signature covers.
	ErrExtraFile = errors.New("asice: a file is not covered by the signature")
	// ErrDigest: a file's digest differs from the one the manifest holds.
	ErrDigest = errors.New("asice: digest mismatch")
	// ErrSignature: the CAdES signature does not verify over the manifest.
	ErrSignature = errors.New("asice: the signature does not verify")
	// ErrManifest: a manifest or XAdES signature file that cannot be read.
	ErrManifest = errors.New("asice: malformed manifest")
	// ErrUnsupported: a digest or signature algorithm this package does
	// not know.
	ErrUnsupported = errors.New("asice: unsupported algorithm")
	// ErrNoKey: none of the configured keys opens the encrypted container.
	ErrNoKey = errors.New("asice: no configured key fits the message")
	// ErrDecrypt: the encrypted container is not CMS EnvelopedData this
	// package can read, or it is cut short.
	ErrDecrypt = errors.New("asice: cannot decrypt the container")
	// ErrTooLarge: the decrypted container is over the limit.
	ErrTooLarge = errors.New("asice: container too large")
	// ErrInvalid: the sender's own input cannot make a container (a bad
	// file name, a missing signer).
	ErrInvalid = errors.New("asice: invalid input")
)

// FileError is a problem with one file of a container.
type FileError struct {
	Name string // the file's name in the container
	Err  error  // one of the sentinels
}

func (e *FileError) Error() string { return fmt.Sprintf("%v: %q", e.Err, e.Name) }

func (e *FileError) Unwrap() error { return e.Err }
