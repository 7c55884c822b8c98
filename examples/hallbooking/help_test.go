package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// -h prints the usage to stdout and is no error: the command (site.Run
// with start) exits 0.
func TestHelpExitsZero(t *testing.T) {
	sitetest.Help(t, "hallbooking", func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		return site.Main(ctx, "hallbooking", "127.0.0.1:8081", args, getenv, stdout, stderr, func(ctx context.Context, public string, log *slog.Logger) (*site.Running, error) {
			return start(ctx, site.Config{PublicURL: public, DatabaseURL: getenv("GRUNNMUR_DATABASE_URL"), Getenv: getenv, Logger: log})
		})
	})
}
