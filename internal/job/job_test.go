package job

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		ctx, cancel := context.WithTimeout(context.Background(), 35*time.Minute)
		defer cancel()
		var at []time.Duration
		start := time.Now()
		err := Run(ctx, 10*time.Minute, func(context.Context) error {
			at = append(at, time.Since(start))
			if len(at) == 2 {
				return errors.New("boom")
			}
			return nil
		}, log, "test: job", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(at) != 4 || at[0] != 0 || at[3] != 30*time.Minute {
			t.Fatalf("passes at %v", at)
		}
		if !strings.Contains(buf.String(), "test: job: pass failed") || strings.Count(buf.String(), "pass failed") != 1 {
			t.Fatalf("log: %s", buf.String())
		}
	})
}

func TestRunRefusesInterval(t *testing.T) {
	sentinel := errors.New("bad config")
	pass := func(context.Context) error { t.Fatal("a pass ran"); return nil }
	for _, every := range []time.Duration{0, -time.Second} {
		if err := Run(context.Background(), every, pass, slog.Default(), "x", sentinel); !errors.Is(err, sentinel) {
			t.Errorf("%v: %v", every, err)
		}
		if err := Run(context.Background(), every, pass, slog.Default(), "x", nil); err == nil {
			t.Errorf("%v accepted", every)
		}
	}
}
