package fakefault

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"
)

func TestDropGivesNoAnswer(t *testing.T) {
	reached := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Drop(w)
		reached = true
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("an answer came: %d", resp.StatusCode)
	}
	if reached {
		t.Fatal("Drop returned")
	}
}

func TestDropWithoutHijacker(t *testing.T) {
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler", r)
		}
	}()
	Drop(httptest.NewRecorder())
}

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if !Wait(context.Background(), time.Minute) || time.Since(start) != time.Minute {
			t.Fatal("Wait did not wait the minute")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start = time.Now()
		if Wait(ctx, time.Hour) || time.Since(start) != time.Second {
			t.Fatal("Wait outlived its context")
		}
	})
}
