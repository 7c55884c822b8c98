package svarut

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestErrorShape: each status unwraps to its sentinel and only to it, and
// Temporary is true for 429, 5xx and no answer.
func TestErrorShape(t *testing.T) {
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrNotFound, ErrConflict, ErrTooLarge, ErrRateLimited, ErrServer}
	for _, c := range []struct {
		status    int
		want      error
		temporary bool
	}{
		{400, ErrBadRequest, false}, {422, ErrBadRequest, false}, {401, ErrUnauthorized, false},
		{403, ErrUnauthorized, false}, {404, ErrNotFound, false}, {410, ErrNotFound, false},
		{409, ErrConflict, false}, {413, ErrTooLarge, false}, {429, ErrRateLimited, true},
		{500, ErrServer, true}, {503, ErrServer, true}, {418, nil, false},
	} {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			e := parseError(c.status, http.Header{"X-Request-Id": {"req-1"}}, []byte(`{"errorCode":"X","message":"m"}`))
			if e.Status != c.status || e.Code != "X" || e.Message != "m" || e.RequestID != "req-1" || e.Temporary() != c.temporary {
				t.Fatalf("%+v temporary %v", *e, e.Temporary())
			}
			for _, s := range sentinels {
				if errors.Is(e, s) != (s == c.want) {
					t.Errorf("errors.Is(%d, %v) = %v", c.status, s, !(s == c.want))
				}
			}
		})
	}
	// errorId in the body wins over a proxy's header.
	if e := parseError(500, http.Header{"X-Request-Id": {"req-1"}}, []byte(`{"errorId":"err-2"}`)); e.RequestID != "err-2" {
		t.Fatalf("RequestID %q", e.RequestID)
	}
	// No answer: temporary, and the transport's error stays reachable.
	e := transportError("GET /api/v2/forsendelsestyper", context.DeadlineExceeded)
	if e.Status != 0 || !e.Temporary() || !errors.Is(e, context.DeadlineExceeded) || errors.Is(e, ErrServer) ||
		!strings.HasPrefix(e.Error(), "svarut: no answer") {
		t.Fatalf("transport error: %v", e)
	}
}

// TestParseErrorMasksNumbers: a number the server echoes is masked in
// every field an error string or a log line shows.
func TestParseErrorMasksNumbers(t *testing.T) {
	const fnr = "20036914700"
	e := parseError(400, nil, []byte(`{"message":"Ugyldig mottaker `+fnr+`","errorCode":"`+fnr+
		`","errorId":"`+fnr+`","path":"/x/`+fnr+`","error":"`+fnr+`","errorJson":"{\"mottaker\":\"`+fnr+`\",\"n\":`+fnr+`}"}`))
	if !json.Valid(e.ErrorJSON) {
		t.Fatalf("errorJson is no longer JSON: %s", e.ErrorJSON)
	}
	for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), e.Path, e.RequestID, e.Code, string(e.ErrorJSON)} {
		if strings.Contains(s, fnr) {
			t.Fatalf("error leaks: %s", s)
		}
	}
}
