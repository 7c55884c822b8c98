package auth

import (
	"context"
	"errors"
	"time"

	"github.com/grunnmur/grunnmur/internal/job"
)

// ErrInterval is returned at once by Cleaner.Run for a non-positive interval.
var ErrInterval = errors.New("auth: Cleaner.Run needs a positive interval")

// Cleaner deletes the sessions of a Manager past its idle or absolute limit.
// Expired sessions are refused either way; the Cleaner keeps the Store from
// growing. Get one from Manager.Cleaner and run it beside the server:
//
//	go m.Cleaner().Run(ctx, 5*time.Minute)
type Cleaner struct {
	m *Manager
}

// Cleaner returns the background job that deletes m's expired sessions.
func (m *Manager) Cleaner() *Cleaner { return &Cleaner{m: m} }

// RunOnce deletes the expired sessions once and logs how many.
func (c *Cleaner) RunOnce(ctx context.Context) error {
	m := c.m
	now := m.now()
	n, err := m.store().DeleteExpired(ctx, now.Add(-m.idle()), now.Add(-m.maxAge()))
	if err != nil {
		return err
	}
	if n > 0 {
		m.log().InfoContext(ctx, "auth: expired sessions deleted", "sessions", n)
	}
	return nil
}

// Run calls RunOnce now and then every interval until ctx ends, and then
// returns nil. A failed pass is logged and the next one tried on time. A
// non-positive every is ErrInterval, returned at once.
func (c *Cleaner) Run(ctx context.Context, every time.Duration) error {
	return job.Run(ctx, every, c.RunOnce, c.m.log(), "auth: deleting expired sessions", ErrInterval)
}
