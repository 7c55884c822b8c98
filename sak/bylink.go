package sak

import "context"

// ByLink returns the case that links to ref of kind (the case a submission
// opened, say) and that actor may see. An applicant sees only their own
// cases, looked for among them alone; anyone else's search goes through
// every case, a page at a time. None is ErrNotFound.
func (s *Service) ByLink(ctx context.Context, actor Actor, kind LinkKind, ref string) (*Case, error) {
	var f Filter
	if actor.Role == RoleApplicant {
		f.Owner = actor.ID
	}
	for c, err := range s.Cases(ctx, f) {
		if err != nil {
			return nil, err
		}
		for _, l := range c.LinksOf(kind) {
			if l.Ref == ref {
				return c, nil
			}
		}
	}
	return nil, ErrNotFound
}
