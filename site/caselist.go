package site

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/grunnmur/grunnmur/sak"
)

// The query parameters of a case list's pages: the page after (older than)
// a case, and the page before (newer than) one; their values are sak's
// cursors.
const (
	ListAfter  = "etter"
	ListBefore = "foer"
)

// CaseList is one page of an officer's list of cases, for a page template.
type CaseList struct {
	Cases []CaseRow
	// Newer and Older link to the neighbouring pages; "" where there is
	// none.
	Newer, Older string
}

// CaseRow is a case's summary with its state (and outcome) in words.
type CaseRow struct {
	sak.Summary
	State string
}

// CaseList is the page of the cases matching f, newest first, limit a page,
// that the request's ListAfter or ListBefore cursor asks for, with the links
// to the pages around it on the request's path. A cursor that sak did not
// make is sak.ErrNotFound: Fail answers it with 404, as a page that does not
// exist.
func (s *Service) CaseList(r *http.Request, f sak.Filter, limit int) (*CaseList, error) {
	if s.Cases == nil {
		return nil, fmt.Errorf("%w: CaseList without Cases", ErrConfig)
	}
	q := r.URL.Query()
	pg, err := s.Cases.Summaries(r.Context(), f, sak.Page{Limit: limit, After: q.Get(ListAfter), Before: q.Get(ListBefore)})
	if errors.Is(err, sak.ErrInvalid) {
		return nil, fmt.Errorf("%w: bad cursor", sak.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	lang := Lang(r)
	l := &CaseList{}
	for _, row := range pg.Rows {
		state := row.State.Label(lang)
		if row.Outcome != "" {
			state += ": " + row.Outcome.Label(lang)
		}
		l.Cases = append(l.Cases, CaseRow{Summary: row, State: state})
	}
	link := func(param, cursor string) string { return r.URL.Path + "?" + url.Values{param: {cursor}}.Encode() }
	if pg.Newer != "" {
		l.Newer = link(ListBefore, pg.Newer)
	} else if !pg.First {
		l.Newer = r.URL.Path
	}
	if pg.Older != "" {
		l.Older = link(ListAfter, pg.Older)
	}
	return l, nil
}
