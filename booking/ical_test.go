package booking_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/grunnmur/grunnmur/booking"
)

func decode(t *testing.T, b []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse our output: %v\n%s", err, b)
	}
	return cal
}

func checkLines(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("output does not end in CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d was folded inside a UTF-8 sequence: %q", i+1, line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF", i+1)
		}
	}
}

func TestEventICS(t *testing.T) {
	title := "Befaring, skjenkebevilling; Kafé «Ærlig & Søt» – Østre gate 12\\B\nInngang i bakgården. " + strings.Repeat("æøå", 30)
	res := &booking.Resource{ID: "officer-1", Name: "Saksbehandler, Næringsetaten"}
	r := &booking.Reservation{
		ID: "b-1", ResourceID: res.ID, Title: title, State: booking.Confirmed,
		Start: time.Date(2026, 3, 29, 10, 0, 0, 0, oslo), End: time.Date(2026, 3, 29, 11, 0, 0, 0, oslo),
	}
	stamp := time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)
	out := booking.EventICS(r, res, stamp)
	checkLines(t, out)
	cal := decode(t, out)
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	summary, err := ev.Props.Text(ical.PropSummary)
	if err != nil || summary != title {
		t.Errorf("SUMMARY round trip:\n got %q\nwant %q (%v)", summary, title, err)
	}
	start, err := ev.DateTimeStart(nil)
	if err != nil || !start.Equal(r.Start) {
		t.Errorf("DTSTART %s, want %s (%v)", start, r.Start, err)
	}
	if ev.Props.Get(ical.PropDateTimeStart).Params.Get(ical.ParamTimezoneID) != "Europe/Oslo" {
		t.Error("DTSTART has no TZID=Europe/Oslo")
	}
	end, _ := ev.DateTimeEnd(nil)
	if !end.Equal(r.End) {
		t.Errorf("DTEND %s, want %s", end, r.End)
	}
	if st, _ := ev.Status(); st != ical.EventConfirmed {
		t.Errorf("STATUS %s", st)
	}
	if uid, _ := ev.Props.Text(ical.PropUID); uid != "b-1@grunnmur" {
		t.Errorf("UID %q", uid)
	}
	var tz *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			tz = c
		}
	}
	if tz == nil || tz.Props.Get(ical.PropTimezoneID).Value != "Europe/Oslo" || len(tz.Children) != 2 {
		t.Fatalf("no VTIMEZONE for Europe/Oslo with DAYLIGHT and STANDARD")
	}
	// Re-encoding with go-ical validates the structure too.
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		t.Fatalf("go-ical refuses to re-encode our calendar: %v", err)
	}
}

func TestFeedSeriesAcrossDSTWithExdate(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 16, 8, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := &booking.Resource{ID: "hall", Name: "Idrettshall A", Hours: booking.EveryDay(booking.Span{From: booking.At(8, 0), To: booking.At(22, 0)})}
	svc.PutResource(ctx, r)
	first := time.Date(2026, 3, 18, 18, 0, 0, 0, oslo) // Wednesday before DST
	skip := time.Date(2026, 4, 1, 18, 0, 0, 0, oslo)
	rs, err := svc.BookSeries(ctx, booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: r.ID, Owner: "klubb-7", Start: first, Title: "Trening, håndball"},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 6, Except: []time.Time{skip}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 5 {
		t.Fatalf("%d occurrences, want 5 (6 minus one exception)", len(rs))
	}
	// Cancel one and move another: both must leave the rule as EXDATEs.
	if _, err := svc.Cancel(ctx, rs[1].ID, ""); err != nil {
		t.Fatal(err)
	}
	moved, err := svc.Reschedule(ctx, rs[2].ID, time.Date(2026, 4, 9, 19, 0, 0, 0, oslo), "")
	if err != nil {
		t.Fatal(err)
	}
	feed, tok, _ := svc.NewFeed(ctx, "klubb-7", "")
	_ = feed
	out, err := svc.FeedCalendar(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, out)
	cal := decode(t, out)
	var master *ical.Event
	var others []ical.Event
	for _, ev := range cal.Events() {
		if ev.Props.Get(ical.PropRecurrenceRule) != nil {
			e := ev
			master = &e
		} else {
			others = append(others, ev)
		}
	}
	if master == nil || len(others) != 1 {
		t.Fatalf("want one recurring event and one moved occurrence:\n%s", out)
	}
	dtstart := master.Props.Get(ical.PropDateTimeStart)
	for _, ex := range master.Props.Values(ical.PropExceptionDates) {
		if ex.Params.Get(ical.ParamTimezoneID) != dtstart.Params.Get(ical.ParamTimezoneID) || len(ex.Value) != len(dtstart.Value) {
			t.Errorf("EXDATE %s;%v is not in the form of DTSTART %s;%v", ex.Value, ex.Params, dtstart.Value, dtstart.Params)
		}
	}
	set, err := master.RecurrenceSet(oslo)
	if err != nil {
		t.Fatal(err)
	}
	got := set.All()
	var want []time.Time
	for _, x := range rs {
		if x.ID != rs[1].ID && x.ID != rs[2].ID {
			want = append(want, x.Start)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("go-ical expands %d occurrences %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			t.Errorf("occurrence %d: go-ical %s, we %s", i, got[i], want[i])
		}
		if got[i].In(oslo).Hour() != 18 {
			t.Errorf("occurrence %d is at %s, not 18:00 in Oslo", i, got[i].In(oslo))
		}
	}
	ms, _ := others[0].DateTimeStart(nil)
	if !ms.Equal(moved.Start) {
		t.Errorf("moved occurrence at %s, want %s", ms, moved.Start)
	}
}

func TestFeedTokenRedacts(t *testing.T) {
	tok := booking.FeedTokenFrom("s3cr3t-token-value")
	var b strings.Builder
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		b.WriteString(fmtSprintf(f, tok))
		b.WriteString(fmtSprintf(f, struct{ T booking.FeedToken }{tok}))
	}
	h := slog.New(slog.NewJSONHandler(&b, nil))
	h.Info("feed", "tok", tok, "in", struct{ T booking.FeedToken }{tok})
	slog.New(slog.NewTextHandler(&b, nil)).Info("feed", "tok", tok)
	j, err := json.Marshal(map[string]any{"tok": tok, "in": struct{ T booking.FeedToken }{tok}})
	if err != nil {
		t.Fatal(err)
	}
	b.Write(j)
	if strings.Contains(b.String(), "s3cr3t") {
		t.Fatalf("token leaks: %s", b.String())
	}
	if got := fmtSprintf("%v", tok); got != "[redacted]" {
		t.Fatalf("%%v = %q, want [redacted] like secret.Value", got)
	}
	if !tok.Equal(booking.FeedTokenFrom("s3cr3t-token-value")) || tok.Equal(booking.FeedTokenFrom("s3cr3t-token-valuf")) {
		t.Fatal("Equal")
	}
	if u := booking.FeedURL("https://kommune.no/booking/feed/", tok); u != "https://kommune.no/booking/feed/s3cr3t-token-value.ics" {
		t.Fatalf("FeedURL: %s", u)
	}
}
