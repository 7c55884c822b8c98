package registry

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// Purpose says who asks for personal data and why. GDPR article 30 asks for a
// record of both; give it to every person look-up with WithPurpose.
type Purpose struct {
	// Actor is who asked: a case officer's id, "system:nightly-letters", ...
	Actor string
	// Reason is what the data is for, in words a data protection officer can
	// read: "behandling av søknad om skjenkebevilling, sak 2026/123".
	Reason string
	// LegalBasis is the legal ground, for example "alkoholloven § 1-7".
	LegalBasis string
}

type purposeKey struct{}

// WithPurpose returns ctx carrying p, for the person look-ups made with it.
func WithPurpose(ctx context.Context, p Purpose) context.Context {
	return context.WithValue(ctx, purposeKey{}, p)
}

// PurposeFrom returns the Purpose ctx carries.
func PurposeFrom(ctx context.Context) (Purpose, bool) {
	p, ok := ctx.Value(purposeKey{}).(Purpose)
	return p, ok && (p.Actor != "" || p.Reason != "" || p.LegalBasis != "")
}

// AuditEvent records one look-up of personal data.
type AuditEvent struct {
	Time      time.Time
	Registry  string // "folkeregisteret", "krr", "brreg"
	Operation string // "person", "bulkoppslag", "personer", "roller", ...
	Purpose   Purpose
	// Persons are the people looked up. They print redacted: an audit log
	// that wants the digits asks each for Reveal, knowingly.
	Persons []ident.Fodselsnummer
	// Orgnr is the organisation, for Enhetsregisteret's authorised roles.
	Orgnr ident.Orgnr
	// Cached is true when the answer came from the cache, not the registry.
	Cached bool
}

// LogValue logs the event with the personal numbers redacted.
func (e AuditEvent) LogValue() slog.Value {
	persons := make([]string, len(e.Persons))
	for i, p := range e.Persons {
		persons[i] = p.String()
	}
	return slog.GroupValue(
		slog.Time("time", e.Time),
		slog.String("registry", e.Registry),
		slog.String("operation", e.Operation),
		slog.String("actor", e.Purpose.Actor),
		slog.String("reason", e.Purpose.Reason),
		slog.String("legal_basis", e.Purpose.LegalBasis),
		slog.Any("persons", persons),
		slog.String("orgnr", string(e.Orgnr)),
		slog.Bool("cached", e.Cached),
	)
}

// Auditor receives every person look-up before it is made. An error from
// Audit stops the look-up: personal data is not fetched without a record.
type Auditor interface {
	Audit(ctx context.Context, e AuditEvent) error
}

// AuditFunc adapts a function to Auditor.
type AuditFunc func(ctx context.Context, e AuditEvent) error

// Audit calls f.
func (f AuditFunc) Audit(ctx context.Context, e AuditEvent) error { return f(ctx, e) }

// SlogAuditor writes each event to a logger at info level, redacted.
type SlogAuditor struct{ Logger *slog.Logger }

// Audit logs e.
func (a SlogAuditor) Audit(ctx context.Context, e AuditEvent) error {
	l := a.Logger
	if l == nil {
		l = slog.Default()
	}
	l.LogAttrs(ctx, slog.LevelInfo, "registry: person look-up", slog.Any("audit", e))
	return nil
}

// Audit sends e to a (if not nil), filling in the time and the purpose from
// ctx. With an auditor configured, a look-up without a purpose fails with
// ErrNoPurpose.
func Audit(ctx context.Context, a Auditor, now func() time.Time, e AuditEvent) error {
	if a == nil {
		return nil
	}
	p, ok := PurposeFrom(ctx)
	if !ok {
		return fmt.Errorf("%s: %s: %w", e.Registry, e.Operation, ErrNoPurpose)
	}
	e.Purpose = p
	if now == nil {
		now = time.Now
	}
	e.Time = now().UTC()
	if err := a.Audit(ctx, e); err != nil {
		return fmt.Errorf("%s: %s: audit: %w", e.Registry, e.Operation, err)
	}
	return nil
}
