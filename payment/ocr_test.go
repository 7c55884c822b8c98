package payment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/payment"
)

// ocrFile builds an OCR Giro file with one transaction per KID and amount.
func ocrFile(kids []string, amounts []int64) string {
	var b strings.Builder
	b.WriteString("NY000010" + "00008080" + "0170604" + "00012345" + strings.Repeat("0", 49) + "\n")
	b.WriteString("NY090020" + "001234567" + "4000086" + "98765432109" + strings.Repeat("0", 45) + "\n")
	for i, kid := range kids {
		no := fmt.Sprintf("%07d", i+1)
		b.WriteString("NY091330" + no + "251026" + "01" + "25" + "1" + "00001" + "0" + fmt.Sprintf("%017d", amounts[i]) + fmt.Sprintf("%25s", kid) + "000000\n")
		b.WriteString("NY091331" + no + "0000000000" + fmt.Sprintf("%09d", 700+i) + "0000000" + "241026" + "12345678903" + strings.Repeat("0", 22) + "\n")
	}
	b.WriteString("NY090088" + strings.Repeat("0", 72) + "\n")
	b.WriteString("NY000089" + strings.Repeat("0", 72) + "\n")
	return b.String()
}

func TestParseOCRAndBook(t *testing.T) {
	ctx := context.Background()
	inv := &payment.Invoicing{}
	svc := &payment.Service{Provider: inv}
	a, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000500/gebyr", Amount: 430000, Description: "Gebyr"})
	b, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000501/gebyr", Amount: 10000, Description: "Gebyr"})
	file := ocrFile([]string{a.KID, b.KID}, []int64{430000, 4000})
	for _, l := range strings.Split(strings.TrimSpace(file), "\n") {
		if len(l) != 80 {
			t.Fatalf("test file line of %d characters: %q", len(l), l)
		}
	}
	pays, err := payment.ParseOCR(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(pays) != 2 || pays[0].KID != a.KID || pays[0].Amount != 430000 || pays[1].Amount != 4000 ||
		pays[0].Date.Format("2006-01-02") != "2026-10-24" || pays[0].BankReference != "20261024-000000700-0000001" {
		t.Fatalf("parsed: %+v", pays)
	}
	for range 2 { // the same file twice books once
		for _, p := range pays {
			if _, err := inv.Register(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := svc.RunOnce(ctx); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	a, _ = svc.Get(ctx, a.Reference)
	b, _ = svc.Get(ctx, b.Reference)
	if a.State != payment.Captured || b.State != payment.PartiallyCaptured || b.Aggregate.Captured != 4000 {
		t.Fatalf("booked: %s, %s %s", a.State, b.State, b.Aggregate.Captured)
	}
}

func TestParseOCRErrors(t *testing.T) {
	good := ocrFile([]string{"000000018"}, []int64{100})
	lines := strings.Split(strings.TrimSpace(good), "\n")
	set := func(i int, l string) string {
		c := append([]string(nil), lines...)
		c[i] = l
		return strings.Join(c, "\n")
	}
	for name, f := range map[string]string{
		"short line":      set(2, lines[2][:79]),
		"not NY":          set(2, "XY"+lines[2][2:]),
		"bad service":     set(2, "NY21"+lines[2][4:]),
		"bad record type": set(2, lines[2][:6]+"77"+lines[2][8:]),
		"bad amount":      set(2, lines[2][:32]+"0000000000000000x"+lines[2][49:]),
		"bad sign":        set(2, lines[2][:31]+"+"+lines[2][32:]),
		"empty KID":       set(2, lines[2][:49]+strings.Repeat(" ", 25)+lines[2][74:]),
		"item 2 missing":  strings.Join(append(lines[:3:3], lines[4:]...), "\n"),
		"item 2 alone":    strings.Join(append(lines[:2:2], lines[3:]...), "\n"),
		"other number":    set(3, lines[3][:8]+"0000009"+lines[3][15:]),
		"not ASCII":       set(2, lines[2][:60]+"ø"+lines[2][62:]),
	} {
		_, err := payment.ParseOCR(strings.NewReader(f))
		var oe *payment.OCRError
		if !errors.As(err, &oe) || !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParseOCR(f *testing.F) {
	f.Add(ocrFile([]string{"000000018", "12345678903"}, []int64{100, 99999}))
	f.Add("NY000010" + strings.Repeat("0", 72))
	f.Fuzz(func(t *testing.T, s string) {
		pays, err := payment.ParseOCR(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, payment.ErrInvalid) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, p := range pays {
			if p.KID == "" || p.BankReference == "" || p.Date.IsZero() {
				t.Fatalf("incomplete payment %+v", p)
			}
		}
	})
}
