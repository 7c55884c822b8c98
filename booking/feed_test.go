package booking_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
)

func TestFeedHandler(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 20, 9, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := &booking.Resource{ID: "room", Name: "Rom 1", Hours: booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(16, 0)})}
	svc.PutResource(ctx, r)
	if _, err := svc.Book(ctx, booking.HoldInput{ResourceID: "room", Owner: "a", Start: time.Date(2026, 3, 23, 9, 0, 0, 0, oslo)}); err != nil {
		t.Fatal(err)
	}
	f, tok, err := svc.NewFeed(ctx, "", "room")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /booking/feed/", http.StripPrefix("/booking/feed", svc.FeedHandler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(u string) (int, string, string) {
		resp, err := srv.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	u := booking.FeedURL(srv.URL+"/booking/feed/", tok)
	code, ct, body := get(u)
	if code != 200 || !strings.HasPrefix(ct, "text/calendar") || !strings.Contains(body, "BEGIN:VEVENT") || !strings.Contains(body, "X-WR-CALNAME:Rom 1") {
		t.Fatalf("GET feed: %d %s\n%s", code, ct, body)
	}
	if code, _, _ := get(srv.URL + "/booking/feed/guessed.ics"); code != 404 {
		t.Fatalf("guessed token: %d", code)
	}
	svc.RevokeFeed(ctx, f.ID)
	if code, _, _ := get(u); code != 404 {
		t.Fatalf("revoked token: %d", code)
	}
}

// A struct holding a FeedToken, logged or encoded as JSON, must not carry it.
func TestFeedTokenNeverMarshals(t *testing.T) {
	svc := &booking.Service{}
	_, tok, err := svc.NewFeed(context.Background(), "", "room")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		Token booking.FeedToken
		Feeds map[string]booking.FeedToken
	}{tok, map[string]booking.FeedToken{"room": tok}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), tok.Reveal()) {
		t.Fatalf("JSON carries the token: %s", b)
	}
	if !strings.Contains(booking.FeedURL("https://kommune.example/feed", tok), tok.Reveal()) {
		t.Fatal("FeedURL lost the token")
	}
}
