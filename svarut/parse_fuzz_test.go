package svarut

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// The parsers of SvarUT's answers are unexported; their fuzz targets sit
// beside them, in the package.

func FuzzParseStatuses(f *testing.F) {
	f.Add([]byte(`{"statuser":[{"id":"d6b23522-ddf3-462a-8140-16e59e1f476d","sisteStatusEndring":"2023-01-01T11:33:55.008+01:00","status":"LEST"}]}`))
	f.Add([]byte(`{"statuser":[]}`))
	f.Add([]byte(`{"statuser":[{"status":"NY_STATUS","sisteStatusEndring":"x"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, err := parseStatuses(data)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) && !errors.Is(err, ErrUnknownStatus) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, s := range sts {
			if !s.Status.Known() {
				t.Fatalf("unknown status %q accepted", s.Status)
			}
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"timestamp":1700000000000,"status":400,"error":"Bad Request","errorId":"3f1c6a8e-9d2b-4f7a-8c1e-5b6d7e8f9a0b","path":"/api/v2/kontoer/x/forsendelser","message":"Ugyldig fnr 20036914700","errorCode":"UGYLDIG","errorJson":"{\"felt\":\"mottaker\"}"}`))
	f.Add(500, []byte(`<html>Bad gateway</html>`))
	f.Add(404, []byte(`{"errorJson":"not json 20036914700"}`))
	f.Add(401, []byte(``))
	f.Add(503, []byte(`{"timestamp":"soon","status":"x","message":12}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		h := http.Header{"Content-Type": {"application/json"}}
		e := parseError(status, h, body)
		if e == nil || e.Status != status {
			t.Fatalf("ParseError = %v", e)
		}
		msg := e.Error() + fmt.Sprintf("%+v %v %#v", e, e, e)
		if !utf8.ValidString(e.Message) && utf8.ValidString(string(body)) {
			t.Fatalf("message became invalid UTF-8: %q", e.Message)
		}
		if strings.Contains(string(body), "20036914700") && strings.Contains(msg, "20036914700") {
			t.Fatalf("error text leaks a fødselsnummer: %s", msg)
		}
		_ = errors.Is(e, ErrNotFound)
	})
}

func FuzzParseIncoming(f *testing.F) {
	f.Add([]byte(`[{"id":"f11f5cba-68ad-422f-ad2c-922cd6060f46","avsender":{"postadresse":{"navn":"A"}},"mottaker":{"postadresse":{"navn":"B"}},"tittel":"t","sikkerhetsniva":"BETYDELIG","taushetsbelagtPost":false,"filer":[{"filnavn":"a.pdf","mimeType":"application/pdf","hash":"00","storrelse":1}],"nedlastingslenke":"x"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"id":"../../etc"}]`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := parseIncoming(data)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, in := range list {
			if len(in.ID) != 36 || strings.ContainsAny(in.ID, "/?#") {
				t.Fatalf("id %q accepted", in.ID)
			}
		}
	})
}
