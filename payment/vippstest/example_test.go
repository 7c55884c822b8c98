package vippstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
)

// Make the fake lose the answer to a capture, and see the Service recover
// without capturing twice.
func ExampleServer_InjectFault() {
	fake := vippstest.New(vippstest.Config{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	defer fake.Close()
	cfg := fake.ClientConfig(srv.URL)
	cfg.MaxAttempts = 1
	client, _ := vipps.New(cfg)
	svc := &payment.Service{Provider: client}
	ctx := context.Background()

	p, _ := svc.Start(ctx, payment.Order{BusinessKey: "sak-1/gebyr", Amount: 50000, Description: "Gebyr", ReturnURL: "https://x.example/"})
	fake.Approve(p.Reference)
	svc.Reconcile(ctx, p.Reference)

	fake.InjectFault(vippstest.Fault{Op: "capture", Status: 500, AfterProcessing: true})
	_, err := svc.Capture(ctx, "sak-1/gebyr", payment.Modification{})
	fmt.Println(errors.Is(err, payment.ErrUncertain))

	p, _ = svc.Capture(ctx, "sak-1/gebyr", payment.Modification{}) // finds it in the event log
	v, _ := fake.Payment(p.Reference)
	fmt.Println(p.State, v.Captured, fake.Requests("capture"))
	// Output:
	// true
	// CAPTURED 50000 1
}
