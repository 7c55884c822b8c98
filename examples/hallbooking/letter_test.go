package main

import (
	"bytes"
	"context"
	"errors"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestLetterAnyHallName: the confirmation letter names the hall as its
// admin typed it; whatever that is (sitetest.Texts()), the letter is made,
// for the page and for the outbox.
func TestLetterAnyHallName(t *testing.T) {
	ctx := context.Background()
	a := newApp(t, func() time.Time { return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) })
	for _, tc := range sitetest.Texts() {
		t.Run(tc.Name, func(t *testing.T) {
			h, err := a.Bookings.Resource(ctx, "storhallen")
			if err != nil {
				t.Fatal(err)
			}
			h.Name = tc.Text
			if !utf8.ValidString(tc.Text) || strings.Contains(tc.Text, "\x00") {
				// No store keeps it; the letter gets what a cleaning
				// boundary would store.
				if err := a.Bookings.PutResource(ctx, h); !errors.Is(err, booking.ErrInvalidText) {
					t.Fatalf("a name no store can keep: %v, want booking.ErrInvalidText", err)
				}
				h.Name = strings.ReplaceAll(strings.ToValidUTF8(tc.Text, "\uFFFD"), "\x00", "")
			}
			if err := a.Bookings.PutResource(ctx, h); err != nil {
				t.Fatal(err)
			}
			b := holdSeries(t, a, "person-"+tc.Name, 2)
			var ids []string
			for _, r := range b.Reservations {
				if _, err := a.Bookings.Confirm(ctx, r.ID, "key-"+r.ID); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			if err := a.co.Reload(ctx, b); err != nil {
				t.Fatal(err)
			}
			pdf, err := a.letter(ctx, b, ids)
			if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("letter: %v", err)
			}
			rc, err := a.Letters.Documents.Open(ctx, svarut.Document{Ref: checkout.DocumentRef(b, ids)})
			if err != nil {
				t.Fatalf("the outbox's letter: %v", err)
			}
			defer rc.Close()
			if got, _ := io.ReadAll(rc); !strings.HasPrefix(string(got), "%PDF-") {
				t.Error("the outbox's letter is not a PDF")
			}
		})
	}
}
