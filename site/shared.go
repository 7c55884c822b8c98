package site

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/svarut"
)

// ActFor reads the organisation number a person typed, looks it up in
// Enhetsregisteret and checks that pid holds a role there that lets them act
// for it. A refusal is the key of its message (in OrgMessages):
// org.invalid, org.notfound, org.deleted, org.cannotact or org.down.
func ActFor(ctx context.Context, c *brreg.Client, log *slog.Logger, pid ident.Fodselsnummer, typed string) (*brreg.Enhet, string) {
	orgnr, err := ident.ParseOrgnr(strings.ReplaceAll(strings.TrimSpace(typed), " ", ""))
	if err != nil {
		return nil, "org.invalid"
	}
	e, err := c.Enhet(ctx, orgnr)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return nil, "org.notfound"
	case errors.Is(err, brreg.ErrDeleted), errors.Is(err, brreg.ErrRemoved), errors.Is(err, registry.ErrGone):
		return nil, "org.deleted"
	case err != nil:
		log.WarnContext(ctx, "brreg look-up", "orgnr", string(orgnr), "error", err)
		return nil, "org.down"
	}
	ok, err := c.CanActFor(ctx, pid, orgnr)
	if err != nil {
		log.WarnContext(ctx, "brreg roles", "orgnr", string(orgnr), "error", err)
		return nil, "org.down"
	}
	if !ok {
		return nil, "org.cannotact"
	}
	return e, ""
}

// Background does a service's background work until ctx ends: the
// reconciliation job of each of pays every 30 s (payment.Service.Run: the
// webhooks' safety net, which also settles payments and retries a failed
// OnSettled when the service is Settling), and the clean-up of expired
// sessions of each of logins every five minutes.
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

// OrgAddress is an organisation's postal address from Enhetsregisteret (its
// business address when it has none), for a letter's print copy.
func OrgAddress(e *brreg.Enhet) svarut.Address {
	a := svarut.Address{Name: e.Navn}
	ad := e.Postadresse
	if ad == nil {
		ad = e.Forretningsadresse
	}
	if ad != nil {
		lines := ad.Lines()
		if len(lines) > 0 {
			a.Line1 = lines[0]
		}
		if len(lines) > 1 {
			a.Line2 = lines[1]
		}
		a.PostalCode, a.PostTown = ad.Postnummer, ad.Poststed
	}
	return a
}

// PersonAddress is a person's postal address from Folkeregisteret, for a
// letter's print copy. A protected address (fortrolig, strengt fortrolig)
// comes back as the name alone with protected set: such a letter must go
// digital-only and never on an envelope (svarut.Shipment.DigitalOnly).
func PersonAddress(p *folkeregisteret.Person) (a svarut.Address, protected bool, err error) {
	if n, ok := p.CurrentName(); ok {
		a.Name = n.String()
	}
	lines, err := p.AddressLines()
	if errors.Is(err, folkeregisteret.ErrProtectedAddress) {
		return a, true, nil
	}
	if err != nil {
		return a, false, err
	}
	if a.Name != "" && len(lines) > 0 && lines[0] == a.Name {
		lines = lines[1:]
	}
	// The last line is "postnummer poststed".
	if n := len(lines); n > 0 {
		if code, town, ok := strings.Cut(lines[n-1], " "); ok && len(code) == 4 && strings.Trim(code, "0123456789") == "" {
			a.PostalCode, a.PostTown, lines = code, town, lines[:n-1]
		}
	}
	// SvarUT has three address lines: more (a c/o and a long
	// matrikkeladresse, say) share the third.
	if len(lines) > 3 {
		lines = append(lines[:2], strings.Join(lines[2:], ", "))
	}
	dst := []*string{&a.Line1, &a.Line2, &a.Line3}
	for i, l := range lines {
		*dst[i] = l
	}
	return a, false, nil
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
