package secret

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pw = "hunter2-Passord"

type config struct {
	ClientID     string
	ClientSecret Value
	Ptr          *Value
}

func TestRedactedEverywhere(t *testing.T) {
	v := New(pw)
	cfg := config{ClientID: "id", ClientSecret: v, Ptr: &v}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v"} {
		outs = append(outs, fmt.Sprintf(verb, v), fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg))
	}
	outs = append(outs, fmt.Sprint(v), fmt.Sprintln(v), v.String(), v.GoString())
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "s", v, "cfg", cfg)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "s", v, "cfg", cfg)
	outs = append(outs, buf.String())
	j, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, err := xml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j), string(x), fmt.Sprint(errors.New("x: "+v.String())))
	for _, o := range outs {
		if strings.Contains(o, pw) || strings.Contains(o, fmt.Sprintf("%x", pw)) || strings.Contains(strings.ToLower(o), fmt.Sprintf("%x", pw)) {
			t.Errorf("leaked: %s", o)
		}
	}
	if !strings.Contains(string(j), `"ClientSecret":"[redacted]"`) {
		t.Errorf("json: %s", j)
	}
	if got := fmt.Sprintf("%#v", v); got != "secret.Value([redacted])" {
		t.Errorf("%%#v = %s", got)
	}
}

// fmt prints unexported fields by reflection, without their methods: a Value
// in one must still not show the secret.
func TestRedactedInUnexportedFields(t *testing.T) {
	type client struct {
		id  string
		key Value
		cfg config
	}
	c := &client{id: "id", key: New(pw), cfg: config{ClientSecret: New(pw)}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		for _, arg := range []any{c, *c, []client{*c}, map[string]client{"a": *c}} {
			if out := fmt.Sprintf(verb, arg); strings.Contains(out, pw) || strings.Contains(out, fmt.Sprintf("%x", pw)) {
				t.Errorf("%s leaked: %s", verb, out)
			}
		}
	}
}

func TestZero(t *testing.T) {
	var v Value
	if !v.IsZero() || v.String() != "" || v.Reveal() != "" {
		t.Fatal("zero Value is not empty")
	}
	if b, _ := json.Marshal(v); string(b) != `""` {
		t.Errorf("zero json = %s", b)
	}
	if New("x").IsZero() {
		t.Fatal("set Value is zero")
	}
}

func TestReveal(t *testing.T) {
	if New(pw).Reveal() != pw {
		t.Fatal("Reveal lost the secret")
	}
}

func TestEqual(t *testing.T) {
	a, b := New("abc"), New("abc")
	if !a.Equal(b) || a.Equal(New("abd")) || a.Equal(New("ab")) || !(Value{}).Equal(Value{}) {
		t.Fatal("Equal is wrong")
	}
}

func TestUnmarshal(t *testing.T) {
	var c struct{ S Value }
	if err := json.Unmarshal([]byte(`{"S":"abc"}`), &c); err != nil || c.S.Reveal() != "abc" {
		t.Fatalf("%v %q", err, c.S.Reveal())
	}
	if err := json.Unmarshal([]byte(`{"S":"[redacted]"}`), &c); err == nil {
		t.Fatal("the placeholder was accepted as a secret")
	}
}

func TestFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct{ in, want string }{{"abc\n", "abc"}, {"abc\r\n", "abc"}, {"abc", "abc"}, {" a b \n\n", " a b \n"}} {
		v, err := FromFile(write("s", c.in))
		if err != nil || v.Reveal() != c.want {
			t.Errorf("%q: %q %v", c.in, v.Reveal(), err)
		}
	}
	if _, err := FromFile(write("empty", "\n")); err == nil {
		t.Error("an empty file gave a secret")
	}
	if _, err := FromFile(write("big", strings.Repeat("x", maxFile+1))); err == nil {
		t.Error("an oversized file gave a secret")
	}
	if _, err := FromFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	v, err := FromEnv(env(map[string]string{"P": pw}), "P")
	if err != nil || v.Reveal() != pw {
		t.Fatalf("variable: %v", err)
	}
	v, err = FromEnv(env(map[string]string{"P_FILE": file}), "P")
	if err != nil || v.Reveal() != pw {
		t.Fatalf("file: %v", err)
	}
	v, err = FromEnv(env(nil), "P")
	if err != nil || !v.IsZero() {
		t.Fatalf("unset: %v", err)
	}
	if _, err := FromEnv(env(map[string]string{"P": "a", "P_FILE": file}), "P"); !errors.Is(err, ErrConflict) {
		t.Fatalf("both: %v", err)
	}
	_, err = FromEnv(env(map[string]string{"P_FILE": file + ".missing"}), "P")
	if err == nil || !strings.Contains(err.Error(), "P_FILE") {
		t.Fatalf("missing file: %v", err)
	}
}

func Example() {
	env := map[string]string{"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "s3cret"}
	getenv := func(k string) string { return env[k] } // os.Getenv in a service
	key, err := FromEnv(getenv, "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY")
	if err != nil {
		panic(err)
	}
	fmt.Println(key)
	fmt.Printf("%#v\n", key)
	fmt.Println(len(key.Reveal()))
	// Output:
	// [redacted]
	// secret.Value([redacted])
	// 6
}
