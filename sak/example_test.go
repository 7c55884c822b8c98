package sak_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

func Example() {
	ctx := context.Background()
	svc := &sak.Service{ // the zero value works, on an in-memory store
		Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
	}
	citizen := sak.Actor{Role: sak.RoleApplicant, ID: "idporten-sub-123"}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten-sub-9"}
	vipps := sak.Actor{Role: sak.RoleSystem, ID: "vipps-webhook"}

	c, _ := svc.Open(ctx, sak.Application{
		Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling", Owner: citizen.ID, AwaitPayment: true,
	})
	fmt.Println(c.Number(), c.State.Label("nb"))

	svc.Link(ctx, vipps, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: "fee-2026-1-1", Status: "CAPTURED"})
	svc.Transition(ctx, vipps, c.ID, sak.InProgress, "fee paid")
	c, _ = svc.Decide(ctx, officer, c.ID, sak.Approved, "")
	appeal, _ := c.Deadline(sak.DeadlineAppeal)
	fmt.Println(c.State.Label("nn"), c.Outcome.Label("en"), appeal.Due.Format("2006-01-02"))

	_, err := svc.Decide(ctx, officer, c.ID, sak.Rejected, "")
	fmt.Println(err)
	// Output:
	// 2026/1 Venter på betaling
	// Vedtak gjort Approved 2026-12-13
	// sak: officer may not move a case from decided to decided
}
