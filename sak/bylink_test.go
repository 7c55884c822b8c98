package sak_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

// The case a form submission opened, found from the submission's id.
func ExampleService_ByLink() {
	ctx := context.Background()
	svc := &sak.Service{Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }}
	citizen := sak.Actor{Role: sak.RoleApplicant, ID: "owner-key-1"}
	svc.Open(ctx, sak.Application{Kind: "torgplass", Title: "Søknad om torgplass", Owner: citizen.ID,
		Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: "sub-42"}}})

	c, err := svc.ByLink(ctx, citizen, sak.LinkSubmission, "sub-42")
	fmt.Println(c.Number(), err)
	_, err = svc.ByLink(ctx, sak.Actor{Role: sak.RoleApplicant, ID: "someone-else"}, sak.LinkSubmission, "sub-42")
	fmt.Println(err)
	// Output:
	// 2026/1 <nil>
	// sak: case not found
}

func TestByLink(t *testing.T) {
	ctx := context.Background()
	svc := &sak.Service{}
	var want *sak.Case
	for i, owner := range []string{"a", "b", "a"} {
		c, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: owner,
			Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: fmt.Sprint("sub-", i)}, {Kind: sak.LinkPayment, Ref: "pay-1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			want = c
		}
	}
	for _, tc := range []struct {
		name  string
		actor sak.Actor
		kind  sak.LinkKind
		ref   string
		found bool
	}{
		{"the owner", sak.Actor{Role: sak.RoleApplicant, ID: "a"}, sak.LinkSubmission, "sub-2", true},
		{"another applicant", sak.Actor{Role: sak.RoleApplicant, ID: "b"}, sak.LinkSubmission, "sub-2", false},
		{"an officer", sak.Actor{Role: sak.RoleOfficer, ID: "o"}, sak.LinkSubmission, "sub-2", true},
		{"another kind of link", sak.Actor{Role: sak.RoleApplicant, ID: "a"}, sak.LinkBooking, "sub-2", false},
		{"no such ref", sak.Actor{Role: sak.RoleOfficer, ID: "o"}, sak.LinkSubmission, "sub-9", false},
	} {
		c, err := svc.ByLink(ctx, tc.actor, tc.kind, tc.ref)
		switch {
		case tc.found && (err != nil || c.ID != want.ID):
			t.Errorf("%s: %v, %v; want case %s", tc.name, c, err, want.ID)
		case !tc.found && !errors.Is(err, sak.ErrNotFound):
			t.Errorf("%s: %v, %v; want ErrNotFound", tc.name, c, err)
		}
	}
}
