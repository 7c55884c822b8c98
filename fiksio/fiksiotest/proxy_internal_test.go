package fiksiotest

import (
	"bytes"
	"testing"
)

func TestStartOkRoundTrip(t *testing.T) {
	so := &startOk{properties: []byte{0, 0, 0, 2, 'a', 'b'}, mechanism: "PLAIN", response: []byte("\x00user\x00pass token"), locale: "en_US"}
	got, err := parseStartOk(so.frame())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.properties, so.properties) || got.mechanism != "PLAIN" || string(got.response) != string(so.response) || got.locale != "en_US" {
		t.Errorf("%+v", got)
	}
	if _, err := parseStartOk(frame{typ: 1, payload: []byte{0, 10, 0, 10}}); err == nil {
		t.Error("connection.start read as start-ok")
	}
}

// FuzzStartOk: the fake reads a client's first frame, which may be anything.
func FuzzStartOk(f *testing.F) {
	f.Add([]byte{0, 10, 0, 11, 0, 0, 0, 0, 5, 'P', 'L', 'A', 'I', 'N', 0, 0, 0, 3, 0, 'a', 0, 5, 'e', 'n', '_', 'U', 'S'})
	f.Add([]byte{0, 10, 0, 11, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		so, err := parseStartOk(frame{typ: 1, payload: payload})
		if err != nil {
			return
		}
		again, err := parseStartOk(so.frame())
		if err != nil || string(again.response) != string(so.response) || again.mechanism != so.mechanism {
			t.Fatalf("re-encoding changed the frame: %v", err)
		}
	})
}
