package ident_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
)

// TestSkatteetatenVectors runs every row of Skatteetaten's official test
// vectors (testdata/skatteetaten/SOURCE.txt).
func TestSkatteetatenVectors(t *testing.T) {
	path := filepath.Join("testdata", "skatteetaten", "skatteetaten-foedselsnummer-testvektorer.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || rows[0][0] != "fødselsnummer" {
		t.Fatalf("unexpected header %v", rows[0])
	}
	for _, row := range rows[1:] {
		number, synthetic, valid, desc := row[0], row[1] == "true", row[2] == "true", row[3]
		t.Run(desc+"/"+number, func(t *testing.T) {
			got, err := ident.ParseFodselsnummer(number)
			if (err == nil) != valid {
				t.Fatalf("ParseFodselsnummer valid=%v, want %v (err %v)", err == nil, valid, err)
			}
			if !valid {
				return
			}
			if got.Synthetic() != synthetic {
				t.Errorf("Synthetic() = %v, want %v", got.Synthetic(), synthetic)
			}
			if got.Reveal() != number {
				t.Errorf("Reveal() = %q, want %q", got.Reveal(), number)
			}
			wantRule := ident.Rule1964
			if strings.Contains(desc, "2032") {
				wantRule = ident.Rule2032
			}
			if got.Rule() != wantRule {
				t.Errorf("Rule() = %v, want %v", got.Rule(), wantRule)
			}
			if strings.Contains(desc, "D-nummer") != got.Kinds().Has(ident.KindDnr) {
				t.Errorf("Kinds() = %v for %q", got.Kinds(), desc)
			}
		})
	}
}

func TestParseFodselsnummer(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		err   error
		kinds ident.Kind
		rule  ident.Rule
		birth string // YYYY-MM-DD
	}{
		{"ordinary 1969", "20036914700", nil, ident.KindFnr, ident.Rule1964, "1969-03-20"},
		{"with space", "200369 14700", nil, ident.KindFnr, ident.Rule1964, "1969-03-20"},
		{"surrounding space", " 20036914700\n", nil, ident.KindFnr, ident.Rule1964, "1969-03-20"},
		{"2032 rule", "30108299939", nil, ident.KindFnr, ident.Rule2032, "1982-10-30"},
		{"D-nummer 2032 rule", "55102499947", nil, ident.KindDnr, ident.Rule2032, "2024-10-15"},
		{"Tenor synthetic", "03851598730", nil, ident.KindFnr | ident.KindTnr, ident.Rule1964, "2015-05-03"},
		{"synthetic D-nummer", "41819077906", nil, ident.KindDnr | ident.KindTnr, ident.Rule2032, "1990-01-01"},
		{"H-nummer", hnr(t), nil, ident.KindFnr | ident.KindHnr, 0, "1990-01-01"},
		{"leap day in leap year 2000", "29020073150", nil, ident.KindFnr, ident.Rule1964, "2000-02-29"},
		{"leap day in 1996", leap(t, 1996), nil, ident.KindFnr | ident.KindTnr, ident.Rule1964, "1996-02-29"},
		{"leap day in non-leap year 2001", "29020105729", ident.ErrDate, 0, 0, ""},
		{"31 April", mustChecksum(t, "310490123"), ident.ErrDate, 0, 0, ""},
		{"month 13", mustChecksum(t, "011390123"), ident.ErrDate, 0, 0, ""},
		{"day 0", mustChecksum(t, "000190123"), ident.ErrDate, 0, 0, ""},
		{"wrong second control digit", "20036914712", ident.ErrControlDigit, 0, 0, ""},
		{"wrong first control digit", "20036914790", ident.ErrControlDigit, 0, 0, ""},
		{"too short", "2003691470", ident.ErrLength, 0, 0, ""},
		{"too long", "200369147000", ident.ErrLength, 0, 0, ""},
		{"empty", "", ident.ErrLength, 0, 0, ""},
		{"letter", "2003691470X", ident.ErrNonDigit, 0, 0, ""},
		{"non-ASCII digit", "2003691470١", ident.ErrLength, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ident.ParseFodselsnummer(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				var pe *ident.ParseError
				if !errors.As(err, &pe) || pe.What != "fødselsnummer" {
					t.Fatalf("err %T is not a *ParseError for a fødselsnummer", err)
				}
				if len(tt.in) >= 11 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)[6:]) {
					t.Errorf("error %q shows the individual number", err)
				}
				if !got.IsZero() {
					t.Error("an invalid number gave a non-zero value")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kinds() != tt.kinds {
				t.Errorf("Kinds() = %v, want %v", got.Kinds(), tt.kinds)
			}
			if tt.rule != 0 && got.Rule() != tt.rule {
				t.Errorf("Rule() = %v, want %v", got.Rule(), tt.rule)
			}
			if bd := got.BirthDate(); bd.String() != tt.birth {
				t.Errorf("BirthDate() = %v, want %s", bd, tt.birth)
			}
		})
	}
}

// mustChecksum completes a 9-digit prefix with control digits that pass both
// checks, so that a test reaches the date check.
func mustChecksum(t *testing.T, prefix string) string {
	t.Helper()
	for k1 := range 10 {
		for k2 := range 10 {
			s := fmt.Sprintf("%s%d%d", prefix, k1, k2)
			_, err := ident.ParseFodselsnummer(s)
			if err == nil || errors.Is(err, ident.ErrDate) {
				return s
			}
		}
	}
	t.Fatalf("no control digits for %s", prefix)
	return ""
}

func leap(t *testing.T, year int) string {
	t.Helper()
	f, err := ident.Synthetic(civil.NewDate(year, 2, 29), 0)
	if err != nil {
		t.Fatal(err)
	}
	return f.Reveal()
}

// hnr builds an H-nummer (month+40) for 1 January 1990.
func hnr(t *testing.T) string {
	t.Helper()
	return mustChecksum(t, "014190123")
}

func TestLeapDays(t *testing.T) {
	for _, tt := range []struct {
		year  int
		valid bool
	}{{1996, true}, {1997, false}, {2000, true}, {2004, true}, {2023, false}, {2024, true}} {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			// An ordinary number: individual numbers 000-499 are 1900-1999,
			// 500-999 are 2000-2039.
			ind := "123"
			if tt.year >= 2000 {
				ind = "512"
			}
			s := mustChecksum(t, fmt.Sprintf("2902%02d%s", tt.year%100, ind))
			_, err := ident.ParseFodselsnummer(s)
			if tt.valid && err != nil {
				t.Fatalf("29 February %d refused: %v", tt.year, err)
			}
			if !tt.valid && !errors.Is(err, ident.ErrDate) {
				t.Fatalf("29 February %d: err = %v, want ErrDate", tt.year, err)
			}
		})
	}
}

func TestCentury(t *testing.T) {
	for _, tt := range []struct {
		prefix string
		year   int
	}{
		{"010190123", 1990}, // 000-499: 1900s
		{"010160623", 1860}, // 500-749, year >= 54: 1800s
		{"010110623", 2010}, // 500-999, year <= 39: 2000s
		{"010139923", 2039},
		{"010160923", 1960}, // 900-999, year >= 40: 1900s
	} {
		s := mustChecksum(t, tt.prefix)
		f, err := ident.ParseFodselsnummer(s)
		if err != nil {
			t.Fatalf("%s: %v", tt.prefix, err)
		}
		if bd := f.BirthDate(); bd.Year != tt.year {
			t.Errorf("%s: birth year %d, want %d", tt.prefix, bd.Year, tt.year)
		}
	}
}

func TestSynthetic(t *testing.T) {
	seen := map[ident.Fodselsnummer]bool{}
	birth := civil.NewDate(1985, 7, 14)
	for n := range 50 {
		f, err := ident.Synthetic(birth, n)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ident.ParseFodselsnummer(f.Reveal())
		if err != nil || again != f {
			t.Fatalf("Synthetic gave %s, which does not parse back: %v", f, err)
		}
		if !f.Kinds().Has(ident.KindTnr) || !f.Synthetic() {
			t.Errorf("Kinds() = %v, want a Tenor number", f.Kinds())
		}
		if bd := f.BirthDate(); bd != birth {
			t.Errorf("BirthDate() = %v, want %v", bd, birth)
		}
		if seen[f] {
			t.Fatalf("index %d repeats a number", n)
		}
		seen[f] = true
	}
	if _, err := ident.Synthetic(civil.NewDate(1899, 1, 1), 0); err == nil {
		t.Error("a birth year before 1900 was accepted")
	}
	for _, bad := range []civil.Date{{}, {Year: 1985, Month: 2, Day: 29}, {Year: 1985, Month: 13, Day: 1}} {
		if _, err := ident.Synthetic(bad, 0); err == nil {
			t.Errorf("Synthetic(%q) accepted a date that does not exist", bad)
		}
	}
	if _, err := ident.Synthetic(birth, 1000); err == nil {
		t.Error("an index beyond the individual numbers was accepted")
	}
}

// TestNoLeak checks that the digits after the date never show: printed
// directly and inside structs (exported and unexported fields), with every
// fmt verb, and through slog's text and JSON handlers.
func TestNoLeak(t *testing.T) {
	f := ident.MustParseFodselsnummer("20036914700")
	const secret = "14700"
	type applicant struct {
		Name string
		FNR  ident.Fodselsnummer
		fnr  ident.Fodselsnummer
		Ptr  *ident.Fodselsnummer
	}
	a := applicant{Name: "Kari", FNR: f, fnr: f, Ptr: &f}
	var outputs []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%T"} {
		outputs = append(outputs, fmt.Sprintf(format, f), fmt.Sprintf(format, a), fmt.Sprintf(format, &a), fmt.Sprintf(format, []any{f}))
	}
	outputs = append(outputs, fmt.Sprint(f), fmt.Sprintln(a), f.String())
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("direct", "fnr", f)
		l.Info("struct", "applicant", a)
		l.Info("pointer", "applicant", &a)
		l.Info("group", slog.Group("g", "fnr", f))
		l.Info("any", slog.Any("fnr", f))
	}
	outputs = append(outputs, buf.String())
	js, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(js))
	for _, out := range outputs {
		if strings.Contains(out, secret) {
			t.Errorf("output shows the individual number: %s", out)
		}
	}
	if !strings.Contains(buf.String(), "200369*****") {
		t.Errorf("slog output lacks the redacted form:\n%s", buf.String())
	}
	if got := fmt.Sprintf("%#v", f); got != `ident.Fodselsnummer("200369*****")` {
		t.Errorf("%%#v = %s", got)
	}
}

func TestJSON(t *testing.T) {
	var v struct {
		FNR ident.Fodselsnummer `json:"fnr"`
	}
	if err := json.Unmarshal([]byte(`{"fnr":"20036914700"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.FNR.Reveal() != "20036914700" {
		t.Fatalf("decoded %s", v.FNR)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"fnr":"200369*****"}` {
		t.Errorf("MarshalJSON = %s", out)
	}
	// A redacted value must not decode back into a number.
	if err := json.Unmarshal(out, &v); err == nil {
		t.Error("a redacted number decoded")
	}
	for _, in := range []string{`{"fnr":null}`, `{"fnr":""}`} {
		v.FNR = ident.MustParseFodselsnummer("20036914700")
		if err := json.Unmarshal([]byte(in), &v); err != nil || !v.FNR.IsZero() {
			t.Errorf("%s: got %v, %v; want the zero value", in, v.FNR, err)
		}
	}
	if err := json.Unmarshal([]byte(`{"fnr":20036914700}`), &v); err == nil {
		t.Error("a JSON number decoded")
	}
}

func TestZeroValue(t *testing.T) {
	var f ident.Fodselsnummer
	if !f.IsZero() || f.String() != "" || f.Reveal() != "" || f.Kinds() != 0 || f.Synthetic() || f.Rule() != 0 {
		t.Errorf("zero value is not empty: %q %q %v", f.String(), f.Reveal(), f.Kinds())
	}
	if !f.BirthDate().IsZero() {
		t.Error("zero value has a birth date")
	}
}

func FuzzParseFodselsnummer(f *testing.F) {
	for _, s := range []string{"20036914700", "30108299939", "55102499947", "41819077906", "29020105729", "", "abc", "200369 14700", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ident.ParseFodselsnummer(s)
		if err != nil {
			var pe *ident.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if !got.IsZero() {
				t.Fatal("error with a non-zero value")
			}
			return
		}
		d := got.Reveal()
		if len(d) != 11 || got.String() != d[:6]+"*****" {
			t.Fatalf("bad round trip %q -> %q / %q", s, d, got.String())
		}
		again, err := ident.ParseFodselsnummer(d)
		if err != nil || again != got {
			t.Fatalf("Reveal() %q does not parse back: %v", d, err)
		}
		if bd := got.BirthDate(); !bd.IsValid() {
			t.Fatal("valid number without a birth date")
		}
		if got.Rule() == 0 || got.Kinds() == 0 {
			t.Fatal("valid number without rule or kinds")
		}
	})
}

var sink ident.Fodselsnummer

func BenchmarkParseFodselsnummer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f, err := ident.ParseFodselsnummer("20036914700")
		if err != nil {
			b.Fatal(err)
		}
		sink = f
	}
}
