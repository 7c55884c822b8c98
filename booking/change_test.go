package booking_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/internal/testclock"
)

// changeLog records what a Service reports to OnChange, as
// "from>to:n" lines.
type changeLog struct {
	mu  sync.Mutex
	got []string
}

func (l *changeLog) on(_ context.Context, c booking.Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, fmt.Sprintf("%s>%s:%d", c.From, c.To, len(c.Reservations)))
}

func (l *changeLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(l.got, " ")
	l.got = nil
	return s
}

// TestOnChange: each stored hold, confirmation and cancellation is
// reported once per call, a series' occurrences together, a cancellation
// with the state it ended; nothing refused is reported.
func TestOnChange(t *testing.T) {
	ctx := context.Background()
	now := testclock.Oslo(t, "2026-12-06T23:30:00+01:00") // a Sunday night
	var log changeLog
	svc := &booking.Service{Now: func() time.Time { return now }, OnChange: log.on, MaxOpenSeries: -1}
	if err := svc.PutResource(ctx, &booking.Resource{ID: "hall", Name: "Hall", Capacity: 1, Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)}), CancelDeadline: 48 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 9, 18, 0, 0, 0, now.Location()) // Wednesday
	one, err := svc.Hold(ctx, booking.HoldInput{ResourceID: "hall", Owner: "o", Start: start, Key: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: "hall", Owner: "p", Start: start}); err == nil {
		t.Fatal("a taken slot held twice")
	}
	if got := log.take(); got != ">held:1" {
		t.Fatalf("after a hold and a refused one: %q", got)
	}
	if _, err := svc.Confirm(ctx, one.ID, "pay-1"); err != nil {
		t.Fatal(err)
	}
	if got := log.take(); got != "held>confirmed:1" {
		t.Fatalf("after Confirm: %q", got)
	}

	series, err := svc.HoldSeries(ctx, booking.SeriesInput{HoldInput: booking.HoldInput{ResourceID: "hall", Owner: "o",
		Start: start.Add(2 * time.Hour), Key: "s1"}, Rule: booking.Recurrence{Freq: booking.Weekly, Count: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if got := log.take(); got != ">held:3" {
		t.Fatalf("after HoldSeries: %q", got)
	}
	confirmed, err := svc.ConfirmSeries(ctx, series[:2], "pay-2")
	if err != nil {
		t.Fatal(err)
	}
	if got := log.take(); got != "held>confirmed:2" {
		t.Fatalf("after ConfirmSeries: %q", got)
	}
	done, err := svc.CancelSeries(ctx, append(slices.Clone(confirmed), series[2]), "cancel/")
	if err != nil || len(done) != 3 {
		t.Fatalf("CancelSeries: %d, %v", len(done), err)
	}
	if got := log.take(); got != "held>cancelled:1 confirmed>cancelled:2" {
		t.Fatalf("after CancelSeries: %q", got)
	}
	if _, err := svc.Cancel(ctx, one.ID, "cancel/"+one.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cancel(ctx, one.ID, "cancel/"+one.ID); err != nil {
		t.Fatal(err)
	}
	if got := log.take(); got != "confirmed>cancelled:1 cancelled>cancelled:1" {
		t.Fatalf("after Cancel and its retry: %q", got)
	}
	if _, err := svc.Book(ctx, booking.HoldInput{ResourceID: "hall", Owner: "o", Start: start.Add(time.Hour), Key: "b"}); err != nil {
		t.Fatal(err)
	}
	if got := log.take(); got != ">held:1 held>confirmed:1" {
		t.Fatalf("after Book: %q", got)
	}
}
