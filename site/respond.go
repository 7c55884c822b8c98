package site

import (
	"net/http"
	"strings"
)

// safeName makes name fit a Content-Disposition filename parameter: quotes,
// backslashes and control characters become "_".
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, name)
}

// ServePDF answers with a PDF (from PDF.Bytes) that the browser shows,
// named name when saved.
func ServePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+safeName(name)+`"`)
	w.Write(b)
}

// ServeICS answers with an iCalendar file (RFC 5545: booking.EventICS, booking.FeedICS)
// that the browser offers to save or open in a calendar, named name.
func ServeICS(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeName(name)+`"`)
	w.Write(b)
}
