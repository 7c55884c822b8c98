package expr

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Oslo must be there whatever the host has
)

// oslo is where dates without an offset are read by default.
var oslo = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic("expr: no Europe/Oslo time zone: " + err.Error())
	}
	return loc
}()

// datePattern is the ISO 8601 subset Altinn's expressions accept: a date,
// optionally a time (with T, t or a space) and then optionally an offset.
var datePattern = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})?)?$`)

// parsedDate is a date from an expression; zoned says whether it carried an
// offset (naive times are read in the evaluation's location).
type parsedDate struct {
	t     time.Time
	zoned bool
}

func parseDate(s string, loc *time.Location) (parsedDate, error) {
	m := datePattern.FindStringSubmatch(s)
	if m == nil {
		return parsedDate{}, &Error{Msg: "unable to parse date: unknown format (want YYYY-MM-DD, optionally with a time and offset)"}
	}
	bad := func() (parsedDate, error) {
		return parsedDate{}, &Error{Msg: "unable to parse date: format was recognized, but the date/time is invalid"}
	}
	num := func(x string) int {
		if x == "" {
			return 0
		}
		n, _ := strconv.Atoi(x)
		return n
	}
	y, mo, d, h, mi, sec := num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6])
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return bad()
	}
	nsec := 0
	if frac := m[7]; frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		nsec = num(frac)
		for i := len(frac); i < 9; i++ {
			nsec *= 10
		}
	}
	pd := parsedDate{}
	zone := loc
	if tz := m[8]; tz != "" {
		pd.zoned = true
		off := 0
		if tz != "Z" && tz != "z" {
			oh, om := num(tz[1:3]), num(tz[4:6])
			if oh > 23 || om > 59 {
				return bad()
			}
			off = oh*3600 + om*60
			if tz[0] == '-' {
				off = -off
			}
		}
		zone = time.FixedZone("", off)
	}
	pd.t = time.Date(y, time.Month(mo), d, h, mi, sec, nsec, zone)
	return pd, nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func dateCompare(ec *Context, n *node, x, y *node) (bool, error) {
	xv, err := x.eval(ec)
	if err != nil {
		return false, err
	}
	yv, err := y.eval(ec)
	if err != nil {
		return false, err
	}
	a, an := xv.AsString()
	b, bn := yv.AsString()
	loc := ec.location()
	var da, db parsedDate
	if !an && a != "" {
		if da, err = parseDate(a, loc); err != nil {
			return false, err
		}
	}
	if !bn && b != "" {
		if db, err = parseDate(b, loc); err != nil {
			return false, err
		}
	}
	if an || bn || a == "" || b == "" {
		return false, nil
	}
	switch n.op {
	case opIsBefore:
		return da.t.Before(db.t), nil
	case opIsBeforeEq:
		return !da.t.After(db.t), nil
	case opIsAfter:
		return da.t.After(db.t), nil
	case opIsAfterEq:
		return !da.t.Before(db.t), nil
	}
	// isSameDay compares calendar days, which only make sense in one zone.
	if da.zoned != db.zoned {
		return false, runErr(n, "can not compare timestamps where only one specify timezone")
	}
	if da.zoned {
		_, oa := da.t.Zone()
		_, ob := db.t.Zone()
		if oa != ob {
			return false, runErr(n, "can not figure out if timestamps in different timezones are in the same day")
		}
	}
	y1, m1, d1 := da.t.Date()
	y2, m2, d2 := db.t.Date()
	return y1 == y2 && m1 == m2 && d1 == d2, nil
}

func fnFormatDate(ec *Context, n *node) (Value, error) {
	s, null, err := argStr(ec, n, 0)
	if err != nil || null {
		return Null, err
	}
	format := ""
	if len(n.args) == 2 {
		f, fnull, err := argStr(ec, n, 1)
		if err != nil {
			return Null, err
		}
		if !fnull {
			format = f
		}
	}
	pd, err := parseDate(s, ec.location())
	if err != nil {
		return Null, err
	}
	return String(formatDate(pd.t.In(ec.location()), format, ec.lang())), nil
}

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

// formatDate formats t with a Unicode date pattern (dd.MM.yyyy, EEEE d. MMMM,
// HH:mm) in nb, nn, en or se. An empty pattern gives the language's short date.
// Text in single quotes is copied as it is.
func formatDate(t time.Time, pattern, lang string) string {
	names := namesFor(lang)
	if pattern == "" {
		pattern = names.defaultFormat
	}
	var sb strings.Builder
	pad := func(n, width int) {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			sb.WriteByte('0')
		}
		sb.WriteString(s)
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			j := strings.IndexByte(pattern[i+1:], '\'')
			if j < 0 {
				sb.WriteString(pattern[i+1:])
				break
			}
			if j == 0 {
				sb.WriteByte('\'')
			} else {
				sb.WriteString(pattern[i+1 : i+1+j])
			}
			i += j + 2
			continue
		}
		j := i
		for j < len(pattern) && pattern[j] == c {
			j++
		}
		w := j - i
		i = j
		switch c {
		case 'G':
			switch {
			case w <= 3:
				sb.WriteString(names.eraShort)
			case w == 4:
				sb.WriteString(names.eraLong)
			default:
				sb.WriteString(names.eraNarrow)
			}
		case 'y', 'u':
			if c == 'y' && w == 2 {
				pad(t.Year()%100, 2)
			} else {
				pad(t.Year(), w)
			}
		case 'M':
			switch {
			case w <= 2:
				pad(int(t.Month()), w)
			case w == 3:
				sb.WriteString(names.monthsShort[t.Month()-1])
			case w == 4:
				sb.WriteString(names.monthsLong[t.Month()-1])
			default:
				r := []rune(names.monthsLong[t.Month()-1])
				sb.WriteString(strings.ToUpper(string(r[0])))
			}
		case 'd':
			pad(t.Day(), min(w, 2))
		case 'E':
			switch {
			case w <= 3:
				sb.WriteString(names.daysShort[t.Weekday()])
			case w == 4:
				sb.WriteString(names.daysLong[t.Weekday()])
			default:
				sb.WriteString(names.daysNarrow[t.Weekday()])
			}
		case 'a':
			if t.Hour() < 12 {
				sb.WriteString(names.am)
			} else {
				sb.WriteString(names.pm)
			}
		case 'H':
			pad(t.Hour(), min(w, 2))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, min(w, 2))
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
			sb.WriteString(pattern[i-w : i])
		}
	}
	return sb.String()
}
