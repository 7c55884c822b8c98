package booking

import (
	"errors"

	"github.com/grunnmur/grunnmur/i18n"
)

// The texts read a language as i18n.Lang does: nb, nn or en, and any other
// (the zero Lang too) as nb.

var cellText = map[CellState][3]string{ // nb, nn, en
	CellFree:   {"Ledig", "Ledig", "Free"},
	CellTaken:  {"Opptatt", "Oppteken", "Taken"},
	CellPast:   {"Passert", "Passert", "Past"},
	CellClosed: {"Stengt", "Stengt", "Closed"},
}

var weekWord = [3]string{"Uke", "Veke", "Week"}

// Label is the state in lang (nb for any other Lang): "Ledig", "Free".
func (s CellState) Label(lang i18n.Lang) string {
	t, ok := cellText[s]
	if !ok {
		return string(s)
	}
	return lang.Pick(t)
}

// reasons are Reason's words, in the order it tries them.
var reasons = []struct {
	err  error
	text [3]string
}{
	{ErrSlotTaken, [3]string{"opptatt", "oppteken", "taken"}},
	{ErrOutsideHours, [3]string{"stengt (helligdag eller stengt dag)", "stengt (heilagdag eller stengd dag)", "closed (a holiday or a closed day)"}},
	{ErrTooFar, [3]string{"for langt frem i tid", "for langt fram i tid", "too far ahead"}},
	{ErrTooSoon, [3]string{"for kort varsel", "for kort varsel", "too short notice"}},
}

var cannot = [3]string{"kan ikke bookes", "kan ikkje bookast", "cannot be booked"}

// Reason says in a few words, in lang, why a slot could not be held: the
// Err of each of a SeriesError's Conflicts, say. "opptatt" (ErrSlotTaken),
// "stengt (helligdag eller stengt dag)" (ErrOutsideHours), "for langt frem
// i tid" (ErrTooFar), "for kort varsel" (ErrTooSoon), and "kan ikke bookes"
// for any other error.
func Reason(err error, lang i18n.Lang) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return lang.Pick(r.text)
		}
	}
	return lang.Pick(cannot)
}
