package main

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
)

// adminHall is a hall's admin page: booking's form of its settings and
// closed days.
type adminHall struct {
	Hall  *booking.Resource
	Form  booking.ResourceForm
	Error string
	Saved bool
}

type adminList struct {
	Halls []*booking.Resource
	Name  string
	Error string
}

func (a *App) adminList(w http.ResponseWriter, r *http.Request) {
	a.renderAdminList(w, r, "", "")
}

func (a *App) renderAdminList(w http.ResponseWriter, r *http.Request, name, errKey string) {
	rs, err := a.Bookings.Store.Resources(r.Context())
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	v := adminList{Halls: rs, Name: name}
	p, status := a.Page(r, "admin.title", nil), http.StatusOK
	if errKey != "" {
		v.Error, status = p.Refused(errKey), http.StatusUnprocessableEntity
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
	if _, err := a.Bookings.Resource(ctx, id); err == nil {
		a.renderAdminList(w, r, name, "admin.exists")
		return
	} else if !errors.Is(err, booking.ErrNotFound) {
		a.Fail(w, r, err)
		return
	}
	h := newHall(id, name, booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)}), 500, 48*time.Hour)
	if err := a.Bookings.PutResource(ctx, h); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hall/"+id+"?lagret=1", http.StatusSeeOther)
}

func (a *App) adminHallPage(w http.ResponseWriter, r *http.Request) {
	h, err := a.Bookings.Resource(r.Context(), r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.renderAdminHall(w, r, h, "", r.URL.Query().Has("lagret"))
}

func (a *App) renderAdminHall(w http.ResponseWriter, r *http.Request, h *booking.Resource, errKey string, saved bool) {
	p, status := a.Page(r, "admin.hall", nil), http.StatusOK
	v := adminHall{Hall: h, Form: h.Form(p.Lang), Saved: saved}
	if errKey != "" {
		v.Error, status = p.Refused(errKey), http.StatusUnprocessableEntity
	}
	p.Data = v
	a.Render(w, r, "admin_hall", status, p)
}

// editHall changes a hall with edit and saves it; when edit refuses
// with a message key, the hall's page shows it instead.
func (a *App) editHall(edit func(h *booking.Resource, r *http.Request) (errKey string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h, err := a.Bookings.Resource(r.Context(), r.PathValue("id"))
		if err != nil {
			a.Fail(w, r, err)
			return
		}
		errKey := edit(h, r)
		if errKey == "" {
			if err = a.Bookings.PutResource(r.Context(), h); errors.Is(err, booking.ErrInvalid) {
				errKey = "admin.badhours" // the hours overlap
			} else if err != nil {
				a.Fail(w, r, err)
				return
			}
		}
		if errKey != "" {
			a.renderAdminHall(w, r, h, errKey, false)
			return
		}
		http.Redirect(w, r, "/admin/hall/"+h.ID+"?lagret=1", http.StatusSeeOther)
	}
}

// saveHall saves a hall's name, price, cancellation deadline and weekly
// opening hours.
func saveHall(h *booking.Resource, r *http.Request) string {
	var fe *booking.FormError
	if err := h.SetForm(r.PostForm); errors.As(err, &fe) {
		return "admin.bad" + fe.Field
	}
	return ""
}

// closeHall closes the hall on every date from..to (at most 92 days), for
// a tournament, maintenance or the like. Bookings already made stand.
func closeHall(h *booking.Resource, r *http.Request) string {
	from, err1 := civil.ParseDate(strings.TrimSpace(r.PostFormValue("from")))
	to, err2 := civil.ParseDate(strings.TrimSpace(r.PostFormValue("to")))
	note := strings.TrimSpace(r.PostFormValue("note"))
	if err1 != nil || err2 != nil || from.AddDays(92).Before(to) || note == "" || len(note) > 200 || h.Close(from, to, note) != nil {
		return "admin.badblock"
	}
	return ""
}

// openHall opens a closed day again.
func openHall(h *booking.Resource, r *http.Request) string {
	d, err := civil.ParseDate(r.PostFormValue("date"))
	if err != nil || d.IsZero() {
		return "admin.badblock"
	}
	h.Reopen(d)
	return ""
}
