package grunnmur_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every time of day a citizen sees is written by i18n (Lang.Clock and
// Lang.Time, or Lang.Format with Lang.ClockPattern): "kl. 07.08" in nb and nn,
// "07:08" in English. A clock format anywhere else is a second way to write
// one.
func TestClockFormatInOnePlace(t *testing.T) {
	clock := regexp.MustCompile(`Format\("15[:.]04"\)|%02d[:.]%02d|HH[:.]mm["']`)
	allowed := map[string]string{
		"i18n/pattern.go":                    "the one place",
		"forms/dates.go":                     "forms' copy, removed when forms uses i18n (#16)",
		"booking/clock.go":                   "booking.Clock's wire format (JSON, the hall admin's opening hours), not a time shown",
		"booking/bookingtest/bookingtest.go": "test failure messages",
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		path = filepath.ToSlash(path)
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if _, ok := allowed[path]; ok {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := clock.FindString(line); m != "" && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d: %s: write times with i18n.Lang.Clock or i18n.Lang.Time", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
