package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
)

// OwnerKeys holds the HMAC key that hides personal numbers in stores; a
// config printed or logged whole must not show it.
func TestOwnerKeysNeverPrint(t *testing.T) {
	k := OwnerKeys{Secret: secret.New("hemmelig-hemmelig-hemmelig-hemmelig")}
	cfg := struct {
		Keys OwnerKeys
		Name string
	}{k, "skjema"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "keys", k, "cfg", cfg)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "keys", k, "cfg", cfg)
	j, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %x %q %d", k, k, k, k, k, k, k), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), logs.String(), string(j)} {
		if strings.Contains(out, "hemmelig") || strings.Contains(out, "104 101 109") || strings.Contains(out, "0x68, 0x65") || strings.Contains(out, "68656d6d") {
			t.Fatalf("the secret leaked: %s", out)
		}
	}
	// Still a working key.
	key, err := k.Key(Owner{Person: ident.MustParseFodselsnummer("20036914700")})
	if err != nil || !strings.HasPrefix(key, "person:") {
		t.Fatalf("Key: %q, %v", key, err)
	}
}

func TestOwnerKeysWeakSecret(t *testing.T) {
	for _, k := range []OwnerKeys{{}, {Secret: secret.New("kort")}} {
		if err := k.Check(); !errors.Is(err, ErrWeakSecret) {
			t.Errorf("Check: %v", err)
		}
		if _, err := k.Key(Owner{Person: ident.MustParseFodselsnummer("20036914700")}); !errors.Is(err, ErrWeakSecret) {
			t.Errorf("Key: %v", err)
		}
		// An organisation's key is its public number: no secret needed.
		if key, err := k.Key(Owner{Org: "974760673"}); key != "org:974760673" || err != nil {
			t.Errorf("Key of an organisation: %q %v", key, err)
		}
	}
}
