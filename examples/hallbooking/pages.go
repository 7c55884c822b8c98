package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// person is the logged-in person's opaque key (an HMAC of the
// fødselsnummer, never the number).
func (a *App) person(r *http.Request) (string, error) {
	if c, ok := auth.CitizenFrom(r.Context()); ok {
		return a.owners.Key(forms.Owner{Person: c.PID})
	}
	// A page open to all (the calendar) reads the session itself.
	s, err := a.citizen.Session(r)
	if err != nil || !s.LoggedIn() {
		return "", auth.ErrNoSession
	}
	return a.owners.Key(forms.Owner{Person: s.PID})
}

// party is who books: the club the person acts for, else the person. The
// booking's owner is the party's opaque key.
func (a *App) party(r *http.Request) (owner string, cl *club, err error) {
	p, err := a.person(r)
	if err != nil {
		return "", nil, err
	}
	raw := a.citizen.Value(r, clubValue)
	if raw == "" {
		return p, nil, nil
	}
	var c club
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return "", nil, fmt.Errorf("hallbooking: the session's club: %w", err)
	}
	owner, err = a.owners.Key(forms.Owner{Org: c.Orgnr})
	return owner, &c, err
}

// clubValue is the session value (auth.Session.Values) holding the club the
// person acts for.
const clubValue = "hallbooking.club"

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
	p, err := a.person(r)
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

// clubPost looks the club up in Enhetsregisteret and checks that the person
// may act for it; "person" goes back to booking as oneself.
func (a *App) clubPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, ok := auth.CitizenFrom(ctx)
	if !ok {
		a.Fail(w, r, auth.ErrNoSession)
		return
	}
	if r.PostFormValue("as") == "person" {
		if err := a.citizen.SetValue(r, clubValue, ""); err != nil {
			a.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	f := clubForm{Orgnr: strings.TrimSpace(r.PostFormValue("orgnr"))}
	refuse := func(key string) {
		f.Error = messages.T(site.Lang(r), key)
		pg := a.Page(r, "club.title", f)
		pg.Title = messages.T(pg.Lang, "error") + ": " + pg.Title
		a.Render(w, r, "club", http.StatusUnprocessableEntity, pg)
	}
	act, err := a.brreg.ActFor(ctx, c.PID, ident.Orgnr(f.Orgnr))
	if _, code := brreg.HTTPStatus(err); err != nil {
		a.log.InfoContext(ctx, "act for refused", "code", code, "error", err)
		refuse("org." + code)
		return
	}
	b, err := json.Marshal(club{Orgnr: act.Enhet.Organisasjonsnummer, Name: act.Enhet.Navn, Address: svarut.AddressFrom(act.Address)})
	if err == nil {
		err = a.citizen.SetValue(r, clubValue, string(b))
	}
	if err != nil {
		a.Fail(w, r, err)
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
