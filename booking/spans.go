package booking

import (
	"fmt"
	"strings"
)

// ParseSpans reads one day's opening hours as a person types them on an
// admin page: "16:00-22:00", or several separated by commas, with spaces
// allowed around the parts; "" (or only commas) is closed, no spans. A
// span that is not HH:MM-HH:MM, or does not end after it starts, is an
// error wrapping ErrInvalid.
func ParseSpans(s string) ([]Span, error) {
	var spans []Span
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("%w: opening hours are HH:MM-HH:MM, comma-separated", ErrInvalid)
		}
		f, err := ParseClock(strings.TrimSpace(from))
		if err != nil {
			return nil, err
		}
		t, err := ParseClock(strings.TrimSpace(to))
		if err != nil {
			return nil, err
		}
		if t <= f {
			return nil, fmt.Errorf("%w: opening hours %s-%s end before they start", ErrInvalid, f, t)
		}
		spans = append(spans, Span{From: f, To: t})
	}
	return spans, nil
}

// FormatSpans writes spans as ParseSpans reads them: "08:00-12:00,
// 16:00-22:00"; no spans is "".
func FormatSpans(spans []Span) string {
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = s.From.String() + "-" + s.To.String()
	}
	return strings.Join(parts, ", ")
}
