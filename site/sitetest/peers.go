package sitetest

import (
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/testclock"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/internal/vnu"
)

// DatabaseURL returns the PostgreSQL URL in GRUNNMUR_TEST_DATABASE_URL.
// Without it the test is skipped, with a message that says what to install;
// when GRUNNMUR_REQUIRE_PEERS is set (as in CI) it fails instead, so that a
// run never passes because PostgreSQL went missing. (postgres/postgrestest
// gives a fresh schema per test on top of it.)
func DatabaseURL(t testing.TB) string {
	t.Helper()
	return testenv.DatabaseURL(t)
}

// Page is one HTML document as the server sent it, for ValidHTML.
type Page struct {
	// Name names the page in the errors ("saker-1.html").
	Name string
	HTML []byte
}

// ValidHTML checks pages with the W3C Nu Html Checker in one run (a JVM
// takes seconds to start: collect the pages, then check them) and fails t
// on each error, naming the page, the line and the message. It needs Java
// and the checker's jar (installed by npm at the module root, or the path in
// GRUNNMUR_VNU_JAR); without them the test is skipped, or fails under
// GRUNNMUR_REQUIRE_PEERS. A Journey checks its pages by itself.
func ValidHTML(t testing.TB, pages ...Page) {
	t.Helper()
	vp := make([]vnu.Page, len(pages))
	for i, p := range pages {
		vp[i] = vnu.Page{Name: p.Name, HTML: p.HTML}
	}
	vnu.Require(t, vp)
}

// Text is a kind of text a citizen can type that a font, a format or a
// store cannot simply take.
type Text struct{ Name, Text string }

// Texts are the hard texts (emoji, CJK, right-to-left, combining marks,
// control characters, bidi overrides, invalid UTF-8, private use, a long
// word): test every free-text field that reaches a letter, a receipt or an
// extract with each of them.
func Texts() []Text {
	out := make([]Text, len(testenv.Texts))
	for i, tx := range testenv.Texts {
		out[i] = Text{tx.Name, tx.Text}
	}
	return out
}

// Oslo parses s, RFC 3339 with Oslo's UTC offset at that instant
// ("2026-12-06T23:30:00+01:00"), into Oslo time. A wrong offset fails t: a
// test that means 23:30 in Oslo says so in a way that cannot drift.
func Oslo(t testing.TB, s string) time.Time {
	t.Helper()
	return testclock.Oslo(t, s)
}

// Clock is a service's clock for a test: it starts at at and runs on with
// the machine's, so that timeouts and waits behave, while the day, the hour
// and the time zone are the test's (Now is given in time.Local, to show that
// nothing reads the machine's zone).
func Clock(at time.Time) func() time.Time { return testclock.Advancing(at) }

// ClockAt is Clock(Oslo(t, s)).
func ClockAt(t testing.TB, s string) func() time.Time {
	t.Helper()
	return testclock.At(t, s)
}

// Edge is an instant where a service's date and time handling tends to
// break.
type Edge struct {
	Name string
	// At is RFC 3339 with Oslo's offset then; Oslo parses it.
	At string
}

// Edges are the instants a service's journey should pass at: Sunday 23:30
// (the first: the usual pinned clock), 20 s before the clocks go forward
// and back, New Year's Eve 23:50 and Easter Monday.
func Edges() []Edge {
	out := make([]Edge, len(testclock.Edges))
	for i, e := range testclock.Edges {
		out[i] = Edge{e.Name, e.At}
	}
	return out
}

// EdgeAt is the edge of that name as a time in Oslo; an unknown name fails
// t.
func EdgeAt(t testing.TB, name string) time.Time {
	t.Helper()
	return testclock.EdgeAt(t, name)
}
