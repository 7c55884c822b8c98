package site_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/site"
)

type countingRunner struct{ passes atomic.Int64 }

func (c *countingRunner) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		c.passes.Add(1)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

type brokenRunner struct{}

func (brokenRunner) Run(context.Context, time.Duration) error { return errors.New("boom") }

// TestRunJobs: every job runs concurrently on its own interval until ctx
// ends, a failed Func pass is logged and the next runs on time, and a Runner
// that stops early is logged and returned once ctx ends.
func TestRunJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute+time.Second)
		defer cancel()
		a, b := &countingRunner{}, &countingRunner{}
		var f atomic.Int64
		err := site.RunJobs(ctx, log,
			site.Job{Name: "a", Every: time.Minute, Runner: a},
			site.Job{Name: "b", Every: 5 * time.Minute, Runner: b},
			site.Job{Name: "f", Every: 2 * time.Minute, Func: func(context.Context) error {
				if f.Add(1) == 1 {
					return errors.New("first pass failed")
				}
				return nil
			}},
			site.Job{Name: "broken", Every: time.Minute, Runner: brokenRunner{}})
		if a.passes.Load() != 11 || b.passes.Load() != 3 || f.Load() != 6 {
			t.Errorf("passes a=%d b=%d f=%d, want 11 3 6", a.passes.Load(), b.passes.Load(), f.Load())
		}
		if err == nil || !strings.Contains(err.Error(), "site: job broken: boom") {
			t.Errorf("err = %v", err)
		}
		if !strings.Contains(buf.String(), "f: pass failed") || !strings.Contains(buf.String(), "job=broken") {
			t.Errorf("log: %s", buf.String())
		}
	})
}

func TestRunJobsRefuses(t *testing.T) {
	r := &countingRunner{}
	pass := func(context.Context) error { return nil }
	for name, j := range map[string]site.Job{
		"no name":     {Every: time.Minute, Runner: r},
		"no work":     {Name: "x", Every: time.Minute},
		"both":        {Name: "x", Every: time.Minute, Runner: r, Func: pass},
		"no interval": {Name: "x", Runner: r},
		"negative":    {Name: "x", Every: -time.Second, Func: pass},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := site.RunJobs(ctx, nil, site.Job{Name: "ok", Every: time.Minute, Runner: r}, j); !errors.Is(err, site.ErrJob) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if r.passes.Load() != 0 {
		t.Error("a job started although another was refused")
	}
}
