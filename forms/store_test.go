package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
)

// OwnerKeys holds the HMAC key that hides personal numbers in stores; a
// config printed or logged whole must not show it.
func TestOwnerKeysNeverPrint(t *testing.T) {
	k := OwnerKeys{Secret: []byte("hemmelig-hemmelig-hemmelig-hemmelig")}
	cfg := struct {
		Keys OwnerKeys
		Name string
	}{k, "skjema"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "keys", k, "cfg", cfg)
	j, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %x %q", k, k, k, k, k, k), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), logs.String(), string(j)} {
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
