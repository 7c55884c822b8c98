package notify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/notify"
)

func TestParsePhone(t *testing.T) {
	for in, want := range map[string]string{
		"91234567":         "+4791234567",
		"912 34 567":       "+4791234567",
		"+47 412 34 567":   "+4741234567",
		"0047 91234567":    "+4791234567",
		"+46 70 123 45 67": "+46701234567",
		" +4791234567 ":    "+4791234567",
	} {
		got, err := notify.ParsePhone(in)
		if err != nil || got.Reveal() != want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %s", in, got.Reveal(), err, want)
		}
	}
	for _, in := range []string{"", "abc", "1234", "12345", "22 22 22 22" /* fixed line in Oslo */, "+47 812 34 567", "9123456789012345678", "+999 1234", "\x00", "9123\n4567"} {
		_, err := notify.ParsePhone(in)
		if !errors.Is(err, notify.ErrInvalidPhone) {
			t.Errorf("ParsePhone(%q) = %v, want ErrInvalidPhone", in, err)
		}
		if err != nil && len(in) > 3 && strings.Contains(err.Error(), strings.TrimSpace(in)) {
			t.Errorf("the error holds the number: %v", err)
		}
	}
}

func TestParseEmail(t *testing.T) {
	for _, in := range []string{"ola@example.no", "ola.nordmann+sak@kommune.oslo.no", "Åse@bø.no"} {
		if got, err := notify.ParseEmail(in); err != nil || got.Reveal() != in {
			t.Errorf("ParseEmail(%q) = %v", in, err)
		}
	}
	for _, in := range []string{"", "ola", "Ola <ola@example.no>", "ola@localhost", "a@b.no\r\nBcc: x@y.no", "a@@b.no", strings.Repeat("a", 250) + "@b.no"} {
		if _, err := notify.ParseEmail(in); !errors.Is(err, notify.ErrInvalidEmail) {
			t.Errorf("ParseEmail(%q) = %v, want ErrInvalidEmail", in, err)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"91234567", "+47 412 34 567", "0047", "+", "++4791234567", "٩١٢٣٤٥٦٧", "+46 70 123 45 67 ext. 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := notify.ParsePhone(s)
		if err != nil {
			if !errors.Is(err, notify.ErrInvalidPhone) {
				t.Fatalf("untyped %v", err)
			}
			return
		}
		e := a.Reveal()
		if !strings.HasPrefix(e, "+") || len(e) < 8 || len(e) > 16 || strings.Trim(e[1:], "0123456789") != "" {
			t.Fatalf("%q is not E.164", e)
		}
		again, err := notify.ParsePhone(e)
		if err != nil || again != a {
			t.Fatalf("E.164 %q does not parse to itself: %v", e, err)
		}
	})
}
