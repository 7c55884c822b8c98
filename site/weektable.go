package site

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/grunnmur/grunnmur/booking"
)

// WeekTable says how WeekTable lays out a booking.Week.
type WeekTable struct {
	// Time heads the column of the rows' times ("Tid"); NoSlots fills an
	// empty week ("Ingen ledige tider denne uka").
	Time, NoSlots string
	// Forms, when not empty, are put in each free cell instead of its
	// text, for a logged-in citizen to hold the slot with.
	Forms []CellForm
	// CSRF is the page's CSRF field (Page.CSRF), put in every form.
	CSRF template.HTML
	// Key is posted with every form as "key", so that a double post holds
	// once (booking.HoldInput.Key).
	Key string
	// Prefix is the path of the resources' pages ("/hall/"): the forms post
	// to Prefix, the week's resource ID and their Path.
	Prefix string
}

// CellForm is one form in a free cell: a button labelled Label that posts
// the slot's start as "start" (and WeekTable.Key as "key") to Path under
// the resource's page ("/hold").
type CellForm struct {
	Path  string
	Label string
	// Class is the button's design-system class ("ds-button--secondary").
	Class string
	// Data names a data- attribute that carries the slot's start, for tests
	// and scripts ("start" gives data-start).
	Data string
}

// HTML is the head and body of wk's table, with the design system's
// ds-week classes: one column a day (its closed reason under its date), one
// row a time, each cell marked by its state (ds-week__cell--free, …) and
// holding its text, or, when free and o has Forms, the forms; every button
// names its slot in full for a screen reader. Every text is escaped once
// here, so that a page template prints one value for the hundred-odd cells:
// the page of a week serves about as fast as a static page.
func (o WeekTable) HTML(wk *booking.Week) template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	b.Grow(4096 + len(wk.Rows)*7*160)
	b.WriteString("<thead>\n<tr><th scope=\"col\">" + esc(o.Time) + "</th>")
	for _, d := range wk.Days {
		b.WriteString(`<th scope="col">` + esc(d.Name) + ` <span class="ds-week__date">` + esc(d.Label) + `</span>`)
		if d.Closed != "" {
			b.WriteString(`<span class="ds-week__closed">` + esc(d.Closed) + `</span>`)
		}
		b.WriteString(`</th>`)
	}
	b.WriteString("</tr>\n</thead>\n<tbody>\n")
	for _, row := range wk.Rows {
		b.WriteString(`<tr><th scope="row">` + esc(row.Label) + `</th>`)
		for _, c := range row.Cells {
			b.WriteString(`<td class="ds-week__cell ds-week__cell--` + esc(string(c.State)) + `">`)
			if len(o.Forms) > 0 && c.State == booking.CellFree {
				o.writeForms(&b, o.Prefix+url.PathEscape(wk.Resource.ID), c)
			} else {
				b.WriteString(esc(c.Text))
			}
			b.WriteString(`</td>`)
		}
		b.WriteString("</tr>\n")
	}
	if len(wk.Rows) == 0 {
		b.WriteString(`<tr><td colspan="8">` + esc(o.NoSlots) + "</td></tr>\n")
	}
	b.WriteString(`</tbody>`)
	return template.HTML(b.String())
}

// writeForms writes the free cell c's forms.
func (o WeekTable) writeForms(b *strings.Builder, page string, c booking.WeekCell) {
	esc := template.HTMLEscapeString
	start, name := esc(c.Start), esc(c.Name)
	hidden := string(o.CSRF) + `<input type="hidden" name="start" value="` + start +
		`"><input type="hidden" name="key" value="` + esc(o.Key) + `">`
	for i, f := range o.Forms {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(`<form method="post" action="` + esc(page+f.Path) + `">` + hidden +
			`<button class="ds-button ` + esc(f.Class) + `" type="submit"`)
		if f.Data != "" {
			b.WriteString(` data-` + esc(f.Data) + `="` + start + `"`)
		}
		b.WriteString(`>` + esc(f.Label) + `<span class="ds-sr-only">, ` + name + "</span></button></form>")
	}
}
