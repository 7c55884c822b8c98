package site

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/sak"
)

// Actor is who asks, as the case service (sak) knows them: under
// OfficerArea, the officer ForOfficers let through, by their Ansattporten
// subject (never the fødselsnummer); elsewhere the logged-in citizen as
// the applicant, by their owner key (Owner), so that sak shows them only
// their own cases. Without a login it is auth.ErrNoSession.
func (s *Service) Actor(r *http.Request) (sak.Actor, error) {
	if r.URL.Path == OfficerArea || strings.HasPrefix(r.URL.Path, OfficerArea+"/") {
		c, ok := auth.CitizenFrom(r.Context())
		if !ok || s.Officer == nil || !s.Officers[c.PID.Reveal()] {
			return sak.Actor{}, auth.ErrNoSession
		}
		return sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten:" + c.Subject}, nil
	}
	owner, err := s.Owner(r)
	if err != nil {
		return sak.Actor{}, err
	}
	return sak.Actor{Role: sak.RoleApplicant, ID: owner}, nil
}

// Case is the case {id} of the request as Actor may see it: an officer
// sees any, a citizen only their own; anyone else's is sak.ErrNotFound,
// which Fail answers with 404.
func (s *Service) Case(r *http.Request) (*sak.Case, sak.Actor, error) {
	if s.Cases == nil {
		return nil, sak.Actor{}, fmt.Errorf("%w: Case without Cases", ErrConfig)
	}
	actor, err := s.Actor(r)
	if err != nil {
		return nil, actor, err
	}
	c, err := s.Cases.Get(r.Context(), actor, r.PathValue("id"))
	return c, actor, err
}
