package vipps_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
)

// Verify a webhook: here the worked example from Vipps' documentation.
func ExampleWebhookVerifier() {
	h := http.Header{}
	h.Set("x-ms-date", "Thu, 30 Mar 2023 08:38:32 GMT")
	h.Set("x-ms-content-sha256", "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=")
	h.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=")
	body := []byte(`{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}`)

	v := vipps.WebhookVerifier{
		Secrets: []secret.Value{secret.New("A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==")},
		Now:     func() time.Time { return time.Date(2023, 3, 30, 8, 38, 35, 0, time.UTC) },
	}
	fmt.Println(v.Verify("POST", "/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63", "webhook.site", h, body))
	h.Set("x-ms-date", "Thu, 30 Mar 2023 08:38:33 GMT")
	fmt.Println(v.Verify("POST", "/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63", "webhook.site", h, body))
	// Output:
	// <nil>
	// vipps: webhook signature matches no secret
}

// A payment from start to refund, against the fake.
func ExampleClient() {
	fake := vippstest.New(vippstest.Config{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	defer fake.Close()
	client, _ := vipps.New(fake.ClientConfig(srv.URL))
	svc := &payment.Service{Provider: client}
	ctx := context.Background()

	p, _ := svc.Start(ctx, payment.Order{
		BusinessKey: "2026-000123/gebyr", Amount: money.Kroner(1500),
		Description: "Gebyr for skjenkebevilling", ReturnURL: "https://kommune.example/ferdig",
	})
	fmt.Println(p.State, p.Amount)
	fake.Approve(p.Reference) // the payer approves in the app
	p, _ = svc.Reconcile(ctx, p.Reference)
	fmt.Println(p.State)
	p, _ = svc.Capture(ctx, "2026-000123/gebyr", payment.Modification{})
	fmt.Println(p.State, p.Aggregate.Captured)
	p, _ = svc.Refund(ctx, "2026-000123/gebyr", payment.Modification{Amount: money.Kroner(500)})
	fmt.Println(p.State, p.Aggregate.Refunded)
	// Output:
	// CREATED 1 500,00 kr
	// AUTHORIZED
	// CAPTURED 1 500,00 kr
	// PARTIALLY_REFUNDED 500,00 kr
}

// Read the client's configuration from the environment; with nothing set, a
// service in development starts the fake instead.
func ExampleConfigFromEnv() {
	env := map[string]string{
		"GRUNNMUR_VIPPS_CLIENT_ID":        "0c4b7a3e-client",
		"GRUNNMUR_VIPPS_CLIENT_SECRET":    "s3cret",
		"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "k3y",
		"GRUNNMUR_VIPPS_MSN":              "123456",
	}
	cfg, err := vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", func(k string) string { return env[k] })
	fmt.Println(cfg.BaseURL == "", cfg.MSN, cfg.ClientSecret, err)

	_, err = vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", func(string) string { return "" })
	fmt.Println(errors.Is(err, config.ErrUnset))
	// Output:
	// true 123456 [redacted] <nil>
	// true
}
