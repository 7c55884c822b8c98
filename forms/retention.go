package forms

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/job"
)

// DefaultMaxDraftAge is how long DraftExpiry keeps a draft after its last
// change when MaxAge is zero.
const DefaultMaxDraftAge = 90 * 24 * time.Hour

// DraftExpiry is the background job that deletes abandoned drafts and the
// uploads they refer to: an application nobody sends is personal data kept
// without a purpose. Run it from a service's background work:
//
//	go (&forms.DraftExpiry{Store: store, Files: files, Logger: log}).Run(ctx, 24*time.Hour)
type DraftExpiry struct {
	// Store holds the drafts. It is required: without one, RunOnce and Run
	// return ErrNoStore.
	Store Store
	// Files holds the uploads. nil means the drafts' uploads are in no
	// store of the caller's (the Flow's own in-memory one, or none), so
	// there is nothing to delete beyond the drafts.
	Files Files
	// MaxAge is how long a draft is kept after its last change; zero
	// means DefaultMaxDraftAge.
	MaxAge time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger gets the counts of each pass and the errors Run goes on
	// after; nil discards them.
	Logger *slog.Logger
}

// expiryBatch is how many drafts one Store call deletes.
const expiryBatch = 100

// RunOnce deletes the drafts last changed more than MaxAge ago, and their
// uploads, in batches until none is left. A file that cannot be deleted is
// reported in the error and the rest go on.
func (x *DraftExpiry) RunOnce(ctx context.Context) error {
	if x.Store == nil {
		return ErrNoStore
	}
	age := x.MaxAge
	if age <= 0 {
		age = DefaultMaxDraftAge
	}
	before := defaults.Now(x.Now).Add(-age)
	var drafts, files int
	var errs []error
	for {
		ds, err := x.Store.DeleteDraftsBefore(ctx, before, expiryBatch)
		if err != nil {
			errs = append(errs, err)
			break
		}
		drafts += len(ds)
		for _, d := range ds {
			n, err := x.deleteFiles(ctx, d)
			files += n
			errs = append(errs, err)
		}
		if len(ds) < expiryBatch {
			break
		}
	}
	if drafts > 0 {
		defaults.Logger(x.Logger).InfoContext(ctx, "forms: abandoned drafts deleted", "drafts", drafts, "files", files)
	}
	return errors.Join(errs...)
}

// deleteFiles deletes the uploads a deleted draft refers to. One already
// gone is no error.
func (x *DraftExpiry) deleteFiles(ctx context.Context, d *Draft) (deleted int, err error) {
	if x.Files == nil {
		return 0, nil
	}
	var errs []error
	for _, id := range fileIDs(d.Data) {
		switch err := x.Files.Delete(ctx, d.Owner, id); {
		case err == nil:
			deleted++
		case !errors.Is(err, ErrFileNotFound):
			errs = append(errs, err)
		}
	}
	return deleted, errors.Join(errs...)
}

// Run calls RunOnce at once and then every interval until ctx ends, and
// returns nil then. An error of a pass is logged and the next pass goes
// on. A non-positive every, or a missing Store, is returned at once.
func (x *DraftExpiry) Run(ctx context.Context, every time.Duration) error {
	if x.Store == nil && every > 0 {
		return ErrNoStore
	}
	return job.Run(ctx, every, x.RunOnce, defaults.Logger(x.Logger), "forms: deleting abandoned drafts", nil)
}
