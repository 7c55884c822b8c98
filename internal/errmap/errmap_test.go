package errmap

import (
	"errors"
	"fmt"
	"testing"
)

func TestLookup(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	tab := Table{E(a, 404, "not_found"), E(b, 409, "conflict"), E(a, 400, "shadowed")}
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{nil, 200, ""},
		{a, 404, "not_found"},
		{fmt.Errorf("wrapped: %w", b), 409, "conflict"},
		{errors.Join(errors.New("x"), b), 409, "conflict"},
		{errors.New("other"), 500, "internal"},
	}
	for _, c := range cases {
		if s, code := tab.Lookup(c.err); s != c.status || code != c.code {
			t.Errorf("%v: (%d, %q), want (%d, %q)", c.err, s, code, c.status, c.code)
		}
	}
	if _, _, ok := tab.Find(errors.New("other")); ok {
		t.Error("Find matched an unknown error")
	}
}
