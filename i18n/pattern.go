package i18n

import (
	"strconv"
	"strings"
	"time"
)

type dateNames struct {
	eraShort, eraLong, eraNarrow string
	am, pm                       string
	monthsShort, monthsLong      [12]string
	daysShort, daysLong          [7]string
	daysNarrow                   [7]string
	defaultFormat                string
}

var (
	namesEN = &dateNames{
		eraShort: "AD", eraLong: "Anno Domini", eraNarrow: "A", am: "AM", pm: "PM",
		monthsShort:   [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		monthsLong:    [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		daysShort:     [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		daysLong:      [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		daysNarrow:    [7]string{"S", "M", "T", "W", "T", "F", "S"},
		defaultFormat: "M/d/yy",
	}
	namesNB = &dateNames{
		eraShort: "e.Kr.", eraLong: "etter Kristus", eraNarrow: "e.Kr.", am: "a.m.", pm: "p.m.",
		monthsShort:   [12]string{"jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"},
		monthsLong:    [12]string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
		daysShort:     [7]string{"søn", "man", "tir", "ons", "tor", "fre", "lør"},
		daysLong:      [7]string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"},
		daysNarrow:    [7]string{"S", "M", "T", "O", "T", "F", "L"},
		defaultFormat: "dd.MM.yyyy",
	}
	namesNN = &dateNames{
		eraShort: "e.Kr.", eraLong: "etter Kristus", eraNarrow: "e.Kr.", am: "a.m.", pm: "p.m.",
		monthsShort:   namesNB.monthsShort,
		monthsLong:    namesNB.monthsLong,
		daysShort:     [7]string{"sun", "mån", "tys", "ons", "tor", "fre", "lau"},
		daysLong:      [7]string{"sundag", "måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag"},
		daysNarrow:    [7]string{"S", "M", "T", "O", "T", "F", "L"},
		defaultFormat: "dd.MM.yyyy",
	}
	namesSE = &dateNames{
		eraShort: "m.Kr.", eraLong: "maŋŋel Kristtusa", eraNarrow: "m.Kr.", am: "i.b.", pm: "e.b.",
		monthsShort:   [12]string{"ođđj", "guov", "njuk", "cuo", "mies", "geas", "suoi", "borg", "čakč", "golg", "skáb", "juov"},
		monthsLong:    [12]string{"ođđajagemánnu", "guovvamánnu", "njukčamánnu", "cuoŋománnu", "miessemánnu", "geassemánnu", "suoidnemánnu", "borgemánnu", "čakčamánnu", "golggotmánnu", "skábmamánnu", "juovlamánnu"},
		daysShort:     [7]string{"sotn", "vuos", "maŋ", "gask", "duor", "bear", "láv"},
		daysLong:      [7]string{"sotnabeaivi", "vuossárga", "maŋŋebárga", "gaskavahkku", "duorasdat", "bearjadat", "lávvardat"},
		daysNarrow:    [7]string{"S", "V", "M", "G", "D", "B", "L"},
		defaultFormat: "dd.MM.yyyy",
	}
)

func namesFor(lang string) *dateNames {
	switch lang {
	case "en":
		return namesEN
	case "nn":
		return namesNN
	case "se":
		return namesSE
	}
	return namesNB
}

// ClockPattern is the [Lang.Format] pattern of a time of day: HH.mm in
// Norwegian and Sami ("kl. 07.08", as Språkrådet writes it), HH:mm in
// English.
func (l Lang) ClockPattern() string {
	if l == EN {
		return "HH:mm"
	}
	return "HH.mm"
}

// Format writes t, in its own location, with a Unicode date pattern
// (dd.MM.yyyy, EEEE d. MMMM, HH:mm), with the month and day names of l:
// NB, NN, EN or SE; any other Lang is bokmål. An empty pattern gives the
// language's short date. Text in single quotes is copied as it is; two
// single quotes in a row are one.
func (l Lang) Format(t time.Time, pattern string) string {
	names := namesFor(string(l))
	if pattern == "" {
		pattern = names.defaultFormat
	}
	var sb strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			j := strings.IndexByte(pattern[i+1:], '\'')
			switch {
			case j < 0:
				sb.WriteString(pattern[i+1:])
				return sb.String()
			case j == 0:
				sb.WriteByte('\'')
			default:
				sb.WriteString(pattern[i+1 : i+1+j])
			}
			i += j + 2
			continue
		}
		j := i
		for j < len(pattern) && pattern[j] == c {
			j++
		}
		if !writeField(&sb, t, names, c, j-i) {
			sb.WriteString(pattern[i:j])
		}
		i = j
	}
	return sb.String()
}

// writeField writes the pattern field of letter c repeated w times, and
// reports false for a letter that is no field.
func writeField(sb *strings.Builder, t time.Time, names *dateNames, c byte, w int) bool {
	pad := func(n, width int) {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			sb.WriteByte('0')
		}
		sb.WriteString(s)
	}
	switch c {
	case 'G':
		sb.WriteString(byWidth(w, names.eraShort, names.eraLong, names.eraNarrow))
	case 'y', 'u':
		if c == 'y' && w == 2 {
			pad(t.Year()%100, 2)
		} else {
			pad(t.Year(), w)
		}
	case 'M':
		if w <= 2 {
			pad(int(t.Month()), w)
			break
		}
		long := names.monthsLong[t.Month()-1]
		r := []rune(long)
		sb.WriteString(byWidth(w, names.monthsShort[t.Month()-1], long, strings.ToUpper(string(r[0]))))
	case 'd':
		pad(t.Day(), min(w, 2))
	case 'E':
		wd := t.Weekday()
		sb.WriteString(byWidth(w, names.daysShort[wd], names.daysLong[wd], names.daysNarrow[wd]))
	case 'a':
		if t.Hour() < 12 {
			sb.WriteString(names.am)
		} else {
			sb.WriteString(names.pm)
		}
	case 'H':
		pad(t.Hour(), min(w, 2))
	case 'h':
		pad((t.Hour()+11)%12+1, min(w, 2))
	case 'm':
		pad(t.Minute(), min(w, 2))
	case 's':
		pad(t.Second(), min(w, 2))
	case 'S':
		frac := strconv.Itoa(t.Nanosecond() + 1e9)[1:] // nine digits
		if w > 9 {
			frac += strings.Repeat("0", w-9)
		}
		sb.WriteString(frac[:w])
	default:
		return false
	}
	return true
}

// byWidth picks the short form for 1–3 letters, the long one for 4 and the
// narrow one for 5 or more, as the Unicode patterns do.
func byWidth(w int, short, long, narrow string) string {
	switch {
	case w <= 3:
		return short
	case w == 4:
		return long
	}
	return narrow
}
