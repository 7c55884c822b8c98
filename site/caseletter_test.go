package site_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestSendLetter sends a case's letter twice, as after a failure: one
// shipment, one outgoing journal entry and one link; the error of a letter
// without its parts names neither the recipient nor the case.
func TestSendLetter(t *testing.T) {
	c := full()
	c.Letters = &svarut.Outbox{Documents: svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.7 vedtak")), nil
	})}
	svc, _ := serve(t, c)
	ctx := context.Background()
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten:siri"}
	k, err := svc.Cases.Open(ctx, sak.Application{Kind: "test", Title: "Søknad", Owner: "o"})
	if err != nil {
		t.Fatal(err)
	}
	letter := site.CaseLetter{ID: "vedtak-" + k.ID, Title: "Vedtak", Shipment: &svarut.Shipment{Title: "Vedtak i sak " + k.Number(),
		Recipient: svarut.Recipient{Org: "974760673", Address: svarut.Address{Name: "Sesam AS", Line1: "Storgata 1", PostalCode: "0155", PostTown: "Oslo"}},
		Documents: []svarut.Document{{Name: "vedtak.pdf", MimeType: svarut.MimePDF, Ref: "vedtak:" + k.ID}}}}
	for range 2 {
		if _, err := svc.SendLetter(ctx, officer, k.ID, letter); err != nil {
			t.Fatal(err)
		}
	}
	k, err = svc.Cases.Get(ctx, officer, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Journal) != 1 || k.Journal[0].Type != sak.Outgoing || k.Journal[0].Party != "Sesam AS" || len(k.Journal[0].Documents) != 1 ||
		k.Journal[0].Documents[0].Ref != "vedtak:"+k.ID || k.Journal[0].Documents[0].Title != "Vedtak" {
		t.Errorf("journal %+v", k.Journal)
	}
	if l := k.LinksOf(sak.LinkLetter); len(l) != 1 || l[0].Ref != letter.ID {
		t.Errorf("links %+v", l)
	}
	if _, err := svc.Letters.Store.Get(ctx, letter.ID); err != nil {
		t.Errorf("outbox: %v", err)
	}
	_, err = svc.SendLetter(ctx, officer, k.ID, site.CaseLetter{ID: "x"})
	if !errors.Is(err, site.ErrConfig) || strings.Contains(fmt.Sprint(err), k.ID) {
		t.Errorf("no shipment: %v", err)
	}
}
