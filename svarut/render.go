package svarut

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// ErrUnknownDocument is returned by RenderSource for a reference whose
// scheme it has no renderer for.
var ErrUnknownDocument = fmt.Errorf("%w: unknown document", ErrInvalid)

// RenderSource is a DocumentSource that renders each document afresh from
// its Ref, "scheme:id": the renderer for scheme gets id. A letter rendered
// from the case it belongs to needs no file store, and the outbox gets the
// same bytes on every attempt.
//
//	src := svarut.RenderSource{"vedtak": func(ctx context.Context, id string) ([]byte, error) {
//		return letterFor(ctx, id) // e.g. a site.Letter's PDF
//	}}
//	outbox := &svarut.Outbox{Client: client, Store: store, Documents: src}
type RenderSource map[string]func(ctx context.Context, id string) ([]byte, error)

// Render renders the document ref names, "scheme:id". A ref with no
// renderer gives an error matching ErrUnknownDocument; the ref is not in
// the error, since ids may name people.
func (s RenderSource) Render(ctx context.Context, ref string) ([]byte, error) {
	scheme, id, ok := strings.Cut(ref, ":")
	f := s[scheme]
	if !ok || f == nil {
		return nil, fmt.Errorf("%w (scheme %q)", ErrUnknownDocument, safeScheme(scheme, ok))
	}
	return f(ctx, id)
}

// Open implements DocumentSource.
func (s RenderSource) Open(ctx context.Context, doc Document) (io.ReadCloser, error) {
	b, err := s.Render(ctx, doc.Ref)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// safeScheme is the scheme for an error, cut short: without a ":" the whole
// ref is no scheme and is left out.
func safeScheme(scheme string, ok bool) string {
	if !ok || len(scheme) > 20 {
		return ""
	}
	return scheme
}
