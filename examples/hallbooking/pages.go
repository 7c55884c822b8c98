package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/payment"
)

// page builds the layout's data.
func (a *App) page(r *http.Request, titleKey string, data any) *site.Page {
	lang := site.Lang(r)
	p := &site.Page{Lang: lang, Path: r.URL.Path, Service: messages.T(lang, "service"), Data: data,
		T: func(k string) string { return messages.T(lang, k) }}
	p.Title = p.T(titleKey)
	if s, err := a.citizen.Session(r); err == nil && s.LoggedIn() {
		p.LoggedIn, p.Logout, p.CSRF = true, "/auth/logout", a.citizen.CSRFField(r)
		p.Nav = []site.NavLink{{Href: "/min-side", Text: p.T("nav.minside"), Current: r.URL.Path == "/min-side"},
			{Href: "/klubb", Text: p.T("nav.club"), Current: r.URL.Path == "/klubb"}}
		if a.admins[s.PID.Reveal()] {
			p.Nav = append(p.Nav, site.NavLink{Href: "/admin", Text: p.T("nav.admin"), Current: strings.HasPrefix(r.URL.Path, "/admin")})
		}
	}
	return p
}

func (a *App) render(w http.ResponseWriter, r *http.Request, name string, status int, p *site.Page) {
	site.Render(w, a.log, a.tmpl, name, status, p)
}

func (a *App) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	key := site.ErrorKey(messages, status)
	a.render(w, r, "error", status, a.page(r, key, key+".text"))
}

func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	site.ErrorPages{Log: a.log, Page: a.errorPage, NotFound: []error{booking.ErrNotFound, errNotYours}}.Fail(w, r, err)
}

func (a *App) loginFailed(w http.ResponseWriter, r *http.Request, err error) {
	site.ErrorPages{Log: a.log, Page: a.errorPage}.LoginFailed(w, r, err)
}

var errNotYours = errors.New("hallbooking: not the citizen's")

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
		a.fail(w, r, err)
		return
	}
	lang := site.Lang(r)
	type hall struct{ ID, Name, Price string }
	var hs []hall
	for _, h := range rs {
		hs = append(hs, hall{h.ID, h.Name, payment.Amount(h.PriceOre).Display(lang)})
	}
	a.render(w, r, "start", http.StatusOK, a.page(r, "start.title", map[string]any{"Halls": hs, "LoggedOut": r.URL.Query().Has("loggedout")}))
}

type cell struct {
	Start, Label, State string // State: free, taken, past
}

type day struct {
	Label  string
	Closed string // why: a holiday's name, or "closed"
	Cells  []cell
}

type calView struct {
	Hall       *booking.Resource
	Price      string
	Week       string
	Prev, Next string
	Days       []day
	Error      string
	LoggedIn   bool
	Key        string
	Party      string
}

// calendar shows a hall's week: opening hours, holidays closed, and each
// slot free or taken (booking's Availability against all of its Slots).
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	a.renderCalendar(w, r, "", http.StatusOK)
}

func (a *App) renderCalendar(w http.ResponseWriter, r *http.Request, errKey string, status int) {
	ctx, lang := r.Context(), site.Lang(r)
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	loc := site.Oslo()
	monday := booking.DateOf(a.now().In(loc))
	if d, err := booking.ParseDate(r.URL.Query().Get("uke")); err == nil {
		monday = d
	}
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(-1)
	}
	from, to := monday.Start(loc), monday.AddDays(7).Start(loc)
	all, err := h.Slots(from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	free, err := a.book.Availability(ctx, h.ID, from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	isFree := map[time.Time]bool{}
	for _, s := range free {
		if s.Remaining > 0 {
			isFree[s.Start.UTC()] = true
		}
	}
	v := calView{Hall: h, Price: payment.Amount(h.PriceOre).Display(lang), Week: monday.String(),
		Prev: monday.AddDays(-7).String(), Next: monday.AddDays(7).String(), Key: rand16()}
	now := a.now()
	for i := range 7 {
		d := monday.AddDays(i)
		dv := day{Label: site.Date(d.Start(loc), lang)}
		if len(h.HoursOn(d)) == 0 {
			dv.Closed = messages.T(lang, "cal.closed")
			for _, e := range h.Exceptions {
				if e.Date == d && e.Note != "" {
					dv.Closed += ": " + e.Note
				}
			}
			if hs := holiday.On(holiday.Date(d)); len(hs) > 0 && h.ClosedOnHolidays {
				dv.Closed = hs[0].Name(lang)
			}
		}
		for _, s := range all {
			if booking.DateOf(s.Start.In(loc)) != d {
				continue
			}
			c := cell{Start: s.Start.UTC().Format(time.RFC3339), Label: s.Start.In(loc).Format("15.04") + "–" + s.End.In(loc).Format("15.04")}
			switch {
			case isFree[s.Start.UTC()]:
				c.State = "free"
			case s.Start.Before(now):
				c.State = "past"
			default:
				c.State = "taken"
			}
			dv.Cells = append(dv.Cells, c)
		}
		v.Days = append(v.Days, dv)
	}
	p := a.page(r, "cal.title", nil)
	p.Title = h.Name
	if s, err := a.citizen.Session(r); err == nil && s.LoggedIn() {
		v.LoggedIn = true
		if _, cl, err := a.party(r); err == nil && cl != nil {
			v.Party = cl.Name
		}
	}
	if errKey != "" {
		v.Error = messages.T(lang, errKey)
		p.Title = messages.T(lang, "error") + ": " + p.Title
	}
	p.Data = v
	a.render(w, r, "calendar", status, p)
}

// hold reserves the chosen slot for the payer while they pay.
func (a *App) hold(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	owner, _, err := a.party(r)
	if err != nil {
		a.fail(w, r, err)
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
		a.fail(w, r, err)
		return
	}
	if f := a.beforeHold.Load(); f != nil {
		(*f)()
	}
	res, err := a.book.Hold(ctx, booking.HoldInput{ResourceID: h.ID, Owner: owner, Start: start, Title: h.Name,
		Key: owner + "/" + r.PostFormValue("key")})
	switch {
	case errors.Is(err, booking.ErrSlotTaken):
		a.renderCalendar(w, r, "cal.taken", booking.HTTPStatus(err))
		return
	case errors.Is(err, booking.ErrOutsideHours), errors.Is(err, booking.ErrTooSoon), errors.Is(err, booking.ErrTooFar), errors.Is(err, booking.ErrInvalid):
		a.renderCalendar(w, r, "cal.invalid", booking.HTTPStatus(err))
		return
	case errors.Is(err, booking.ErrLimitReached):
		a.renderCalendar(w, r, "cal.limit", booking.HTTPStatus(err))
		return
	case errors.Is(err, booking.ErrTooManyHolds):
		a.renderCalendar(w, r, "cal.toomany", booking.HTTPStatus(err))
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
}

// holdAllowed spends one of the login's tokens for a new hold or series,
// or answers 429. It counts the person, not the club they act for.
func (a *App) holdAllowed(w http.ResponseWriter, r *http.Request) bool {
	p, err := a.person(r)
	if err != nil {
		a.fail(w, r, err)
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
	a.render(w, r, "club", http.StatusOK, a.page(r, "club.title", f))
}

// clubPost looks the club up in Enhetsregisteret and checks that the person
// may act for it; "person" goes back to booking as oneself.
func (a *App) clubPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, ok := auth.CitizenFrom(ctx)
	if !ok {
		a.fail(w, r, auth.ErrNoSession)
		return
	}
	if r.PostFormValue("as") == "person" {
		if err := a.citizen.SetValue(r, clubValue, ""); err != nil {
			a.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	f := clubForm{Orgnr: strings.TrimSpace(r.PostFormValue("orgnr"))}
	refuse := func(key string) {
		f.Error = messages.T(site.Lang(r), key)
		pg := a.page(r, "club.title", f)
		pg.Title = messages.T(pg.Lang, "error") + ": " + pg.Title
		a.render(w, r, "club", http.StatusUnprocessableEntity, pg)
	}
	e, key := site.ActFor(ctx, a.brreg, a.log, c.PID, f.Orgnr)
	if key != "" {
		refuse(key)
		return
	}
	b, err := json.Marshal(club{Orgnr: e.Organisasjonsnummer, Name: e.Navn, Address: site.OrgAddress(e)})
	if err == nil {
		err = a.citizen.SetValue(r, clubValue, string(b))
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func rand16() string {
	return strings.ToLower(rand.Text()[:16])
}
