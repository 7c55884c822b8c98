package payment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/payment"
)

func TestHTTPStatus(t *testing.T) {
	ctx := context.Background()
	svc := &payment.Service{Provider: &payment.Invoicing{}}
	_, started := svc.Start(ctx, payment.Order{BusinessKey: "2026-000900/gebyr", Amount: 0})
	_, missing := svc.Capture(ctx, "2026-000901/gebyr", payment.Modification{})
	_, ocr := payment.ParseOCR(strings.NewReader("NY"))
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"nil", nil, 200, ""},
		{"unknown", errors.New("disk on fire"), 500, "internal"},
		{"context", context.Canceled, 500, "internal"},
		{"zero amount", started, 400, "invalid"},
		{"OCR line", ocr, 400, "invalid"},
		{"text", fmt.Errorf("store: %w", payment.ErrInvalidText), 400, "invalid_text"},
		{"no payment", missing, 404, "not_found"},
		{"conflict", payment.ErrConflict, 409, "conflict"},
		{"other provider", fmt.Errorf("%w: (%w)", payment.ErrConflict, payment.ErrOtherProvider), 409, "other_provider"},
		{"in progress", payment.ErrInProgress, 409, "in_progress"},
		{"transition", &payment.TransitionError{Reference: "ref-00001", From: payment.Aborted, To: payment.Captured}, 409, "invalid_transition"},
		{"rejected", fmt.Errorf("vipps: %w", payment.ErrRejected), 422, "rejected"},
		{"not supported", payment.ErrNotSupported, 422, "not_supported"},
		{"uncertain", fmt.Errorf("%w: capture: %w", payment.ErrUncertain, errors.New("timeout")), 503, "outcome_uncertain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name != "nil" && c.err == nil {
				t.Fatal("the case's call did not fail")
			}
			status, code := payment.HTTPStatus(c.err)
			if status != c.status || code != c.code {
				t.Errorf("HTTPStatus(%v) = %d %q, want %d %q", c.err, status, code, c.status, c.code)
			}
		})
	}
}
