package site

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/payment"
)

// Background does a service's background work until ctx ends: payment
// polling (the webhooks' safety net) for each of pays, and the clean-up of
// expired sessions of each of logins every five minutes.
func Background(ctx context.Context, log *slog.Logger, pays []*payment.Service, logins ...*auth.Manager) {
	for _, p := range pays {
		go func() {
			if err := p.Run(ctx, 30*time.Second); err != nil {
				log.Error("payment poll", "error", err)
			}
		}()
	}
	for _, m := range logins {
		go m.Cleaner().Run(ctx, 5*time.Minute)
	}
	<-ctx.Done()
}

// Every calls f every d until ctx ends.
func Every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// ServePDF answers with a PDF shown in the browser, named name.
func ServePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Write(b)
}

// ServeICS answers with an iCalendar attachment named name.
func ServeICS(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b)
}

// ErrorPages answer a failed request with a page in the citizen's language.
type ErrorPages struct {
	Log *slog.Logger
	// Page renders the error page for a status.
	Page func(w http.ResponseWriter, r *http.Request, status int)
	// NotFound are the errors that mean "not there, or not yours": 404
	// without a log line, so that a guessed id reveals nothing.
	NotFound []error
}

// Fail answers err: 404 for NotFound, else it logs err and answers 500.
func (e ErrorPages) Fail(w http.ResponseWriter, r *http.Request, err error) {
	for _, nf := range e.NotFound {
		if errors.Is(err, nf) {
			e.Page(w, r, http.StatusNotFound)
			return
		}
	}
	e.Log.ErrorContext(r.Context(), "request failed", "path", LoggedPath(r), "error", err)
	e.Page(w, r, http.StatusInternalServerError)
}

// LoginFailed is an auth.Manager's ErrorHandler: it logs the failure and
// answers 401.
func (e ErrorPages) LoginFailed(w http.ResponseWriter, r *http.Request, err error) {
	e.Log.WarnContext(r.Context(), "login failed", "error", err)
	e.Page(w, r, http.StatusUnauthorized)
}
