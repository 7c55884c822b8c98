package booking_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

func TestCloseAndReopen(t *testing.T) {
	r := nightOwl()
	r.Exceptions = []booking.Exception{
		{Date: civil.NewDate(2026, 5, 2), Hours: []booking.Span{{From: booking.At(1, 0), To: booking.At(2, 0)}}},
		{Date: civil.NewDate(2026, 6, 1), Closed: true, Note: "Pinse"},
	}
	if err := r.Close(civil.NewDate(2026, 4, 30), civil.NewDate(2026, 5, 3), "Cup"); err != nil {
		t.Fatal(err)
	}
	if len(r.Exceptions) != 5 {
		t.Fatalf("%d exceptions: %+v", len(r.Exceptions), r.Exceptions)
	}
	for d := civil.NewDate(2026, 4, 30); !d.After(civil.NewDate(2026, 5, 3)); d = d.AddDays(1) {
		if len(r.HoursOn(d)) != 0 {
			t.Errorf("%s open", d)
		}
	}
	r.Reopen(civil.NewDate(2026, 5, 2))
	r.Reopen(civil.NewDate(2027, 1, 1)) // none there
	if len(r.HoursOn(civil.NewDate(2026, 5, 2))) != 1 || len(r.Exceptions) != 4 {
		t.Errorf("after Reopen: %+v", r.Exceptions)
	}
	before := fmt.Sprint(r.Exceptions)
	for _, c := range [][2]civil.Date{
		{civil.NewDate(2026, 5, 3), civil.NewDate(2026, 5, 2)},
		{{}, civil.NewDate(2026, 5, 2)},
		{civil.NewDate(2026, 5, 3), {}},
		{civil.NewDate(2026, 1, 1), civil.NewDate(2027, 1, 2)}, // 367 days
	} {
		if err := r.Close(c[0], c[1], "x"); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("Close(%s, %s): %v", c[0], c[1], err)
		}
	}
	if err := r.Close(civil.NewDate(2028, 1, 1), civil.NewDate(2028, 12, 31), "leap year"); err != nil {
		t.Errorf("366 days: %v", err)
	}
	if fmt.Sprint(r.Exceptions[:4]) != before {
		t.Errorf("a refused Close changed the resource")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Gymsal, Nordbyen skole":    "gymsal-nordbyen-skole",
		"  Storsalen (Kulturhuset)": "storsalen-kulturhuset",
		"Møterom 2 – rådhuset":      "moterom-2-radhuset",
		"Ærfugl":                    "aerfugl",
		"Café Ñandú":                "cafe-nandu",
		"!!!":                       "",
		"":                          "",
		"日本":                        "",
		strings.Repeat("ab ", 20):   "ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-a", // cut at 40
	} {
		if got := booking.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSlug: any name gives an ID of at most 40 lower-case ASCII letters,
// digits and inner single hyphens, usable in a URL path.
func FuzzSlug(f *testing.F) {
	f.Add("Gymsal, Nordbyen skole")
	f.Add(strings.Repeat("å-", 40))
	f.Add("\x00\xff Ärlig")
	f.Fuzz(func(t *testing.T, name string) {
		id := booking.Slug(name)
		if len(id) > 40 || strings.HasPrefix(id, "-") || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
			t.Fatalf("Slug(%q) = %q", name, id)
		}
		for _, c := range id {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				t.Fatalf("Slug(%q) = %q", name, id)
			}
		}
		if booking.Slug(id) != id {
			t.Fatalf("Slug(%q) = %q, whose Slug differs", name, id)
		}
	})
}

func TestReason(t *testing.T) {
	for _, c := range []struct {
		err    error
		nb, en string
	}{
		{fmt.Errorf("week 3: %w", booking.ErrSlotTaken), "opptatt", "taken"},
		{booking.ErrOutsideHours, "stengt (helligdag eller stengt dag)", "closed (a holiday or a closed day)"},
		{booking.ErrTooFar, "for langt frem i tid", "too far ahead"},
		{booking.ErrTooSoon, "for kort varsel", "too short notice"},
		{booking.ErrLimitReached, "kan ikke bookes", "cannot be booked"},
		{errors.New("disk full"), "kan ikke bookes", "cannot be booked"},
	} {
		if nb, en, nn := booking.Reason(c.err, i18n.NB), booking.Reason(c.err, i18n.EN), booking.Reason(c.err, i18n.NN); nb != c.nb || en != c.en || nn == "" || booking.Reason(c.err, "") != nb {
			t.Errorf("Reason(%v) = %q, %q, %q", c.err, nb, nn, en)
		}
	}
}

// Close a hall for a tournament from Friday to Monday, and open the Monday
// again. Thursday 14 May 2026 is a public holiday (Ascension Day).
func ExampleResource_Close() {
	hall := &booking.Resource{ID: booking.Slug("Gymsal, Nordbyen skole"), ClosedOnHolidays: true,
		Hours: booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)})}
	if err := hall.Close(civil.NewDate(2026, 5, 15), civil.NewDate(2026, 5, 18), "Håndballturnering"); err != nil {
		fmt.Println(err)
	}
	hall.Reopen(civil.NewDate(2026, 5, 18))
	for d := civil.NewDate(2026, 5, 13); d.Before(civil.NewDate(2026, 5, 19)); d = d.AddDays(1) {
		hours := booking.FormatSpans(hall.HoursOn(d))
		if hours == "" {
			hours = "closed"
		}
		fmt.Println(d, d.Weekday(), hours)
	}
	fmt.Println(hall.ID)
	// Output:
	// 2026-05-13 Wednesday 16:00-22:00
	// 2026-05-14 Thursday closed
	// 2026-05-15 Friday closed
	// 2026-05-16 Saturday closed
	// 2026-05-17 Sunday closed
	// 2026-05-18 Monday 16:00-22:00
	// gymsal-nordbyen-skole
}

func TestResourceForm(t *testing.T) {
	r := nightOwl()
	r.Price, r.CancelDeadline = 600_00, 48*time.Hour
	r.Hours[time.Saturday] = []booking.Span{{From: booking.At(9, 0), To: booking.At(12, 0)}, {From: booking.At(13, 0), To: booking.At(18, 0)}}
	r.Exceptions = []booking.Exception{{Date: civil.NewDate(2026, 5, 15), Closed: true, Note: "Cup"}, {Date: civil.NewDate(2026, 5, 16), Hours: r.Hours[1]}}
	f := r.Form(i18n.NN)
	if f.Name != "Nattbadet" || f.Price != "600" || f.Deadline != "48" || len(f.Days) != 7 || len(f.Closed) != 1 {
		t.Fatalf("%+v", f)
	}
	if d := f.Days[5]; d.Name != "laurdag" || d.Field != "hours-6" || d.Value != "09:00-12:00, 13:00-18:00" {
		t.Errorf("Saturday: %+v", d)
	}
	if c := f.Closed[0]; c.Date != civil.NewDate(2026, 5, 15) || c.Label != "fredag 15. mai 2026 – Cup" {
		t.Errorf("closed: %+v", c)
	}
	form := url.Values{"name": {f.Name}, "price": {f.Price}, "deadline": {f.Deadline}}
	for _, d := range f.Days {
		form.Set(d.Field, d.Value)
	}
	before := fmt.Sprintf("%+v", *r)
	if err := r.SetForm(form); err != nil || fmt.Sprintf("%+v", *r) != before {
		t.Fatalf("the form as it was: %v\n%+v\nwas %s", err, *r, before)
	}
	for field, bad := range map[string][]string{
		"name":     {strings.Repeat("æ", 101), "\xff", "Hall\x00"},
		"price":    {"", "-1", "1000001", "5,50", "600 kr"},
		"deadline": {"", "-1", "2161", "1.5"},
		"hours":    {"16-22", "22:00-16:00", "24:01-25:00", "9:00"},
	} {
		for _, v := range bad {
			f := url.Values{}
			for k, vs := range form {
				f[k] = vs
			}
			key := field
			if field == "hours" {
				key = "hours-3"
			}
			f.Set(key, v)
			var fe *booking.FormError
			if err := r.SetForm(f); !errors.As(err, &fe) || fe.Field != field || !errors.Is(err, booking.ErrInvalid) {
				t.Errorf("%s=%q: %v", key, v, err)
			}
			if fmt.Sprintf("%+v", *r) != before {
				t.Fatalf("%s=%q changed the resource", key, v)
			}
		}
	}
	form.Set("name", "  ")
	form.Set("price", " 0 ")
	form.Set("hours-0", "")
	form.Set("hours-2", "08:00-12:00,")
	if err := r.SetForm(form); err != nil {
		t.Fatal(err)
	}
	if r.Name != "Nattbadet" || r.Price != 0 || len(r.Hours[0]) != 0 || booking.FormatSpans(r.Hours[2]) != "08:00-12:00" || len(r.Exceptions) != 2 {
		t.Errorf("%+v", *r)
	}
}

// FuzzResourceForm: any posted form is read whole or refused whole, and
// what is read reads back the same from its own Form.
func FuzzResourceForm(f *testing.F) {
	f.Add("Storhallen", "600", "48", "16:00-22:00", "")
	f.Add("", "1000000", "2160", "08:00-12:00, 13:00-24:00", "09:00-10:00,")
	f.Add("\x00", "-0", "+1", "23:59-24:00", "00:00-00:01")
	f.Fuzz(func(t *testing.T, name, price, deadline, monday, sunday string) {
		r := nightOwl()
		before := fmt.Sprintf("%+v", *r)
		err := r.SetForm(url.Values{"name": {name}, "price": {price}, "deadline": {deadline}, "hours-1": {monday}, "hours-0": {sunday}})
		if err != nil {
			var fe *booking.FormError
			if !errors.As(err, &fe) || !errors.Is(err, booking.ErrInvalid) || fmt.Sprintf("%+v", *r) != before {
				t.Fatalf("refused with %v, resource %+v", err, *r)
			}
			return
		}
		if r.Price < 0 || r.CancelDeadline < 0 || !utf8.ValidString(r.Name) {
			t.Fatalf("%+v", *r)
		}
		form := url.Values{}
		fm := r.Form(i18n.NB)
		form.Set("name", fm.Name)
		form.Set("price", fm.Price)
		form.Set("deadline", fm.Deadline)
		for _, d := range fm.Days {
			form.Set(d.Field, d.Value)
		}
		again := *r
		if err := again.SetForm(form); err != nil || fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", *r) {
			t.Fatalf("the form read back: %v\n%+v\n%+v", err, again, *r)
		}
	})
}

// A hall admin's page: the form shows the hall's settings, and the posted
// form sets them, or names the field that is wrong.
func ExampleResource_SetForm() {
	hall := &booking.Resource{ID: "storhallen", Name: "Storhallen", Slot: time.Hour, Price: 600_00, CancelDeadline: 48 * time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)})}
	f := hall.Form(i18n.NB)
	fmt.Println(f.Name, f.Price, f.Deadline, f.Days[0].Name, f.Days[0].Field, f.Days[0].Value)

	posted := url.Values{"name": {"Storhallen"}, "price": {"650"}, "deadline": {"24"}, "hours-1": {"16:00-22:00"}, "hours-6": {"09:00-18:00"}}
	fmt.Println(hall.SetForm(posted), hall.Price, booking.FormatSpans(hall.Hours[time.Saturday]), len(hall.Hours[time.Tuesday]))

	posted.Set("hours-2", "16-22")
	var fe *booking.FormError
	if err := hall.SetForm(posted); errors.As(err, &fe) {
		fmt.Println(fe.Field, err)
	}
	// Output:
	// Storhallen 600 48 mandag hours-1 16:00-22:00
	// <nil> 650,00 kr 09:00-18:00 0
	// hours booking: form field hours: booking: invalid: clock "16" is not HH:MM
}
