package site_test

import (
	"fmt"
	"html/template"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// week is a two-day week by hand: one free, one taken and one closed cell,
// with hostile words where a resource's or a holiday's name goes.
func week(id string) *booking.Week {
	mon := civil.Date{Year: 2026, Month: 12, Day: 7}
	return &booking.Week{Resource: &booking.Resource{ID: id, Name: "Hall"}, Monday: mon,
		Days: []booking.WeekDay{{Date: mon, Name: "mandag", Label: "7.12."}, {Date: mon.AddDays(1), Name: "tirsdag", Label: "8.12.", Closed: `<b>"Stengt"</b>`}},
		Rows: []booking.WeekRow{{Label: "16.00–17.00", Cells: []booking.WeekCell{
			{State: booking.CellFree, Text: "Ledig", Start: "2026-12-07T15:00:00Z", Name: `mandag 7. desember kl. 16.00 <i>&</i>`},
			{State: booking.CellTaken, Text: "Opptatt"}}},
			{Label: "17.00–18.00", Cells: []booking.WeekCell{{State: booking.CellClosed, Text: "Stengt"}, {State: booking.CellPast, Text: "Forbi"}}}},
	}
}

func TestWeekTable(t *testing.T) {
	forms := site.WeekTable{Time: "Tid", NoSlots: "Ingen", CSRF: `<input type="hidden" name="csrf" value="x">`, Key: `k"1`, Prefix: "/hall/",
		Forms: []site.CellForm{{Path: "/hold", Label: "Book", Class: "ds-button--secondary", Data: "start"}, {Path: "/serie", Label: "Hver uke"}}}
	got := string(forms.HTML(week("a b/c")))
	for _, want := range []string{
		`<th scope="col">Tid</th>`,
		`<span class="ds-week__closed">&lt;b&gt;&#34;Stengt&#34;&lt;/b&gt;</span>`,
		`<td class="ds-week__cell ds-week__cell--free"><form method="post" action="/hall/a%20b%2Fc/hold"><input type="hidden" name="csrf" value="x">`,
		`<input type="hidden" name="key" value="k&#34;1">`,
		`data-start="2026-12-07T15:00:00Z">Book<span class="ds-sr-only">, mandag 7. desember kl. 16.00 &lt;i&gt;&amp;&lt;/i&gt;</span></button></form>`,
		`action="/hall/a%20b%2Fc/serie"`,
		`<td class="ds-week__cell ds-week__cell--taken">Opptatt</td>`,
		`<td class="ds-week__cell ds-week__cell--past">Forbi</td>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Count(got, "<form") != 2 {
		t.Errorf("want the two forms in the one free cell:\n%s", got)
	}
	if strings.Contains(got, "<b>") || strings.Contains(got, "<i>") {
		t.Errorf("a text reached the page unescaped:\n%s", got)
	}

	anon := site.WeekTable{Time: "Tid", NoSlots: "Ingen"}.HTML(week("h"))
	if strings.Contains(string(anon), "<form") || !strings.Contains(string(anon), `ds-week__cell--free">Ledig</td>`) {
		t.Errorf("without forms a free cell shows its text:\n%s", anon)
	}
	empty := week("h")
	empty.Rows = nil
	if got := string(site.WeekTable{NoSlots: "Ingen <ledige>"}.HTML(empty)); !strings.Contains(got, `<td colspan="8">Ingen &lt;ledige&gt;</td>`) {
		t.Errorf("an empty week:\n%s", got)
	}

	page := func(body template.HTML) []byte {
		return []byte(`<!DOCTYPE html><html lang="nb"><head><title>Uke</title></head><body><table>` + string(body) + `</table></body></html>`)
	}
	sitetest.ValidHTML(t, sitetest.Page{Name: "forms.html", HTML: page(template.HTML(got))}, sitetest.Page{Name: "anon.html", HTML: page(anon)})
}

func ExampleWeekTable() {
	table := site.WeekTable{Time: "Tid", NoSlots: "Ingen ledige tider"}
	wk := &booking.Week{Resource: &booking.Resource{ID: "storhallen"},
		Days: []booking.WeekDay{{Name: "mandag", Label: "7.12."}},
		Rows: []booking.WeekRow{{Label: "16.00–17.00", Cells: []booking.WeekCell{{State: booking.CellFree, Text: "Ledig"}}}}}
	fmt.Println(table.HTML(wk))
	// Output:
	// <thead>
	// <tr><th scope="col">Tid</th><th scope="col">mandag <span class="ds-week__date">7.12.</span></th></tr>
	// </thead>
	// <tbody>
	// <tr><th scope="row">16.00–17.00</th><td class="ds-week__cell ds-week__cell--free">Ledig</td></tr>
	// </tbody>
}
