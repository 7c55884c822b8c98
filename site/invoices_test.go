package site_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/site"
)

// TestServiceInvoices: Invoices gets a payment.Invoicing on
// GRUNNMUR_INVOICE_ACCOUNT (DevInvoiceAccount in development while unset),
// keeps its records with the Vipps payments' and issues an invoice with a
// KID; a bad account is an ErrConfig.
func TestServiceInvoices(t *testing.T) {
	c := full()
	c.Invoices = &payment.Service{Provider: &payment.Invoicing{Prefix: "77"}, ReferencePrefix: "inv"}
	svc, _ := serve(t, c)
	inv, ok := svc.Invoices.Provider.(*payment.Invoicing)
	if !ok || inv.Account.Format() != site.DevInvoiceAccount || inv.Prefix != "77" {
		t.Fatalf("provider %T %+v", svc.Invoices.Provider, inv)
	}
	if svc.Invoices.Store != svc.Payments.Store || svc.Invoices.Now == nil || svc.Invoices.Logger == nil {
		t.Errorf("the invoices' store, clock or logger is not the service's")
	}
	p, err := svc.Invoices.Start(context.Background(), payment.Order{BusinessKey: "bill/1", Amount: money.Kroner(600), Description: "Leie"})
	if err != nil || !strings.HasPrefix(p.Reference, "inv") {
		t.Fatalf("invoice: %+v %v", p, err)
	}
	if got, err := svc.Payments.Latest(context.Background(), "bill/1"); err != nil || got.Reference != p.Reference {
		t.Errorf("the invoice is not with the Vipps payments: %+v %v", got, err)
	}

	for _, account := range []string{"1503.10.12345", "kontonummer"} {
		_, err := site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "http://127.0.0.1:1",
			Getenv: envOf(map[string]string{"GRUNNMUR_INVOICE_ACCOUNT": account})}, Sandbox: devenv.Sandbox, Invoices: &payment.Service{}})
		if !errors.Is(err, site.ErrConfig) || !strings.Contains(err.Error(), "GRUNNMUR_INVOICE_ACCOUNT") {
			t.Errorf("account %q: %v", account, err)
		}
	}
}

// TestServiceInvoicesProduction: in production GRUNNMUR_INVOICE_ACCOUNT
// must be set; set, it is the account.
func TestServiceInvoicesProduction(t *testing.T) {
	env := sandboxEnv(t)
	env["GRUNNMUR_ENV"] = "production"
	start := func() (*site.Service, error) {
		return site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "https://a.example", Getenv: envOf(env)},
			Invoices: &payment.Service{}})
	}
	if _, err := start(); !errors.Is(err, site.ErrConfig) || !strings.Contains(err.Error(), "GRUNNMUR_INVOICE_ACCOUNT") {
		t.Errorf("unset in production: %v", err)
	}
	// With another service unset too, the one error names every variable.
	vipps := env["GRUNNMUR_VIPPS_CLIENT_ID"]
	delete(env, "GRUNNMUR_VIPPS_CLIENT_ID")
	var missing *site.MissingError
	if _, err := start(); !errors.As(err, &missing) || !slices.Contains(missing.Names, "GRUNNMUR_INVOICE_ACCOUNT") ||
		!slices.Contains(missing.Names, "GRUNNMUR_VIPPS_CLIENT_ID") {
		t.Errorf("two unset in production: %v", err)
	}
	env["GRUNNMUR_VIPPS_CLIENT_ID"] = vipps
	env["GRUNNMUR_INVOICE_ACCOUNT"] = "8601.11.17947"
	svc, err := start()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if got := svc.Invoices.Provider.(*payment.Invoicing).Account.Format(); got != "8601.11.17947" {
		t.Errorf("account %s", got)
	}
}

// TestServiceInvoicesPostgres keeps the invoices and their payments in
// PostgreSQL.
func TestServiceInvoicesPostgres(t *testing.T) {
	c := full()
	c.DatabaseURL = postgrestest.URL(t)
	c.Invoices = &payment.Service{}
	svc, _ := serve(t, c)
	inv := svc.Invoices.Provider.(*payment.Invoicing)
	for name, st := range map[string]any{"invoice": inv.Store, "payment": svc.Invoices.Store} {
		if !strings.Contains(fmt.Sprintf("%T", st), "postgres.") {
			t.Errorf("the %s store is %T, not PostgreSQL's", name, st)
		}
	}
}
