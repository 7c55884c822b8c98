package booking

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/money"
)

// ResourceForm is what staff edit of a resource on an admin page, as the
// values of its HTML form's fields: Resource.Form fills it in, and
// Resource.SetForm reads the posted form back.
//
//	field      value
//	name       the name, at most MaxNameLength characters
//	price      Price in whole kroner, 0 to 1 000 000
//	deadline   CancelDeadline in whole hours, 0 to 2160 (90 days)
//	hours-0 …  the weekly hours of each time.Weekday (ParseSpans), hours-0 Sunday
type ResourceForm struct {
	Name, Price, Deadline string
	// Days are the weekly hours, Monday first.
	Days []DayHours
	// Closed are the days Close closed, with their notes, in date order:
	// for a list to Reopen them from.
	Closed []ClosedDay
}

// DayHours is one weekday's field of a ResourceForm.
type DayHours struct {
	// Name is the weekday in the form's language: "mandag".
	Name string
	// Field is the field's name, "hours-1" for Monday; Value its value,
	// "16:00-22:00".
	Field, Value string
}

// ClosedDay is a closed day of a ResourceForm.
type ClosedDay struct {
	Date civil.Date
	// Label is the date and the note: "fredag 15. mai 2026 – Cup".
	Label string
}

// MaxNameLength is the longest name, in characters, SetForm takes.
const MaxNameLength = 100

// FormError is SetForm's refusal: Field names the form's field ("name",
// "price", "deadline" or "hours", for every hours-N). It wraps ErrInvalid.
type FormError struct {
	Field string
	Err   error
}

func (e *FormError) Error() string { return "booking: form field " + e.Field + ": " + e.Err.Error() }

func (e *FormError) Unwrap() error { return e.Err }

// week is the weekdays Monday first, as a form shows them.
var week = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// Form returns the resource's ResourceForm in lang.
func (r *Resource) Form(lang i18n.Lang) ResourceForm {
	f := ResourceForm{Name: r.Name, Price: strconv.FormatInt(r.Price.Ore()/100, 10),
		Deadline: strconv.FormatInt(int64(r.CancelDeadline/time.Hour), 10)}
	for _, d := range week {
		f.Days = append(f.Days, DayHours{Name: lang.Weekday(d), Field: "hours-" + strconv.Itoa(int(d)), Value: FormatSpans(r.Hours[d])})
	}
	for _, e := range r.Exceptions {
		if e.Closed {
			f.Closed = append(f.Closed, ClosedDay{Date: e.Date, Label: lang.Date(e.Date) + " – " + e.Note})
		}
	}
	return f
}

// SetForm sets the resource's name, price, cancellation deadline and weekly
// hours from a posted ResourceForm. A name left empty keeps the name. Any
// field it cannot read is a *FormError naming the first such field, and
// leaves the resource as it was. Save the resource with
// Service.PutResource, which checks it whole.
func (r *Resource) SetForm(v url.Values) error {
	name := strings.TrimSpace(v.Get("name"))
	if utf8.RuneCountInString(name) > MaxNameLength || !text.Valid(name) {
		return &FormError{"name", fmt.Errorf("%w: more than %d characters, or not text", ErrInvalid, MaxNameLength)}
	}
	kr, err := strconv.ParseInt(strings.TrimSpace(v.Get("price")), 10, 64)
	if err != nil || kr < 0 || kr > 1_000_000 {
		return &FormError{"price", fmt.Errorf("%w: a price is 0 to 1000000 whole kroner", ErrInvalid)}
	}
	hours, err := strconv.ParseInt(strings.TrimSpace(v.Get("deadline")), 10, 64)
	if err != nil || hours < 0 || hours > 24*90 {
		return &FormError{"deadline", fmt.Errorf("%w: a deadline is 0 to 2160 whole hours", ErrInvalid)}
	}
	var weekly WeeklyHours
	for d := range weekly {
		if weekly[d], err = ParseSpans(v.Get("hours-" + strconv.Itoa(d))); err != nil {
			return &FormError{"hours", err}
		}
	}
	if name != "" {
		r.Name = name
	}
	r.Price, r.CancelDeadline, r.Hours = money.Kroner(kr), time.Duration(hours)*time.Hour, weekly
	return nil
}
