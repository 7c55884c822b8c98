package sak

import (
	"context"
	"time"
)

// Summary is one row of an officer's list of cases: what the list shows,
// and nothing that needs another look-up. It holds no personal number.
type Summary struct {
	ID         string
	Number     string // "2026/17"
	Kind       string
	Title      string
	Applicant  string // Case.ApplicantName, else the orgnr acted for
	OnBehalfOf string // orgnr, when the applicant acts for an organisation
	State      State
	Outcome    Outcome
	// Deadline is the open deadline due first; its Kind is "" when the
	// case has none. Overdue reports whether it was past when listed.
	Deadline Deadline
	Overdue  bool
	Updated  time.Time // the last change
}

// Summarize returns c's row of an officer's list, with Overdue judged at now.
func Summarize(c *Case, now time.Time) Summary {
	s := Summary{
		ID: c.ID, Number: c.Number(), Kind: c.Kind, Title: c.Title,
		Applicant: c.ApplicantName, OnBehalfOf: c.OnBehalfOf,
		State: c.State, Outcome: c.Outcome, Updated: c.Updated,
	}
	if s.Applicant == "" {
		s.Applicant = c.OnBehalfOf
	}
	if d, ok := c.NextDeadline(); ok {
		s.Deadline, s.Overdue = d, d.Overdue(now)
	}
	return s
}

// SummaryPage is one page of an officer's list. Newer and Older are the
// cursors of the neighbouring pages, for Page.Before and Page.After, or ""
// where there is none; First reports whether the page is the list's first.
// An empty page after a cursor (a stale link: Store.List never hands out a
// cursor with nothing after it) has neither.
type SummaryPage struct {
	Rows         []Summary
	Newer, Older string
	First        bool
}

// Summaries lists one page of the cases that match f for an officer's list,
// newest first, with the cursors of the pages on either side. A page asked
// for with Before that reaches the newest case is the first page, whole, so
// that paging back always ends where paging began. A bad cursor is an
// ErrInvalid.
func (s *Service) Summaries(ctx context.Context, f Filter, p Page) (*SummaryPage, error) {
	cs, next, err := s.store().List(ctx, f, p)
	if err != nil {
		return nil, err
	}
	if p.Before != "" && next == "" {
		p = Page{Limit: p.Limit}
		if cs, next, err = s.store().List(ctx, f, p); err != nil {
			return nil, err
		}
	}
	out := &SummaryPage{First: p.After == "" && p.Before == ""}
	now := s.now()
	for _, c := range cs {
		out.Rows = append(out.Rows, Summarize(c, now))
	}
	switch {
	case p.Before != "":
		out.Newer = next
		out.Older = CursorOf(cs[len(cs)-1])
	case p.After != "" && len(cs) > 0:
		out.Newer, out.Older = CursorOf(cs[0]), next
	default:
		out.Older = next
	}
	return out, nil
}
