package site_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestAddressTo addresses a letter to an organisation by orgnr, to the
// logged-in citizen with their Folkeregisteret address, and to one with a
// protected address digital-only with the name alone; without a login it
// is auth.ErrNoSession.
func TestAddressTo(t *testing.T) {
	c := full()
	c.Scopes = []string{scopeFolkereg}
	svc, base := serve(t, c)
	reg, err := svc.Externals.FolkeregisteretClient(svc.Config.Now, svc.Config.Logger)
	if err != nil {
		t.Fatal(err)
	}
	org := &site.Organisation{Orgnr: registrytest.ApplicantOrgnr, Name: "SESAM AS", Address: svarut.Address{Name: "SESAM AS", PostalCode: "0150"}}
	svc.Mux.Handle("GET /to", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		var o *site.Organisation
		if r.URL.Query().Has("org") {
			o = org
		}
		sh := &svarut.Shipment{DigitalOnly: true}
		if err := site.AddressTo(r.Context(), sh, o, reg); err != nil {
			svc.Fail(w, r, err)
			return
		}
		fmt.Fprintf(w, "%s|%v|%s|%s|%v", sh.Recipient.Org, sh.Recipient.Person.IsZero(), sh.Recipient.Address.Name, sh.Recipient.Address.PostalCode, sh.DigitalOnly)
	}))
	ps := registrytest.Persons()
	for _, tt := range []struct {
		who  int
		path string
		want string
	}{
		{registrytest.SigridHaugland, "/to", "|false|Sigrid Haugland|0184|false"},
		{registrytest.SigridHaugland, "/to?org", string(registrytest.ApplicantOrgnr) + "|true|SESAM AS|0150|false"},
		{registrytest.IngridSolberg, "/to", "|false|Ingrid Marie Solberg||true"},
	} {
		b := sitetest.NewBrowser(t)
		if _, page := b.Login(base+tt.path, ps[tt.who].FNR.Reveal()); page != tt.want {
			t.Errorf("%s %s: %q, want %q", ps[tt.who].Name(), tt.path, page, tt.want)
		}
	}
	if err := site.AddressTo(context.Background(), &svarut.Shipment{}, nil, reg); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("without a login: %v", err)
	}
}
