package expr

import (
	"regexp"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
)

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
	return String(i18n.Lang(ec.lang()).Format(pd.t.In(ec.location()), format)), nil
}
