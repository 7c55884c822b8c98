package main

import (
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/site"
)

// Cancelling takes two steps, without JavaScript: "Avbestill" opens a page
// that says what will be cancelled and what it costs, and only its form
// (POST, with the CSRF token and confirm=yes) cancels.

type cancelView struct {
	Title  string // the booking's or the series' name
	When   string // the booking's time; for a series, how many weeks
	Weeks  int    // the weeks a series cancel ends
	Late   int    // of which past the free cancellation deadline
	Action string // where the confirming form posts
	Back   string // the booking's or the series' page
}

// cancelPage asks the party to confirm a cancellation.
func (a *App) cancelPage(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	b, _, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	series, id := strings.HasPrefix(r.URL.Path, "/serie/"), ""
	v := cancelView{Title: b.Title(), Back: billPath(b)}
	if !series {
		id = r.PathValue("id")
		v.Back = "/booking/" + id // billFor found it: a real id
	}
	v.Action = v.Back + "/avbestill"
	now := a.now()
	for _, res := range b.Cancellable(now, id) {
		h, err := a.book.Resource(ctx, res.ResourceID)
		if err != nil {
			a.Fail(w, r, err)
			return
		}
		v.Weeks++
		if res.State == booking.Confirmed && h.ChargeLateCancel && !now.Before(res.Start.Add(-h.CancelDeadline)) {
			v.Late++
		}
		if !series {
			v.When = lang.Time(res.Start)
		}
	}
	if v.Weeks == 0 { // nothing left to cancel
		http.Redirect(w, r, v.Back, http.StatusSeeOther)
		return
	}
	key := "cancel.title"
	if series {
		key = "cancel.series"
	}
	a.Render(w, r, "cancel", http.StatusOK, a.Page(r, key, v))
}
