package site

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/ident"
)

// AllowList reads the variable name: fødselsnumre separated by commas,
// spaces or newlines, as GRUNNMUR_OFFICERS holds them, or a service's own
// list of the citizens who may do more (a hall's admins). It keeps them as
// digits (ident.Fodselsnummer.Reveal), the keys ForListed and Listed look
// up. A number that is not a fødselsnummer is an ErrConfig that names the
// variable and not the number.
func AllowList(getenv func(string) string, name string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(getenv(name), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		pid, err := ident.ParseFodselsnummer(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrConfig, name, err)
		}
		out[pid.Reveal()] = true
	}
	return out, nil
}

// AllowList is AllowList on the service's variables (Config.Getenv).
// While the sandbox runs and name is unset, the sandbox's officer
// (Fakes.Officer) is the one on it, so that a developer can try what the
// list allows.
func (s *Service) AllowList(name string) (map[string]bool, error) {
	list, err := AllowList(s.Config.Getenv, name)
	if err == nil && len(list) == 0 && s.Fakes != nil && s.Fakes.Sandbox != nil {
		list[s.Fakes.Officer.PID.Reveal()] = true
	}
	return list, err
}

// Listed reports whether the person logged in as a citizen is on list
// (AllowList), as for a menu link only they see.
func (s *Service) Listed(r *http.Request, list map[string]bool) bool {
	pid, err := s.citizen(r)
	return err == nil && list[pid.Reveal()]
}

// ForListed is ForCitizens for the citizens on list only (AllowList): anyone
// else logged in gets the 403 page. The map is read on every request and
// must not change while the service runs.
func (s *Service) ForListed(list map[string]bool, h http.HandlerFunc) http.Handler {
	return s.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		if !s.Listed(r, list) {
			s.Config.Logger.WarnContext(r.Context(), "not on the list")
			s.ErrorPage(w, r, http.StatusForbidden)
			return
		}
		h(w, r)
	})
}
