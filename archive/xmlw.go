package archive

import (
	"bufio"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/civil"
)

// xmlWriter is a small streaming XML writer for the extract files. It writes
// each element on its own line, indented, and escapes text itself: the
// element names are our constants, so only text needs care. Characters XML 1.0
// forbids (C0 controls other than tab, newline and CR, U+FFFE, U+FFFF, and
// invalid UTF-8) become U+FFFD, so a non-empty value stays non-empty.
type xmlWriter struct {
	w     *bufio.Writer
	depth int
}

const indentSpaces = "                                                                " // 64

func (x *xmlWriter) indent() {
	n := 2 * x.depth
	for n > len(indentSpaces) {
		x.w.WriteString(indentSpaces)
		n -= len(indentSpaces)
	}
	x.w.WriteString(indentSpaces[:n])
}

func (x *xmlWriter) open(name string) {
	x.indent()
	x.w.WriteByte('<')
	x.w.WriteString(name)
	x.w.WriteString(">\n")
	x.depth++
}

// openTyped writes <name xsi:type="typ">, as mappe and registrering need.
func (x *xmlWriter) openTyped(name, typ string) {
	x.indent()
	x.w.WriteByte('<')
	x.w.WriteString(name)
	x.w.WriteString(` xsi:type="`)
	x.w.WriteString(typ)
	x.w.WriteString("\">\n")
	x.depth++
}

func (x *xmlWriter) close(name string) {
	x.depth--
	x.indent()
	x.w.WriteString("</")
	x.w.WriteString(name)
	x.w.WriteString(">\n")
}

// elem writes <name>value</name>.
func (x *xmlWriter) elem(name, value string) {
	x.indent()
	x.w.WriteByte('<')
	x.w.WriteString(name)
	x.w.WriteByte('>')
	writeEscaped(x.w, value)
	x.w.WriteString("</")
	x.w.WriteString(name)
	x.w.WriteString(">\n")
}

// opt writes the element only when value is not empty.
func (x *xmlWriter) opt(name, value string) {
	if value != "" {
		x.elem(name, value)
	}
}

func (x *xmlWriter) int(name string, v int) {
	var buf [24]byte
	x.raw(name, strconv.AppendInt(buf[:0], int64(v), 10))
}

func (x *xmlWriter) int64(name string, v int64) {
	var buf [24]byte
	x.raw(name, strconv.AppendInt(buf[:0], v, 10))
}

// dateTime writes an xs:dateTime, to the second, with the time's offset.
func (x *xmlWriter) dateTime(name string, t time.Time) {
	var buf [40]byte
	x.raw(name, t.AppendFormat(buf[:0], time.RFC3339))
}

func (x *xmlWriter) optDateTime(name string, t time.Time) {
	if !t.IsZero() {
		x.dateTime(name, t)
	}
}

// date writes an xs:date.
func (x *xmlWriter) date(name string, d civil.Date) {
	var buf [16]byte
	b := appendDate(buf[:0], d)
	x.raw(name, b)
}

func (x *xmlWriter) optDate(name string, d civil.Date) {
	if !d.IsZero() {
		x.date(name, d)
	}
}

func appendDate(b []byte, d civil.Date) []byte {
	b = appendPad(b, d.Year, 4)
	b = append(b, '-')
	b = appendPad(b, int(d.Month), 2)
	b = append(b, '-')
	return appendPad(b, d.Day, 2)
}

func appendPad(b []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func (x *xmlWriter) raw(name string, value []byte) {
	x.indent()
	x.w.WriteByte('<')
	x.w.WriteString(name)
	x.w.WriteByte('>')
	x.w.Write(value)
	x.w.WriteString("</")
	x.w.WriteString(name)
	x.w.WriteString(">\n")
}

// safeASCII marks the bytes that go out unchanged.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	t['<'], t['>'], t['&'], t['"'] = false, false, false, false
	t['\t'], t['\n'] = true, true
	return t
}()

// writeEscaped writes s as XML character data.
func writeEscaped(w *bufio.Writer, s string) {
	last := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if safeASCII[b] {
				i++
				continue
			}
			w.WriteString(s[last:i])
			switch b {
			case '<':
				w.WriteString("&lt;")
			case '>':
				w.WriteString("&gt;")
			case '&':
				w.WriteString("&amp;")
			case '"':
				w.WriteString("&quot;")
			case '\r':
				w.WriteString("&#xD;")
			default: // a C0 control XML 1.0 forbids
				w.WriteString("\uFFFD")
			}
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			w.WriteString(s[last:i])
			w.WriteString("\uFFFD")
			i += size
			last = i
			continue
		}
		i += size
	}
	w.WriteString(s[last:])
}
