package site_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/site"
)

// TestNewWithoutOfficersNeedsNoAnsattporten: in production, a service
// without officers is refused for what it uses (ID-porten, Vipps) and not
// for Ansattporten or GRUNNMUR_OFFICERS; with officers, for those too.
func TestNewWithoutOfficersNeedsNoAnsattporten(t *testing.T) {
	env := func(k string) string { return map[string]string{"GRUNNMUR_ENV": "production"}[k] }
	for _, officers := range []bool{false, true} {
		_, err := site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "https://a.example", Getenv: env},
			Officers: officers, Payments: &payment.Service{}})
		var m *site.MissingError
		if !errors.As(err, &m) {
			t.Fatalf("officers %v: %v", officers, err)
		}
		names := strings.Join(m.Names, " ")
		if !strings.Contains(names, "GRUNNMUR_IDPORTEN_ISSUER") || !strings.Contains(names, "GRUNNMUR_VIPPS_MSN") ||
			strings.Contains(names, "ANSATTPORTEN") != officers || strings.Contains(names, "GRUNNMUR_OFFICERS") != officers {
			t.Errorf("officers %v: %v", officers, err)
		}
	}
}
