package booking

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grunnmur/grunnmur/civil"
)

// MaxClosed is the most days one Close may close: a year.
const MaxClosed = 366

// Close closes the resource on every date from from to to, both included,
// for a tournament, maintenance or the like, with note saying why (the
// calendar shows it, WeekDay.Closed). An Exception already on one of the
// dates is replaced. Reservations already made stand. Save the resource
// with Service.PutResource. A zero date, to before from, or more than
// MaxClosed days is an ErrInvalid, and leaves the resource as it was.
func (r *Resource) Close(from, to civil.Date, note string) error {
	if from.IsZero() || to.IsZero() || to.Before(from) || to.DaysSince(from) >= MaxClosed {
		return fmt.Errorf("%w: closed days from %s to %s: want at most %d days, in order", ErrInvalid, from, to, MaxClosed)
	}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		r.Reopen(d)
		r.Exceptions = append(r.Exceptions, Exception{Date: d, Closed: true, Note: note})
	}
	return nil
}

// Reopen removes the Exception on d, if any: the weekly hours (and the
// holiday rule) hold on d again.
func (r *Resource) Reopen(d civil.Date) {
	r.Exceptions = slices.DeleteFunc(r.Exceptions, func(e Exception) bool { return e.Date == d })
}

// Slug makes a resource's ID from its name, for a URL path: at most 40
// lower-case ASCII letters and digits, words joined by single hyphens, with
// æ, ø, å and the common accented letters spelt in ASCII ("Møterom 2 –
// rådhuset" is "moterom-2-radhuset"). A name without a letter or digit it
// can spell gives "".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		s := string(c)
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
		case spelt[c] != "":
			s = spelt[c]
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
			continue
		}
		b.WriteString(s)
		dash = false
	}
	id := strings.TrimSuffix(b.String(), "-")
	if len(id) > 40 {
		id = strings.TrimSuffix(id[:40], "-")
	}
	return id
}

// spelt are the letters Slug writes out in ASCII.
var spelt = map[rune]string{'æ': "ae", 'ø': "o", 'å': "a", 'é': "e", 'è': "e", 'ê': "e", 'á': "a", 'à': "a",
	'ä': "a", 'ö': "o", 'ó': "o", 'ò': "o", 'ô': "o", 'ü': "u", 'ú': "u", 'í': "i", 'ñ': "n", 'ç': "c"}
