package site

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

// ErrorKey is the message key of the error page for status: "err.404", or
// "err.500" when m (with Common) has no text for the status. The page's text
// is the key with ".text" added.
func ErrorKey(m Messages, status int) string {
	key := fmt.Sprintf("err.%d", status)
	if !m.Has(key) {
		key = "err.500"
	}
	return key
}

// ErrorPages answer a failed request with a page in the citizen's language.
// Set Templates (or Page); Common words 401, 404 and 500 in nb, nn and en,
// and a service words more statuses with "err.NNN" and "err.NNN.text".
type ErrorPages struct {
	// Log gets the failures that are the service's fault; nil discards.
	Log *slog.Logger
	// Templates (from Templates) has the "error" page; Messages words it
	// (and the service's name) beyond Common.
	Templates map[string]*template.Template
	Messages  Messages
	// Page, when set, renders the error page instead, for a service whose
	// pages show more than NewPage gives (a menu, the logout button).
	Page func(w http.ResponseWriter, r *http.Request, status int)
	// NotFound are the errors that mean "not there, or not yours": 404
	// without a log line, so that a guessed id reveals nothing.
	NotFound []error
}

// Show answers with the error page for status, in Lang(r): its title is
// the text of ErrorKey, its text that of ErrorKey+".text".
func (e ErrorPages) Show(w http.ResponseWriter, r *http.Request, status int) {
	if e.Page != nil {
		e.Page(w, r, status)
		return
	}
	key := ErrorKey(e.Messages, status)
	Render(w, e.Log, e.Templates, "error", status, NewPage(r, e.Messages, key, key+".text"))
}

// Fail answers err: 404 for one of NotFound, else it logs err (with the
// path as LoggedPath writes it) and answers 500.
func (e ErrorPages) Fail(w http.ResponseWriter, r *http.Request, err error) {
	for _, nf := range e.NotFound {
		if errors.Is(err, nf) {
			e.Show(w, r, http.StatusNotFound)
			return
		}
	}
	defaults.Logger(e.Log).ErrorContext(r.Context(), "request failed", "path", LoggedPath(r), "error", err)
	e.Show(w, r, http.StatusInternalServerError)
}

// LoginFailed is an auth.Manager's ErrorHandler: it logs the failure and
// answers 401.
func (e ErrorPages) LoginFailed(w http.ResponseWriter, r *http.Request, err error) {
	defaults.Logger(e.Log).WarnContext(r.Context(), "login failed", "error", err)
	e.Show(w, r, http.StatusUnauthorized)
}

// NotFoundHandler answers every request with the 404 page: mount it on "/"
// so that a mistyped address gets a page in the citizen's language.
func (e ErrorPages) NotFoundHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.Show(w, r, http.StatusNotFound) })
}
