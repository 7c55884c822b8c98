package main

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/site"
)

// party is who books (site.Service.Party): the club the person acts for,
// else the person. The booking's owner is the party's opaque key.
func (a *App) party(r *http.Request) (owner string, cl *club, err error) { return a.Party(r) }

func (a *App) start(w http.ResponseWriter, r *http.Request) {
	rs, err := a.book.Store.Resources(r.Context())
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	lang := site.Lang(r)
	type hall struct{ ID, Name, Price string }
	var hs []hall
	for _, h := range rs {
		hs = append(hs, hall{h.ID, h.Name, i18n.Lang(lang).Amount(h.Price)})
	}
	a.Render(w, r, "start", http.StatusOK, a.Page(r, "start.title", map[string]any{"Halls": hs, "Notice": site.StartNotice(r.URL.Query())}))
}

// hold reserves the chosen slot for the payer while they pay.
func (a *App) hold(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	owner, _, err := a.party(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if !a.holdAllowed(w, r) {
		return
	}
	start, err := time.Parse(time.RFC3339, r.PostFormValue("start"))
	if err != nil {
		a.renderCalendar(w, r, "cal.invalid", http.StatusUnprocessableEntity)
		return
	}
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if f := a.beforeHold.Load(); f != nil {
		(*f)()
	}
	res, err := a.book.Hold(ctx, booking.HoldInput{ResourceID: h.ID, Owner: owner, Start: start, Title: h.Name,
		Key: owner + "/" + r.PostFormValue("key")})
	if err != nil {
		status, code := booking.HTTPStatus(err)
		if key, ok := holdErrors[code]; ok {
			a.renderCalendar(w, r, key, status)
		} else {
			a.Fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
}

// holdAllowed spends one of the login's tokens for a new hold or series,
// or answers 429. It counts the person, not the club they act for.
func (a *App) holdAllowed(w http.ResponseWriter, r *http.Request) bool {
	p, err := a.Owner(r)
	if err != nil {
		a.Fail(w, r, err)
		return false
	}
	if a.holdRate.Allow(p) {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(holdEvery/time.Second)))
	a.renderCalendar(w, r, "cal.ratelimit", http.StatusTooManyRequests)
	return false
}

type clubForm struct {
	Orgnr, Error, Acting string
}

func (a *App) clubPage(w http.ResponseWriter, r *http.Request) {
	f := clubForm{}
	if _, cl, err := a.party(r); err == nil && cl != nil {
		f.Acting = cl.Name + " (" + string(cl.Orgnr) + ")"
	}
	a.Render(w, r, "club", http.StatusOK, a.Page(r, "club.title", f))
}

// clubPost checks in Enhetsregisteret that the person may act for the
// club, and acts for it (site.Service.ActFor); "person" goes back to
// booking as oneself.
func (a *App) clubPost(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("as") == "person" {
		if err := a.ActAsSelf(r); err != nil {
			a.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	f := clubForm{Orgnr: strings.TrimSpace(r.PostFormValue("orgnr"))}
	if _, err := a.ActFor(r, a.brreg, f.Orgnr); err != nil {
		_, code := brreg.HTTPStatus(err)
		a.log.InfoContext(r.Context(), "act for refused", "code", code, "error", err)
		f.Error = messages.T(site.Lang(r), "org."+code)
		pg := a.Page(r, "club.title", f)
		pg.Title = messages.T(pg.Lang, "error") + ": " + pg.Title
		a.Render(w, r, "club", http.StatusUnprocessableEntity, pg)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func rand16() string {
	return strings.ToLower(rand.Text()[:16])
}

// holdErrors are the message keys of the refused holds the calendar
// explains, by booking.HTTPStatus code.
var holdErrors = map[string]string{
	"slot_taken":            "cal.taken",
	"outside_opening_hours": "cal.invalid",
	"too_short_notice":      "cal.invalid",
	"too_far_ahead":         "cal.invalid",
	"invalid":               "cal.invalid",
	"limit_reached":         "cal.limit",
	"too_many_holds":        "cal.toomany",
}
