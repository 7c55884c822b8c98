package main

import (
	"net/http"
	"strings"

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
	b, _, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	back, id := cancelTarget(r, b)
	q, err := a.co.Quote(r.Context(), b, id)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if len(q.Cancel) == 0 { // nothing left to cancel
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	v := cancelView{Title: b.Title(), Back: back, Action: back + "/avbestill", Weeks: len(q.Cancel), Late: len(q.Charged)}
	key := "cancel.series"
	if id != "" {
		key, v.When = "cancel.title", site.Lang(r).Time(q.Cancel[0].Start)
	}
	a.Render(w, r, "cancel", http.StatusOK, a.Page(r, key, v))
}

// cancel cancels under the hall's rules, once confirmed on cancelPage: a
// booking from /booking/{id}, or from /serie/{id} every occurrence not yet
// begun. Before the deadline an occurrence is free, after it the rent is
// charged; the checkout then pays back (or credits the invoice) what is no
// longer owed, and releases an authorised payment for what is no longer
// held.
func (a *App) cancel(w http.ResponseWriter, r *http.Request) {
	b, _, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	back, id := cancelTarget(r, b)
	if r.PostFormValue("confirm") != "yes" { // not from the confirmation page
		http.Redirect(w, r, back+"/avbestill", http.StatusSeeOther)
		return
	}
	if _, err := a.co.Cancel(r.Context(), b, id); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// cancelTarget is what the request cancels: from /serie/{id} the series
// (id ""), from /booking/{id} that booking. The way back is built from the
// bill looked up, never from the raw path.
func cancelTarget(r *http.Request, b *bill) (back, id string) {
	if strings.HasPrefix(r.URL.Path, "/serie/") {
		return billPath(b), ""
	}
	id = r.PathValue("id")
	if res := b.Reservation(id); res != nil {
		return "/booking/" + res.ID, id
	}
	return billPath(b), id
}
