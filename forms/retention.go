package forms

import (
	"context"
	"errors"
	"time"
)

// ExpireDrafts deletes the drafts last updated before before, and the
// uploads they refer to, in batches until none is left, and says how many
// of each it deleted. Run it daily from a service's background work: an
// abandoned application is personal data kept without a purpose. files may
// be nil (a form without uploads). A file that cannot be deleted is
// reported in the error and the rest go on.
func ExpireDrafts(ctx context.Context, s Store, files Files, before time.Time) (drafts, deleted int, err error) {
	const batch = 100
	var errs []error
	for {
		ds, err := s.DeleteDraftsBefore(ctx, before, batch)
		if err != nil {
			return drafts, deleted, errors.Join(append(errs, err)...)
		}
		drafts += len(ds)
		for _, d := range ds {
			if files == nil {
				continue
			}
			for _, id := range fileIDs(d.Data) {
				switch err := files.Delete(ctx, d.Owner, id); {
				case err == nil:
					deleted++
				case !errors.Is(err, ErrFileNotFound):
					errs = append(errs, err)
				}
			}
		}
		if len(ds) < batch {
			return drafts, deleted, errors.Join(errs...)
		}
	}
}
