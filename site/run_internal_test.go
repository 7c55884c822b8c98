package site

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRunProgram: the command Run makes prints its usage for -h, hands
// start the configuration, and serves with the Running's background work
// until ctx ends.
func TestRunProgram(t *testing.T) {
	var got Config
	ran := make(chan struct{})
	start := func(ctx context.Context, cfg Config) (*Running, error) {
		got = cfg
		return &Running{Handler: http.NotFoundHandler(), Run: func(context.Context) { close(ran) }}, nil
	}
	run := program("torgplass", "127.0.0.1:0", start)
	var stdout strings.Builder
	if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &stdout, io.Discard); err != nil ||
		!strings.HasPrefix(stdout.String(), "Usage of torgplass:") {
		t.Fatalf("-h: %v, %q", err, stdout.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"GRUNNMUR_DATABASE_URL": "postgres://db.example/torg"}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard, io.Discard) }()
	select {
	case <-ran:
	case err := <-done:
		t.Fatalf("stopped before the background work ran: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.PublicURL, "http://127.0.0.1:") || got.DatabaseURL != env["GRUNNMUR_DATABASE_URL"] ||
		got.Getenv("GRUNNMUR_DATABASE_URL") != env["GRUNNMUR_DATABASE_URL"] || got.Logger == nil {
		t.Errorf("start got %+v", got)
	}
	failing := program("torgplass", "127.0.0.1:0", func(context.Context, Config) (*Running, error) { return nil, ErrConfig })
	if err := failing(context.Background(), nil, func(string) string { return "" }, io.Discard, io.Discard); !errors.Is(err, ErrConfig) {
		t.Errorf("a failing start: %v", err)
	}
}
