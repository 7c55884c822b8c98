package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/svarut"
)

// Organisation is an organisation a citizen acts for: a sports club, an
// association, a company. ActFor keeps it in the citizen's login session,
// so it ends with the login.
type Organisation struct {
	Orgnr ident.Orgnr `json:"orgnr"`
	Name  string      `json:"name"`
	// Address is its postal address in Enhetsregisteret, for a letter.
	Address svarut.Address `json:"address"`
}

// actingValue is the session value (auth.Session.Values) holding the
// Organisation a citizen acts for.
const actingValue = "site.acting"

// ActFor checks in Enhetsregisteret (brreg.Client.ActFor) that the
// logged-in citizen may act for the organisation orgnr, as typed, and keeps
// it in their session: Party then answers for it. A refusal is brreg's
// error, which brreg.HTTPStatus maps to a status and a code ("org." and the
// code is a message key of Common); the session is left as it was. Without
// a login it is auth.ErrNoSession.
func (s *Service) ActFor(r *http.Request, reg *brreg.Client, orgnr string) (*Organisation, error) {
	pid, err := s.citizen(r)
	if err != nil {
		return nil, err
	}
	act, err := reg.ActFor(r.Context(), pid, ident.Orgnr(orgnr))
	if err != nil {
		return nil, err
	}
	o := &Organisation{Orgnr: act.Enhet.Organisasjonsnummer, Name: act.Enhet.Navn, Address: svarut.AddressFrom(act.Address)}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	if err := s.Citizen.SetValue(r, actingValue, string(b)); err != nil {
		return nil, err
	}
	return o, nil
}

// ActAsSelf forgets the organisation the citizen acts for: they act as
// themselves again.
func (s *Service) ActAsSelf(r *http.Request) error {
	return s.Citizen.SetValue(r, actingValue, "")
}

// Party is who the logged-in citizen acts as, and the opaque key
// (OwnerKeys) their records are kept under: the Organisation chosen with
// ActFor, or else the person themselves (Owner) with a nil Organisation.
// Without a login it is auth.ErrNoSession.
func (s *Service) Party(r *http.Request) (owner string, org *Organisation, err error) {
	owner, err = s.Owner(r)
	if err != nil {
		return "", nil, err
	}
	raw := s.Citizen.Value(r, actingValue)
	if raw == "" {
		return owner, nil, nil
	}
	org = &Organisation{}
	if err := json.Unmarshal([]byte(raw), org); err != nil {
		return "", nil, fmt.Errorf("site: the session's organisation: %w", err)
	}
	owner, err = s.OwnerKeys.Key(forms.Owner{Org: org.Orgnr})
	return owner, org, err
}

// ActForPage is the page where a logged-in citizen chooses the
// organisation they act for, at the path it serves; mount it with
// ForCitizens for the login and the CSRF check:
//
//	s.Mux.Handle("/klubb", s.ForCitizens(s.ActForPage(reg, "/")))
//
// It shows whom they act for now and a field for an organisasjonsnummer.
// A post checks it with ActFor and sends them on to next; a refusal shows
// the page again (422) with Common's words for it ("org." and the code of
// brreg.HTTPStatus), the number as typed kept in the field. A post with
// as=person acts as oneself again (ActAsSelf). The page is the "actfor"
// template, the site's own unless the service has one, with the texts
// actfor.* that the service's Messages may word for it.
func (s *Service) ActForPage(reg *brreg.Client, next string) http.HandlerFunc {
	type form struct {
		Acting       *Organisation
		Orgnr, Error string
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var f form
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			_, f.Acting, _ = s.Party(r)
			s.Render(w, r, "actfor", http.StatusOK, s.Page(r, "actfor.title", f))
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", "GET, HEAD, POST")
			s.ErrorPage(w, r, http.StatusMethodNotAllowed)
		case r.PostFormValue("as") == "person":
			if err := s.ActAsSelf(r); err != nil {
				s.Fail(w, r, err)
				return
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
		default:
			f.Orgnr = strings.TrimSpace(r.PostFormValue("orgnr"))
			if _, err := s.ActFor(r, reg, f.Orgnr); err != nil {
				_, code := brreg.HTTPStatus(err)
				s.Config.Logger.InfoContext(r.Context(), "act for refused", "code", code, "error", err)
				p := s.Page(r, "actfor.title", nil)
				f.Error = p.Refused("org." + code)
				p.Data = f
				s.Render(w, r, "actfor", http.StatusUnprocessableEntity, p)
				return
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
		}
	}
}

// citizen is the fødselsnummer of the person logged in as a citizen: from
// RequireLogin's context, or on a page open to all from the session.
func (s *Service) citizen(r *http.Request) (ident.Fodselsnummer, error) {
	if c, ok := auth.CitizenFrom(r.Context()); ok {
		return c.PID, nil
	}
	ses, err := s.Citizen.Session(r)
	if err != nil || !ses.LoggedIn() {
		return ident.Fodselsnummer{}, auth.ErrNoSession
	}
	return ses.PID, nil
}

// AddressTo addresses the letter sh to the party it is for: org (Party's
// Organisation) by its orgnr, with its address from Enhetsregisteret for
// print; with a nil org the citizen logged in on ctx (RequireLogin's,
// ForCitizens'), by fødselsnummer, with their postal address from
// Folkeregisteret (reg). A protected address (fortrolig, strengt fortrolig)
// never goes on an envelope: that letter goes digital-only
// (svarut.Shipment.ToPerson). Without a login on ctx it is
// auth.ErrNoSession; a failing register's error is returned as it is.
func AddressTo(ctx context.Context, sh *svarut.Shipment, org *Organisation, reg *folkeregisteret.Client) error {
	if org != nil {
		sh.Recipient, sh.DigitalOnly = svarut.Recipient{Org: org.Orgnr, Address: org.Address}, false
		return nil
	}
	c, ok := auth.CitizenFrom(ctx)
	if !ok {
		return auth.ErrNoSession
	}
	addr, err := reg.PostalAddress(ctx, c.PID)
	protected := errors.Is(err, folkeregisteret.ErrProtectedAddress)
	if err != nil && !protected {
		return err
	}
	sh.ToPerson(c.PID, addr, protected)
	return nil
}
