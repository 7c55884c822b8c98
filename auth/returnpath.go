package auth

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// SafeReturnPath returns raw as a path on this site to send a browser to
// (after a login, say), or "/" when it is not one. It decides every
// return path the Manager redirects to; a service that redirects to a path
// it was given should use it too.
//
// It cleans first and checks after, as http.Redirect cleans what it is
// given: "/a/../\evil.example" would otherwise pass a check and leave as
// "/\evil.example", which a browser reads as //evil.example. It refuses a
// backslash anywhere, control characters and spaces (browsers drop tabs and
// newlines, so "/\t/evil.example" is "//evil.example"), a scheme or host, a
// path that starts with "//", and a path whose decoded form holds any of
// those or a dot segment ("/sak/..%2F%5Cevil.example"): a handler that
// decodes a path segment and redirects to it must not be handed one. The
// result is ASCII and unchanged by http.Redirect; a fragment is dropped.
func SafeReturnPath(raw string) string {
	if !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.ContainsFunc(raw, unsafeInPath) {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	p := cleanPath(u.EscapedPath())
	dec, err := url.PathUnescape(p)
	if err != nil || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.ContainsFunc(dec, unsafeInPath) || strings.Contains(dec, "//") || cleanPath(dec) != dec {
		return "/"
	}
	if u.RawQuery != "" {
		p += "?" + escapeNonASCII(u.RawQuery)
	}
	return p
}

// unsafeInPath: a backslash, which browsers read as "/"; ASCII control
// characters and space, which they strip or trim; and U+FFFD, invalid UTF-8.
func unsafeInPath(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '\\' || r == '\uFFFD'
}

// cleanPath is path.Clean keeping a trailing slash, as http.Redirect does.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(c, "/") {
		c += "/"
	}
	return c
}

// escapeNonASCII percent-encodes the bytes a Location header should not
// carry raw.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
