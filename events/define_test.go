package events_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
)

type testDecided struct {
	CaseID   string    `json:"caseId"`
	State    string    `json:"state"`
	Decided  time.Time `json:"decided"`
	Orgnr    ident.Orgnr
	Attempts []struct {
		N int `json:"n"`
	} `json:"attempts,omitempty"`
}

var testCaseDecided = events.Define[testDecided]("no.grunnmur.eventstestpkg.case.decided.v1")

func TestNewAndDecode(t *testing.T) {
	at := time.Date(2026, 3, 29, 1, 30, 0, 123456789, civil.Oslo) // 00:30Z, before the switch to summer time
	e, err := testCaseDecided.New("case-1", at, testDecided{CaseID: "case-1", State: "decided", Orgnr: "974760673"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Source != "/grunnmur/eventstestpkg" || e.Type != "no.grunnmur.eventstestpkg.case.decided.v1" || e.Subject != "case-1" ||
		e.DataContentType != "application/json" || len(e.ID) != 36 {
		t.Errorf("event %+v", e)
	}
	if want := time.Date(2026, 3, 29, 0, 30, 0, 123456000, time.UTC); !e.Time.Equal(want) || e.Time.Location() != time.UTC {
		t.Errorf("time %v, want %v in UTC to the microsecond", e.Time, want)
	}
	d, err := testCaseDecided.Decode(e)
	if err != nil || d.CaseID != "case-1" || d.State != "decided" {
		t.Errorf("Decode = %+v, %v", d, err)
	}
	other, _ := testCaseDecided.New("case-2", at, testDecided{})
	if other.ID == e.ID {
		t.Error("two events share an id")
	}
	if _, err := (&events.Type[testDecided]{}).Decode(e); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("Decode of another type: %v", err)
	}
}

func TestNewRefuses(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		subject string
		at      time.Time
	}{
		"empty subject": {"", at},
		"space":         {"case 1", at},
		"control":       {"case\x001", at},
		"bad utf-8":     {"case\xff", at},
		"long":          {strings.Repeat("x", 201), at},
		"zero time":     {"case-1", time.Time{}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := testCaseDecided.New(c.subject, c.at, testDecided{}); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("New(%q, %v) = %v, want ErrInvalid", c.subject, c.at, err)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	e, err := testCaseDecided.New("2026/17", time.Date(2026, 10, 25, 2, 30, 0, 1000, time.UTC), testDecided{CaseID: "2026/17", State: "æøå 👍"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s lacks %q", b, k)
		}
	}
	if m["specversion"] != "1.0" || m["time"] != "2026-10-25T02:30:00.000001Z" {
		t.Errorf("JSON %s", b)
	}
	back, err := events.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != e.ID || back.Type != e.Type || back.Subject != e.Subject || !back.Time.Equal(e.Time) || string(back.Data) != string(e.Data) {
		t.Errorf("round trip: %+v, want %+v", back, e)
	}
}

func TestParseRefuses(t *testing.T) {
	good := `{"specversion":"1.0","id":"x","source":"/grunnmur/sak","type":"no.grunnmur.sak.case.decided.v1","subject":"c","time":"2026-01-01T00:00:00Z","datacontenttype":"application/json","data":{}}`
	if _, err := events.Parse([]byte(good)); err != nil {
		t.Fatalf("good event: %v", err)
	}
	for name, in := range map[string]string{
		"not json":     `{`,
		"two values":   good + good,
		"specversion":  strings.Replace(good, `"1.0"`, `"0.3"`, 1),
		"no id":        strings.Replace(good, `"id":"x"`, `"id":""`, 1),
		"type scheme":  strings.Replace(good, `no.grunnmur.sak`, `com.example.sak`, 1),
		"source":       strings.Replace(good, `/grunnmur/sak`, `/grunnmur/payment`, 1),
		"time":         strings.Replace(good, `2026-01-01T00:00:00Z`, `yesterday`, 1),
		"content type": strings.Replace(good, `application/json`, `text/xml`, 1),
		"data array":   strings.Replace(good, `"data":{}`, `"data":[]`, 1),
		"no data":      strings.Replace(good, `,"data":{}`, ``, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := events.Parse([]byte(in)); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("Parse(%s) = %v, want ErrInvalid", in, err)
			}
		})
	}
}

type withFnr struct{ Applicant ident.Fodselsnummer }
type withSecret struct{ Key secret.Value }
type withName struct {
	ApplicantName string `json:"applicant"`
}
type withEmailTag struct {
	Contact string `json:"contact_email"`
}
type withNested struct{ Parties []withFnr }
type withEmbedded struct{ testDecided }

func TestDefineRefuses(t *testing.T) {
	for name, define := range map[string]func(){
		"bad name":   func() { events.Define[testDecided]("no.grunnmur.Sak.case.decided.v1") },
		"no version": func() { events.Define[testDecided]("no.grunnmur.sak.case.decided") },
		"twice":      func() { events.Define[testDecided]("no.grunnmur.eventstestpkg.case.decided.v1") },
		"not struct": func() { events.Define[string]("no.grunnmur.eventstestpkg.case.str.v1") },
		"fnr":        func() { events.Define[withFnr]("no.grunnmur.eventstestpkg.case.fnr.v1") },
		"secret":     func() { events.Define[withSecret]("no.grunnmur.eventstestpkg.case.secret.v1") },
		"name field": func() { events.Define[withName]("no.grunnmur.eventstestpkg.case.named.v1") },
		"email tag":  func() { events.Define[withEmailTag]("no.grunnmur.eventstestpkg.case.mailed.v1") },
		"nested fnr": func() { events.Define[withNested]("no.grunnmur.eventstestpkg.case.nested.v1") },
		"embedded":   func() { events.Define[withEmbedded]("no.grunnmur.eventstestpkg.case.embedded.v1") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				err, _ := r.(error)
				if !errors.Is(err, events.ErrInvalid) {
					t.Errorf("Define did not refuse: %v", r)
				}
			}()
			define()
		})
	}
}

func TestCatalogueFields(t *testing.T) {
	for _, d := range events.Catalogue() {
		if d.Type != testCaseDecided.Name() {
			continue
		}
		var got []string
		for _, f := range d.Fields {
			got = append(got, f.JSON+" "+f.Go)
		}
		want := "caseId string|state string|decided time.Time|Orgnr ident.Orgnr|attempts []struct { N int \"json:\\\"n\\\"\" }|attempts[].n int"
		if strings.Join(got, "|") != want {
			t.Errorf("fields %q\nwant %q", strings.Join(got, "|"), want)
		}
		return
	}
	t.Fatal("the type is not in the catalogue")
}
