package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestReader(t *testing.T) {
	r := NewReader("X_", env(map[string]string{"X_A": " a ", "X_URL": "https://example.test/p", "X_D": "90s", "X_N": "7", "X_B": "true", "X_S": "pw"}))
	if r.String("A") != "a" || r.URL("URL") != "https://example.test/p" || r.Duration("D") != 90*time.Second || r.Int("N") != 7 || !r.Bool("B") || r.Secret("S").Reveal() != "pw" {
		t.Fatal("a value was read wrongly")
	}
	if r.String("MISSING") != "" || !r.Set() {
		t.Fatal("Set")
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestUnset(t *testing.T) {
	r := NewReader("X_", env(map[string]string{"Y_A": "a", "X_A": "   "}))
	r.String("A")
	r.Secret("S")
	if err := r.Err(); !errors.Is(err, ErrUnset) || !strings.Contains(err.Error(), "X_*") {
		t.Fatalf("%v", err)
	}
}

func TestMalformed(t *testing.T) {
	r := NewReader("X_", env(map[string]string{
		"X_URL": "ftp://user:hunter2@host/", "X_TOKEN": "ftp://hunter3@host/?key=hunter4", "X_REL": "/relative", "X_D": "soon", "X_NEG": "-1s", "X_N": "seven", "X_B": "maybe",
		"X_S": "a", "X_S_FILE": "/nonexistent",
	}))
	r.URL("URL")
	r.URL("TOKEN")
	r.URL("REL")
	r.Duration("D")
	r.Duration("NEG")
	r.Int("N")
	r.Bool("B")
	r.Secret("S")
	err := r.Err()
	if err == nil || errors.Is(err, ErrUnset) {
		t.Fatalf("%v", err)
	}
	for _, name := range []string{"X_URL", "X_TOKEN", "X_REL", "X_D", "X_NEG", "X_N", "X_B", "X_S"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "hunter") {
		t.Errorf("the error shows a password or token: %v", err)
	}
}

func TestSecretFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(p, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := NewReader("X_", env(map[string]string{"X_S_FILE": p}))
	if s := r.Secret("S"); s.Reveal() != "from-file" || r.Err() != nil {
		t.Fatalf("%v", r.Err())
	}
}

func Example() {
	getenv := env(map[string]string{"MYAPP_ADDR": "127.0.0.1:8080", "MYAPP_HMAC_KEY": "k", "MYAPP_POLL_EVERY": "soon"})
	r := NewReader("MYAPP_", getenv)
	fmt.Println(r.String("ADDR"), r.Secret("HMAC_KEY"))
	r.Duration("POLL_EVERY")
	fmt.Println(r.Err())

	r = NewReader("GRUNNMUR_VIPPS_", getenv)
	r.String("CLIENT_ID")
	fmt.Println(errors.Is(r.Err(), ErrUnset))
	// Output:
	// 127.0.0.1:8080 [redacted]
	// config: MYAPP_POLL_EVERY: "soon" is not a duration such as 30s or 5m
	// true
}
