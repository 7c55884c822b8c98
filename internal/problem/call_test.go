package problem

import (
	"errors"
	"strings"
	"testing"
)

func TestCall(t *testing.T) {
	kind := errors.New("fiksio: queue full")
	cases := []struct {
		c    Call
		want string
	}{
		{Call{Service: "fiksio", Op: "send"}, "fiksio: send: failed"},
		{Call{Service: "fiksio", Op: "send", Kind: kind, Status: 429, Code: "FULL", Message: "konto 12345678901 er full", RequestID: "r-1"},
			"fiksio: send: queue full (http 429 FULL): konto 123456***** er full (request id r-1)"},
		{Call{Service: "brreg", Op: "enhet", Kind: errors.New("registry: unavailable"), KindPrefix: "registry: ", Cause: errors.New("dial 12345678901")},
			"brreg: enhet: unavailable: dial 123456*****"},
		{Call{Service: "x", Op: "y", Message: "m", Cause: errors.New("not told")}, "x: y: failed: m"},
	}
	for _, c := range cases {
		if got := c.c.String(); got != c.want || strings.Contains(got, "12345678901") {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
	cause := errors.New("cause")
	if errs := Causes(kind, cause); len(errs) != 2 || errs[0] != kind || errs[1] != cause {
		t.Errorf("Causes: %v", errs)
	}
	if errs := Causes(nil, nil); len(errs) != 0 {
		t.Errorf("Causes(nil, nil): %v", errs)
	}
}
