package main

import (
	"strings"
	"testing"
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
		{[]string{"holidays"}, exitUsage},
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
