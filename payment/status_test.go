package payment_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// RunOnce reports its count to the Logger (a job returns only an error).
func TestRunOnceLogsCount(t *testing.T) {
	ctx := context.Background()
	var logs strings.Builder
	inv := &payment.Invoicing{}
	svc := &payment.Service{Provider: inv, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	for _, bk := range []string{"2026-000910/gebyr", "2026-000911/gebyr"} {
		if _, err := svc.Start(ctx, payment.Order{BusinessKey: bk, Amount: 100, Description: "Gebyr"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `msg="payment: reconciled" provider=invoice payments=2 failed=0`) {
		t.Errorf("log:\n%s", logs.String())
	}
}
