package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// ParseTimestamp parses the registries' timestamps: RFC 3339 with or without
// fractional seconds, and KRR's offsets without minutes ("2018-06-29T10:14:52+02").
func ParseTimestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-07", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("registry: bad timestamp %q", truncate(redact.Numbers(s), 40))
}

// Timestamp is a point in time decoded with ParseTimestamp. Its zero value is
// "no time"; null and "" decode to it.
type Timestamp struct{ time.Time }

// UnmarshalJSON reads the formats ParseTimestamp knows, "" and null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("registry: timestamp is not a string")
	}
	v, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes RFC 3339, or null for the zero Timestamp.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(time.RFC3339Nano) + `"`), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
