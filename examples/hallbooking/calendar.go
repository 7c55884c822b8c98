package main

import (
	"crypto/rand"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/site"
)

// calView is the calendar page: the hall's week (booking.Week, whose
// cells carry their own words), its table made in Go (weekTable) and, for a
// logged-in party, the forms in it that hold a free slot once or every week.
type calView struct {
	calWeek
	Error    string
	LoggedIn bool
	Party    string
}

// calWeek is what every visitor who is not logged in sees of a week, kept
// in App.weeks (booking.WeekCache): nothing personal goes in it.
type calWeek struct {
	Week  *booking.Week
	Price string // "600,00 kr per time"
	Table template.HTML
	// The words around the table, in the week's language.
	Login, Weeks, Prev, Next string
}

// calendar shows a hall's week: opening hours, holidays closed, and each
// slot free or taken.
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	a.renderCalendar(w, r, "", http.StatusOK)
}

// renderCalendar renders the hall's week of ?uke= (any day of it; this
// week by default) with status, and the message of errKey above it when not
// empty. The page of a visitor who is not logged in comes from App.weeks.
func (a *App) renderCalendar(w http.ResponseWriter, r *http.Request, errKey string, status int) {
	ctx, lang := r.Context(), site.Lang(r)
	day, err := booking.ParseWeek(r.URL.Query().Get("uke"))
	if err != nil {
		day = civil.DateOf(a.Config.Now().In(civil.Oslo))
	}
	p := a.Page(r, "cal.title", nil)
	var v calView
	var forms *cellForms
	if _, cl, err := a.Party(r); err == nil {
		v.LoggedIn = true
		if cl != nil {
			v.Party = cl.Name
		}
		forms = &cellForms{csrf: p.CSRF, key: rand.Text(), book: p.T("cal.book"), everyWeek: p.T("cal.everyweek")}
	}
	build := func(wk *booking.Week) (calWeek, error) {
		return calWeek{Week: wk, Price: p.Lang.Amount(wk.Resource.Price) + " " + p.T("start.price"), Table: weekTable(wk, p.T, forms),
			Login: p.T("cal.login"), Weeks: p.T("cal.weeks"), Prev: p.T("cal.prev"), Next: p.T("cal.next")}, nil
	}
	if forms == nil {
		v.calWeek, err = a.weeks.Get(ctx, a.Bookings, r.PathValue("id"), day, lang, build)
	} else {
		var wk *booking.Week
		if wk, err = a.Bookings.Week(ctx, r.PathValue("id"), day, lang); err == nil {
			v.calWeek, err = build(wk)
		}
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	p.Title = v.Week.Resource.Name
	if errKey != "" {
		v.Error = p.Refused(errKey)
	}
	p.Data = v
	a.Render(w, r, "calendar", status, p)
}

// cellForms are a logged-in party's forms in each free cell.
type cellForms struct {
	csrf                 template.HTML
	key, book, everyWeek string
}

// weekTable is the head and body of the week's table. Every text is worked
// out in Go and escaped once here, so that the page's template prints one
// value for the 100-odd cells (issue 22).
func weekTable(wk *booking.Week, t func(string) string, forms *cellForms) template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	b.Grow(4096 + len(wk.Rows)*7*160)
	b.WriteString(`<thead>` + "\n" + `<tr><th scope="col">` + esc(t("cal.time")) + `</th>`)
	for _, d := range wk.Days {
		b.WriteString(`<th scope="col">` + esc(d.Name) + ` <span class="ds-week__date">` + esc(d.Label) + `</span>`)
		if d.Closed != "" {
			b.WriteString(`<span class="ds-week__closed">` + esc(d.Closed) + `</span>`)
		}
		b.WriteString(`</th>`)
	}
	b.WriteString("</tr>\n</thead>\n<tbody>\n")
	action := "/hall/" + esc(url.PathEscape(wk.Resource.ID))
	for _, row := range wk.Rows {
		b.WriteString(`<tr><th scope="row">` + esc(row.Label) + `</th>`)
		for _, c := range row.Cells {
			b.WriteString(`<td class="ds-week__cell ds-week__cell--` + string(c.State) + `">`)
			if forms != nil && c.State == booking.CellFree {
				forms.write(&b, action, c)
			} else {
				b.WriteString(esc(c.Text))
			}
			b.WriteString(`</td>`)
		}
		b.WriteString("</tr>\n")
	}
	if len(wk.Rows) == 0 {
		b.WriteString(`<tr><td colspan="8">` + esc(t("cal.noslots")) + "</td></tr>\n")
	}
	b.WriteString(`</tbody>`)
	return template.HTML(b.String())
}

// write writes the free cell c's two forms: hold it once, or every week.
func (f *cellForms) write(b *strings.Builder, action string, c booking.WeekCell) {
	esc := template.HTMLEscapeString
	start, name := esc(c.Start), esc(c.Name)
	hidden := string(f.csrf) + `<input type="hidden" name="start" value="` + start + `"><input type="hidden" name="key" value="` + esc(f.key) + `">`
	b.WriteString(`<form method="post" action="` + action + `/hold">` + hidden +
		`<button class="ds-button ds-button--secondary" type="submit" data-start="` + start + `">` + esc(f.book) +
		`<span class="ds-sr-only">, ` + name + "</span></button></form>\n")
	b.WriteString(`<form method="post" action="` + action + `/serie">` + hidden +
		`<button class="ds-button ds-button--tertiary" type="submit" data-series="` + start + `">` + esc(f.everyWeek) +
		`<span class="ds-sr-only">, ` + name + `</span></button></form>`)
}
