package notify_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/notify"
)

// The published tables: a single GSM-7 SMS holds 160 septets and a part of a
// longer one 153; UCS-2 holds 70 and 67. æøå are in the GSM 03.38 default
// alphabet; ^{}\[~]|€ are in its extension table and take two septets.
func TestCountSegments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     string
		enc   notify.Encoding
		units int
		count int
	}{
		{"empty", "", notify.GSM7, 0, 0},
		{"short", "Hei", notify.GSM7, 3, 1},
		{"æøå", "Blåbærsyltetøy på Ærø", notify.GSM7, 21, 1},
		{"160 plain", strings.Repeat("a", 160), notify.GSM7, 160, 1},
		{"161 plain", strings.Repeat("a", 161), notify.GSM7, 161, 2},
		{"306 plain", strings.Repeat("å", 306), notify.GSM7, 306, 2},
		{"307 plain", strings.Repeat("å", 307), notify.GSM7, 307, 3},
		{"459", strings.Repeat("ø", 459), notify.GSM7, 459, 3},
		{"euro 80", strings.Repeat("€", 80), notify.GSM7, 160, 1},
		{"euro 81", strings.Repeat("€", 81), notify.GSM7, 162, 2},
		{"extension set", "^{}\\[~]|€\f", notify.GSM7, 20, 1},
		// 152 septets then an extension pair: the pair does not fit in the
		// first part's last septet and moves whole to the second part.
		{"pair not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10), notify.GSM7, 164, 2},
		{"pair not split 3", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), notify.GSM7, 306, 3},
		{"emoji", "Takk 👍", notify.UCS2, 7, 1},
		{"70 ucs2", "ä" + strings.Repeat("ж", 69), notify.UCS2, 70, 1},
		{"71 ucs2", strings.Repeat("ж", 71), notify.UCS2, 71, 2},
		{"134 ucs2", strings.Repeat("ж", 134), notify.UCS2, 134, 2},
		{"135 ucs2", strings.Repeat("ж", 135), notify.UCS2, 135, 3},
		{"35 emoji", strings.Repeat("😀", 35), notify.UCS2, 70, 1},
		{"36 emoji", strings.Repeat("😀", 36), notify.UCS2, 72, 2},
		// 33 emoji fill 66 units of a 67-unit part; the 34th would split its
		// surrogate pair, so 67 emoji (134 units) take three parts, not two.
		{"surrogate not split", strings.Repeat("😀", 67), notify.UCS2, 134, 3},
		{"euro makes no ucs2", "Gebyr € 500 {ok}", notify.GSM7, 19, 1},
		{"ç is gsm, ê is not", "Ç ê", notify.UCS2, 3, 1},
		{"sami", "Buorre beaivi, Čálli", notify.UCS2, 20, 1},
		{"tab is not gsm", "a\tb", notify.UCS2, 3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := notify.CountSegments(tc.s)
			if got.Encoding != tc.enc || got.Units != tc.units || got.Count != tc.count {
				t.Fatalf("CountSegments = %+v, want %s %d units %d segments", got, tc.enc, tc.units, tc.count)
			}
		})
	}
}

func FuzzCountSegments(f *testing.F) {
	for _, s := range []string{"", "Hei æøå", "€{}", "👍", strings.Repeat("a", 161), "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := notify.CountSegments(s)
		n := utf8.RuneCountInString(s)
		if got.Units < n || got.Units > 2*n {
			t.Fatalf("%d units for %d runes", got.Units, n)
		}
		single, part := 160, 153
		if got.Encoding == notify.UCS2 {
			single, part = 70, 67
		}
		switch {
		case got.Units == 0 && got.Count != 0, got.Units > 0 && got.Count < 1:
			t.Fatalf("%+v", got)
		case got.Units <= single && got.Units > 0 && got.Count != 1:
			t.Fatalf("%+v fits one segment", got)
		case got.Units > single && (got.Count < (got.Units+part-1)/part || got.Count > got.Units/(part-1)+1):
			t.Fatalf("%+v is off the 153/67 table", got)
		}
	})
}
