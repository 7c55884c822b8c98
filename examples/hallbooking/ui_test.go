package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestWeekView: the calendar is a table with the days as columns and the
// slots' times as rows, captioned with the week's number and dates, each
// cell free, taken, past or closed; it scrolls in a focusable region of its
// own on a narrow screen.
func TestWeekView(t *testing.T) {
	now := time.Date(2026, 12, 8, 16, 30, 0, 0, time.UTC) // tuesday 17.30 in Oslo
	a := newApp(t, func() time.Time { return now })
	for _, c := range []struct {
		lang, caption, head, row string
	}{
		{"nb", "Uke 50, 7.–13. desember 2026", `<th scope="col">mandag <span class="ds-week__date">7.12.</span></th>`, `<th scope="row">16.00–17.00</th>`},
		{"nn", "Veke 50, 7.–13. desember 2026", `<th scope="col">måndag <span class="ds-week__date">7.12.</span></th>`, `<th scope="row">16.00–17.00</th>`},
		{"en", "Week 50, 7–13 December 2026", `<th scope="col">Monday <span class="ds-week__date">7 Dec</span></th>`, `<th scope="row">16:00–17:00</th>`},
	} {
		code, body := get(t, a.Handler(), "/hall/storhallen?uke=2026-12-09&lang="+c.lang)
		if code != 200 {
			t.Fatalf("%s: status %d", c.lang, code)
		}
		for _, want := range []string{
			`<div class="ds-table-scroll" role="region" aria-labelledby="week-caption" tabindex="0">`,
			`<h2 class="ds-heading ds-heading--md" id="week-caption">` + c.caption + `</h2>`, `<caption class="ds-sr-only">` + c.caption + `</caption>`, c.head, c.row,
			`<td class="ds-week__cell ds-week__cell--past">`, `<td class="ds-week__cell ds-week__cell--free">`,
			`<td class="ds-week__cell ds-week__cell--closed">`, // weekday evenings have no 09.00 slot
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the week lacks %s", c.lang, want)
			}
		}
		// 7 day columns and the time column; each row a cell for each day.
		if n := strings.Count(body, `<th scope="col">`); n != 8 {
			t.Errorf("%s: %d column headers, want 8", c.lang, n)
		}
		rows := strings.Count(body, `<th scope="row">`)
		if cells := strings.Count(body, `<td class="ds-week__cell`); rows == 0 || cells != 7*rows {
			t.Errorf("%s: %d cells in %d rows", c.lang, cells, rows)
		}
		if strings.Contains(body, "<script") {
			t.Errorf("%s: the week needs JavaScript", c.lang)
		}
	}
	// Across a new year: ISO week 53 of 2026 ends in January 2027.
	_, body := get(t, a.Handler(), "/hall/storhallen?uke=2026-12-30")
	if !strings.Contains(body, `<caption class="ds-sr-only">Uke 53, 28. desember 2026–3. januar 2027</caption>`) {
		t.Error("the week across the new year is not captioned Uke 53, 28. desember 2026–3. januar 2027")
	}
	_, body = get(t, a.Handler(), "/hall/storhallen?uke=2027-02-01&lang=en")
	if !strings.Contains(body, `<caption class="ds-sr-only">Week 5, 1–7 February 2027</caption>`) {
		t.Error("week 5 of 2027")
	}
	_, body = get(t, a.Handler(), "/hall/storhallen?uke=2027-04-01&lang=nn")
	if !strings.Contains(body, `<caption class="ds-sr-only">Veke 13, 29. mars–4. april 2027</caption>`) {
		t.Error("week 13 of 2027 in nn")
	}
}

// weekGrid reads the calendar's table: each row's time, and its cells'
// states from monday to sunday.
func weekGrid(t *testing.T, body string) map[string][]string {
	t.Helper()
	row := regexp.MustCompile(`<tr><th scope="row">([^<]+)</th>(.*?)</tr>`)
	cell := regexp.MustCompile(`<td class="ds-week__cell ds-week__cell--(\w+)">`)
	g := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(strings.ReplaceAll(body, "\n", " "), -1) {
		for _, c := range cell.FindAllStringSubmatch(m[2], -1) {
			g[m[1]] = append(g[m[1]], c[1])
		}
		if len(g[m[1]]) != 7 {
			t.Fatalf("row %s has %d cells", m[1], len(g[m[1]]))
		}
	}
	if len(g) == 0 {
		t.Fatal("the week has no rows")
	}
	return g
}
