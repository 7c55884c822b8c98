package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestHolidays2027(t *testing.T) {
	code, out, errs := runCLI(t, "holidays", "2027")
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	want := "2027-01-01\tNyttårsdag\n" +
		"2027-03-25\tSkjærtorsdag\n" +
		"2027-03-26\tLangfredag\n" +
		"2027-03-28\t1. påskedag\n" +
		"2027-03-29\t2. påskedag\n" +
		"2027-05-01\tOffentlig høytidsdag\n" +
		"2027-05-06\tKristi himmelfartsdag\n" +
		"2027-05-16\t1. pinsedag\n" +
		"2027-05-17\tGrunnlovsdag\n" +
		"2027-05-17\t2. pinsedag\n" +
		"2027-12-25\t1. juledag\n" +
		"2027-12-26\t2. juledag\n"
	if out != want {
		t.Fatalf("grunnmur holidays 2027:\n%s\nwant:\n%s", out, want)
	}
}

func TestHolidaysLanguages(t *testing.T) {
	for _, tc := range []struct{ lang, may1, may17 string }{
		{"nb", "Offentlig høytidsdag", "Grunnlovsdag"},
		{"nn", "Offentleg høgtidsdag", "Grunnlovsdag"},
		{"en", "Labour Day", "Constitution Day"},
		{"nn-NO", "Offentleg høgtidsdag", "Grunnlovsdag"}, // a regional tag, as i18n.Parse reads it
		{"en_GB", "Labour Day", "Constitution Day"},
	} {
		code, out, _ := runCLI(t, "holidays", "-lang", tc.lang, "2008")
		if code != exitOK {
			t.Fatalf("-lang %s: exit %d", tc.lang, code)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 12 {
			t.Fatalf("-lang %s: %d lines", tc.lang, len(lines))
		}
		// 1 May 2008 is also Ascension Day: two lines for one date.
		if lines[5] != "2008-05-01\t"+tc.may1 || !strings.HasPrefix(lines[6], "2008-05-01\t") {
			t.Errorf("-lang %s: %q / %q", tc.lang, lines[5], lines[6])
		}
		if !strings.Contains(out, "2008-05-17\t"+tc.may17+"\n") {
			t.Errorf("-lang %s: no %s", tc.lang, tc.may17)
		}
	}
}

func TestHolidaysBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"holidays", "2026", "2027"}, exitUsage},
		{[]string{"holidays", "-lang", "se", "2027"}, exitUsage},
		{[]string{"holidays", "-nope", "2027"}, exitUsage},
		{[]string{"holidays", "twenty"}, exitFail},
		{[]string{"holidays", "1200"}, exitFail},
	} {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
		}
		if out != "" || errs == "" {
			t.Errorf("%v: stdout %q, stderr %q: errors belong on stderr", tc.args, out, errs)
		}
	}
}

// TestHolidaysCurrentYear: without a year, the year is the current one in
// Norway, whatever the machine's zone.
func TestHolidaysCurrentYear(t *testing.T) {
	for _, tc := range []struct {
		now   time.Time
		first string
	}{
		{time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), "2026-01-01\t"},
		// 23:30 UTC on New Year's Eve is already 2027 in Oslo.
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-01-01\t"},
		// 00:30 on 1 January in Los Angeles is 09:30 the same day in Oslo.
		{time.Date(2031, 1, 1, 0, 30, 0, 0, mustZone(t, "America/Los_Angeles")), "2031-01-01\t"},
		// 00:30 in Kiritimati (UTC+14) on 1 January is still 31 December
		// in Oslo.
		{time.Date(2031, 1, 1, 0, 30, 0, 0, mustZone(t, "Pacific/Kiritimati")), "2030-01-01\t"},
	} {
		var out, errb bytes.Buffer
		code := run(stdio{in: strings.NewReader(""), out: &out, err: &errb, now: func() time.Time { return tc.now }}, []string{"holidays"})
		if code != exitOK || !strings.HasPrefix(out.String(), tc.first) || strings.Count(out.String(), "\n") < 10 {
			t.Errorf("at %v: exit %d, stdout %q, stderr %q; want the holidays from %q", tc.now, code, out.String(), errb.String(), tc.first)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
