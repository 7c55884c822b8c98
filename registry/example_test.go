package registry_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

func ExampleMemoryCache() {
	ctx := context.Background()
	cache := &registry.MemoryCache{MaxEntries: 1000}
	if err := cache.Set(ctx, "enhet:991825827", []byte(`{"navn":"DIGITALISERINGSDIREKTORATET"}`), time.Minute); err != nil {
		fmt.Println(err)
	}
	v, ok, err := cache.Get(ctx, "enhet:991825827")
	fmt.Println(string(v), ok, err)
	_, ok, _ = cache.Get(ctx, "enhet:974760673")
	fmt.Println(ok)
	// Output:
	// {"navn":"DIGITALISERINGSDIREKTORATET"} true <nil>
	// false
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
