package cms

import "errors"

// Sentinels callers branch on. Every error of this package wraps one of them.
var (
	// ErrMalformed: the input is not the CMS structure it claims to be, or
	// is cut short, or its padding is wrong.
	ErrMalformed = errors.New("cms: malformed message")
	// ErrUnsupported: a well-formed message that uses an algorithm or a
	// structure this package does not handle.
	ErrUnsupported = errors.New("cms: unsupported algorithm or structure")
	// ErrNoKey: none of the configured keys opens any recipient info: the
	// message was encrypted to someone else, or to a rotated-out key.
	ErrNoKey = errors.New("cms: no configured key fits the message")
	// ErrSignature: a SignedData whose signature or content digest does
	// not verify.
	ErrSignature = errors.New("cms: signature does not verify")
	// ErrTooLarge: the decrypted content is over the caller's limit.
	ErrTooLarge = errors.New("cms: decrypted content over the limit")
)
