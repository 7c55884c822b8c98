package site

import (
	"context"
	"io"
	"log/slog"
)

// Run is the whole of a service's func main: it serves what start builds,
// as Main does (the -addr and -public-url flags, default address
// defaultAddr, a JSON log on stderr, graceful shutdown on SIGINT or
// SIGTERM), and exits 1 with the error, if any (Command). start gets the
// public URL, GRUNNMUR_DATABASE_URL, os.Getenv and the log in cfg:
//
//	func main() { site.Run("hundeskatt", "127.0.0.1:8080", start) }
//
//	func start(ctx context.Context, cfg site.Config) (*site.Running, error) { ... }
func Run(name, defaultAddr string, start func(ctx context.Context, cfg Config) (*Running, error)) {
	Command(name, program(name, defaultAddr, start))
}

// program is the command Run runs, with its arguments, environment and
// output passed in.
func program(name, defaultAddr string, start func(ctx context.Context, cfg Config) (*Running, error)) func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		return Main(ctx, name, defaultAddr, args, getenv, stdout, stderr, func(ctx context.Context, public string, log *slog.Logger) (*Running, error) {
			return start(ctx, Config{PublicURL: public, DatabaseURL: getenv("GRUNNMUR_DATABASE_URL"), Getenv: getenv, Logger: log})
		})
	}
}
