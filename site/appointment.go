package site

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/sak"
)

// Appointment lets a citizen book a time on a booking resource for a case
// of their own, such as an inspection or a meeting: the free slots, a hold
// of the chosen one, its confirmation, which links the booking to the case
// (sak.LinkBooking), and the booking as iCalendar. Service.Appointment
// mounts it.
type Appointment struct {
	// Resource is the booking resource's ID.
	Resource string
	// Base is the path of the case pages ("/sak"): the case is at
	// Base/{id}, the appointment at Base/{id}/Path.
	Base, Path string
	// TTL is how long a hold lasts; default 10 minutes.
	TTL time.Duration
	// Window is how far ahead slots are offered, default 21 days; at most
	// MaxSlots of them (default 12).
	Window   time.Duration
	MaxSlots int
	// Title names the reservation (and the calendar event); default the
	// resource's ID and the case number.
	Title func(c *sak.Case) string
}

// AppointmentView is the data of the appointment pages: the "book" page
// gets Slots (and Error after a refused choice), the "held" page Held.
type AppointmentView struct {
	Case *sak.Case
	// Href is the appointment's path for this case: the slots are posted
	// to it, a hold confirmed at Href/{reservation}.
	Href  string
	Slots []Slot
	Error string
	// Held is the held reservation, HeldAt its time and HoldText the
	// message book.held with the time the hold runs out.
	Held             *booking.Reservation
	HeldAt, HoldText string
}

// Slot is a free time to choose: Value is posted as "slot".
type Slot struct{ Value, Label string }

// appointmentTexts are the message keys the appointment pages use: the
// pages' titles, the errors, and book.held, a format with the hold's end.
var appointmentTexts = []string{"book.title", "book.confirm", "book.required", "book.taken", "book.expired", "book.held"}

// Appointment mounts a for citizens (ForCitizens) under a.Base/{id}/a.Path:
//
//	GET  .../            the free slots: the page template "book"
//	POST .../            hold the posted slot, then its page
//	GET  .../{res}       the hold and when it runs out: the page "held"
//	POST .../{res}       confirm it and link it to the case; then the case
//	GET  .../{res}/ics   the booking as an .ics file
//
// The case is looked up as the logged-in citizen's (sak.RoleApplicant),
// the reservation with booking's OwnReservation and must be of a.Resource:
// anyone else's case or reservation, or a forged id, is not found (404).
// It needs ServiceConfig.Bookings and Cases, and the Messages keys
// book.title, book.confirm, book.required, book.taken, book.expired and
// book.held; ErrConfig otherwise.
func (s *Service) Appointment(a Appointment) error {
	if s.Bookings == nil || s.Cases == nil || a.Resource == "" || a.Base == "" || a.Path == "" {
		return fmt.Errorf("%w: Appointment needs Bookings, Cases, Resource, Base and Path", ErrConfig)
	}
	for _, k := range appointmentTexts {
		if !s.Messages.Has(k) {
			return fmt.Errorf("%w: Appointment needs the message %s", ErrConfig, k)
		}
	}
	if a.TTL <= 0 {
		a.TTL = 10 * time.Minute
	}
	if a.Window <= 0 {
		a.Window = 21 * 24 * time.Hour
	}
	if a.MaxSlots <= 0 {
		a.MaxSlots = 12
	}
	p := a.Base + "/{id}/" + a.Path
	ap := &appointments{s: s, a: a}
	s.Mux.Handle("GET "+p, s.ForCitizens(ap.slots))
	s.Mux.Handle("POST "+p, s.ForCitizens(ap.hold))
	s.Mux.Handle("GET "+p+"/{res}", s.ForCitizens(ap.held))
	s.Mux.Handle("POST "+p+"/{res}", s.ForCitizens(ap.confirm))
	s.Mux.Handle("GET "+p+"/{res}/ics", s.ForCitizens(ap.ics))
	return nil
}

type appointments struct {
	s *Service
	a Appointment
}

// ownCase is the citizen's case {id}, and their owner key.
func (ap *appointments) ownCase(r *http.Request) (*sak.Case, string, error) {
	owner, err := ap.s.Owner(r)
	if err != nil {
		return nil, "", err
	}
	c, err := ap.s.Cases.Get(r.Context(), sak.Actor{Role: sak.RoleApplicant, ID: owner}, r.PathValue("id"))
	return c, owner, err
}

// ownReservation is the citizen's case and their reservation {res} of the
// resource.
func (ap *appointments) ownReservation(r *http.Request) (*sak.Case, *booking.Reservation, error) {
	c, owner, err := ap.ownCase(r)
	if err != nil {
		return nil, nil, err
	}
	res, err := ap.s.Bookings.OwnReservation(r.Context(), owner, r.PathValue("res"))
	if err == nil && res.ResourceID != ap.a.Resource {
		err = booking.ErrNotFound
	}
	return c, res, err
}

func (ap *appointments) href(c *sak.Case) string { return ap.a.Base + "/" + c.ID + "/" + ap.a.Path }

func (ap *appointments) slots(w http.ResponseWriter, r *http.Request) {
	c, _, err := ap.ownCase(r)
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	ap.render(w, r, c, "", http.StatusOK)
}

// render shows the free slots, with errKey's message as the error.
func (ap *appointments) render(w http.ResponseWriter, r *http.Request, c *sak.Case, errKey string, status int) {
	lang, now := Lang(r), ap.s.Config.Now()
	free, err := ap.s.Bookings.Availability(r.Context(), ap.a.Resource, now, now.Add(ap.a.Window))
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	v := AppointmentView{Case: c, Href: ap.href(c)}
	for _, sl := range free {
		if sl.Remaining > 0 && len(v.Slots) < ap.a.MaxSlots {
			v.Slots = append(v.Slots, Slot{Value: sl.Start.UTC().Format(time.RFC3339), Label: lang.Time(sl.Start)})
		}
	}
	p := ap.s.Page(r, "book.title", nil)
	if errKey != "" {
		v.Error = p.T(errKey)
		p.Title = p.T("error") + ": " + p.Title
	}
	p.Data = v
	ap.s.Render(w, r, "book", status, p)
}

func (ap *appointments) hold(w http.ResponseWriter, r *http.Request) {
	c, owner, err := ap.ownCase(r)
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	start, err := time.Parse(time.RFC3339, r.PostFormValue("slot"))
	if err != nil {
		ap.render(w, r, c, "book.required", http.StatusUnprocessableEntity)
		return
	}
	title := ap.a.Resource + " " + c.Number()
	if ap.a.Title != nil {
		title = ap.a.Title(c)
	}
	res, err := ap.s.Bookings.Hold(r.Context(), booking.HoldInput{ResourceID: ap.a.Resource, Owner: owner, Start: start,
		Title: title, Key: c.ID + "/" + start.UTC().Format(time.RFC3339), TTL: ap.a.TTL})
	if status, _ := booking.HTTPStatus(err); err != nil && status >= 400 && status < 500 {
		ap.render(w, r, c, "book.taken", http.StatusConflict)
		return
	}
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, ap.href(c)+"/"+res.ID, http.StatusSeeOther)
}

func (ap *appointments) held(w http.ResponseWriter, r *http.Request) {
	c, res, err := ap.ownReservation(r)
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	if res.StateAt(ap.s.Config.Now()) != booking.Held {
		http.Redirect(w, r, ap.a.Base+"/"+c.ID, http.StatusSeeOther)
		return
	}
	lang := Lang(r)
	p := ap.s.Page(r, "book.confirm", nil)
	p.Data = AppointmentView{Case: c, Href: ap.href(c), Held: res, HeldAt: lang.Time(res.Start),
		HoldText: fmt.Sprintf(p.T("book.held"), lang.Clock(res.HoldExpires))}
	ap.s.Render(w, r, "held", http.StatusOK, p)
}

func (ap *appointments) confirm(w http.ResponseWriter, r *http.Request) {
	c, res, err := ap.ownReservation(r)
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	res, err = ap.s.Bookings.Confirm(r.Context(), res.ID, c.ID+"/confirm/"+res.ID)
	if errors.Is(err, booking.ErrHoldExpired) {
		ap.render(w, r, c, "book.expired", http.StatusConflict)
		return
	}
	if err == nil {
		_, err = ap.s.Cases.Link(r.Context(), sak.Actor{Role: sak.RoleSystem, ID: "site.Appointment"}, c.ID,
			sak.Link{Kind: sak.LinkBooking, Ref: res.ID, Label: i18n.NB.Time(res.Start), Status: string(res.State)})
	}
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, ap.a.Base+"/"+c.ID, http.StatusSeeOther)
}

func (ap *appointments) ics(w http.ResponseWriter, r *http.Request) {
	_, res, err := ap.ownReservation(r)
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	b, err := ap.s.Bookings.ReservationICS(r.Context(), res.ID)
	if err != nil {
		ap.s.Fail(w, r, err)
		return
	}
	ServeICS(w, ap.a.Path+".ics", b)
}
