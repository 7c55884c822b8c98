package registry_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

func ExampleCached() {
	var group registry.Group
	cache := registry.NewMemoryCache(0)
	calls := 0
	lookup := func(ctx context.Context) (string, error) {
		calls++
		return "DIGITALISERINGSDIREKTORATET", nil
	}
	for range 3 {
		name, hit, _ := registry.Cached(context.Background(), cache, &group, "enhet:991825827", time.Minute, lookup)
		fmt.Println(name, hit)
	}
	fmt.Println("upstream calls:", calls)
	// Output:
	// DIGITALISERINGSDIREKTORATET false
	// DIGITALISERINGSDIREKTORATET true
	// DIGITALISERINGSDIREKTORATET true
	// upstream calls: 1
}

func ExampleAudit() {
	auditor := registry.AuditFunc(func(_ context.Context, e registry.AuditEvent) error {
		fmt.Println(e.Registry, e.Operation, e.Persons, e.Purpose.LegalBasis)
		return nil
	})
	fnr := ident.MustParseFodselsnummer("03851598730")
	ctx := registry.WithPurpose(context.Background(), registry.Purpose{Actor: "saksbehandler:kari", LegalBasis: "alkoholloven § 1-7"})
	err := registry.Audit(ctx, auditor, nil, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: []ident.Fodselsnummer{fnr}})
	fmt.Println(err)
	err = registry.Audit(context.Background(), auditor, nil, registry.AuditEvent{Registry: "krr", Operation: "personer"})
	fmt.Println(err)
	// Output:
	// krr personer [038515*****] alkoholloven § 1-7
	// <nil>
	// krr: personer: registry: person look-up without a purpose
}
