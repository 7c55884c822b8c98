package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/site"
)

// readAdmins reads GRUNNMUR_HALL_ADMINS, the hall admins' fødselsnumre
// (site.AllowList). Unset while the sandbox runs, the sandbox's officer is
// the hall admin.
func (a *App) readAdmins(getenv func(string) string) (err error) {
	a.admins, err = site.AllowList(getenv, "GRUNNMUR_HALL_ADMINS")
	if err == nil && len(a.admins) == 0 && a.ext.Fakes.Sandbox != nil {
		a.admins[a.ext.Fakes.Officer.PID.Reveal()] = true
	}
	return err
}

type adminHall struct {
	Hall       *booking.Resource
	Price      string
	Deadline   string // the free-cancellation deadline in hours
	Days       []adminDay
	Exceptions []blocked
	Error      string
	Saved      bool
}

// blocked is a closed day, which the admin may open again.
type blocked struct {
	Date, Label string
}

type adminDay struct {
	Name, Field, Value string
}

var dayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

type adminList struct {
	Halls []*booking.Resource
	Name  string
	Error string
}

func (a *App) adminList(w http.ResponseWriter, r *http.Request) {
	a.renderAdminList(w, r, "", "")
}

func (a *App) renderAdminList(w http.ResponseWriter, r *http.Request, name, errKey string) {
	rs, err := a.book.Store.Resources(r.Context())
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	v := adminList{Halls: rs, Name: name}
	p := a.Page(r, "admin.title", nil)
	status := http.StatusOK
	if errKey != "" {
		v.Error = messages.T(p.Lang, errKey)
		p.Title = messages.T(p.Lang, "error") + ": " + p.Title
		status = http.StatusUnprocessableEntity
	}
	p.Data = v
	a.Render(w, r, "admin", status, p)
}

// adminNew adds a hall by name, open weekday evenings at 500 kr an hour
// with a 48-hour free-cancellation deadline; the admin then sets its hours
// and price on its page.
func (a *App) adminNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("name"))
	id := booking.Slug(name)
	if id == "" || len(name) > 100 {
		a.renderAdminList(w, r, name, "admin.badname")
		return
	}
	if _, err := a.book.Resource(ctx, id); err == nil {
		a.renderAdminList(w, r, name, "admin.exists")
		return
	} else if !errors.Is(err, booking.ErrNotFound) {
		a.Fail(w, r, err)
		return
	}
	h := &booking.Resource{ID: id, Name: name, Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true,
		Hours:     booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)}),
		MinNotice: time.Hour, MaxHorizon: 200 * 24 * time.Hour, Price: money.Kroner(500), CancelDeadline: 48 * time.Hour, ChargeLateCancel: true,
		PerDay: hallPerDay, PerWeek: hallPerWeek}
	if err := a.book.PutResource(ctx, h); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hall/"+id+"?lagret=1", http.StatusSeeOther)
}

func (a *App) adminHallPage(w http.ResponseWriter, r *http.Request) {
	a.renderAdminHall(w, r, "", r.URL.Query().Has("lagret"))
}

func (a *App) renderAdminHall(w http.ResponseWriter, r *http.Request, errKey string, saved bool) {
	ctx, lang := r.Context(), site.Lang(r)
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	v := adminHall{Hall: h, Price: strconv.FormatInt(h.Price.Ore()/100, 10), Deadline: strconv.FormatInt(int64(h.CancelDeadline/time.Hour), 10), Saved: saved}
	for _, d := range dayOrder {
		v.Days = append(v.Days, adminDay{Name: i18n.Lang(lang).Weekday(d), Field: "hours-" + strconv.Itoa(int(d)), Value: booking.FormatSpans(h.Hours[d])})
	}
	for _, e := range h.Exceptions {
		if e.Closed {
			v.Exceptions = append(v.Exceptions, blocked{Date: e.Date.String(), Label: i18n.Lang(lang).DateOf(e.Date.Start(civil.Oslo)) + " – " + e.Note})
		}
	}
	status := http.StatusOK
	p := a.Page(r, "admin.hall", v)
	if errKey != "" {
		v.Error = messages.T(lang, errKey)
		p.Title = messages.T(lang, "error") + ": " + p.Title
		p.Data = v
		status = http.StatusUnprocessableEntity
	}
	a.Render(w, r, "admin_hall", status, p)
}

// adminHallPost saves a hall's name, price and weekly opening hours.
func (a *App) adminHallPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if name := strings.TrimSpace(r.PostFormValue("name")); name != "" {
		h.Name = name
	}
	kr, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("price")), 10, 64)
	if err != nil || kr < 0 || kr > 1_000_000 {
		a.renderAdminHall(w, r, "admin.badprice", false)
		return
	}
	h.Price = money.Kroner(kr)
	hours, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("deadline")), 10, 64)
	if err != nil || hours < 0 || hours > 24*90 {
		a.renderAdminHall(w, r, "admin.baddeadline", false)
		return
	}
	h.CancelDeadline = time.Duration(hours) * time.Hour
	for _, d := range dayOrder {
		spans, err := booking.ParseSpans(r.PostFormValue("hours-" + strconv.Itoa(int(d))))
		if err != nil {
			a.renderAdminHall(w, r, "admin.badhours", false)
			return
		}
		h.Hours[d] = spans
	}
	if err := a.book.PutResource(ctx, h); err != nil {
		a.renderAdminHall(w, r, "admin.badhours", false)
		return
	}
	http.Redirect(w, r, "/admin/hall/"+h.ID+"?lagret=1", http.StatusSeeOther)
}

// adminBlock closes the hall on every date from..to (at most 92 days), for
// a tournament, maintenance or the like. Bookings already made stand.
func (a *App) adminBlock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	from, err1 := civil.ParseDate(strings.TrimSpace(r.PostFormValue("from")))
	to, err2 := civil.ParseDate(strings.TrimSpace(r.PostFormValue("to")))
	note := strings.TrimSpace(r.PostFormValue("note"))
	if err1 != nil || err2 != nil || from.AddDays(92).Before(to) || note == "" || len(note) > 200 || h.Close(from, to, note) != nil {
		a.renderAdminHall(w, r, "admin.badblock", false)
		return
	}
	if err := a.book.PutResource(ctx, h); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hall/"+h.ID+"?lagret=1", http.StatusSeeOther)
}

// adminOpen opens a closed day again.
func (a *App) adminOpen(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	d, err := civil.ParseDate(r.PostFormValue("date"))
	if err != nil || d.IsZero() {
		a.renderAdminHall(w, r, "admin.badblock", false)
		return
	}
	h.Reopen(d)
	if err := a.book.PutResource(ctx, h); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hall/"+h.ID+"?lagret=1", http.StatusSeeOther)
}
