package vippstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
)

// Make the fake lose the answer to a capture, and see the Service recover
// without capturing twice.
func ExampleServer_Inject() {
	fakeVipps := vippstest.New(vippstest.Config{})
	srv := httptest.NewServer(fakeVipps)
	defer srv.Close()
	defer fakeVipps.Close()
	cfg := fakeVipps.ClientConfig(srv.URL)
	cfg.MaxAttempts = 1
	client, _ := vipps.New(cfg)
	svc := &payment.Service{Provider: client}
	ctx := context.Background()

	p, _ := svc.Start(ctx, payment.Order{BusinessKey: "sak-1/gebyr", Amount: 50000, Description: "Gebyr", ReturnURL: "https://x.example/"})
	fakeVipps.Approve(p.Reference)
	svc.Reconcile(ctx, p.Reference)

	fakeVipps.Inject(fake.Fault{Match: vippstest.OpCapture, Status: 500, AfterEffect: true})
	_, err := svc.Capture(ctx, "sak-1/gebyr", payment.Modification{})
	fmt.Println(errors.Is(err, payment.ErrUncertain))

	p, _ = svc.Capture(ctx, "sak-1/gebyr", payment.Modification{}) // finds it in the event log
	v, _ := fakeVipps.Payment(p.Reference)
	fmt.Println(p.State, v.Captured, fakeVipps.Requests(vippstest.OpCapture))
	// Output:
	// true
	// CAPTURED 50000 1
}
