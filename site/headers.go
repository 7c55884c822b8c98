package site

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Headers configures the security headers.
type Headers struct {
	// FrameAncestors may frame FramePath (ID-porten's front-channel logout
	// iframe): the identity provider's origins.
	FrameAncestors []string
	FramePath      []string
	// FormAction are origins a form post may be redirected to besides
	// 'self' (ID-porten's end_session_endpoint, the payment provider).
	FormAction []string
	// TrustProxy takes X-Forwarded-Proto: https as TLS, for HSTS behind a
	// proxy that ends TLS.
	TrustProxy bool
}

// Secure adds the security headers: a Content-Security-Policy without
// inline script or style, HSTS when the request came over TLS, and the
// usual nosniff, referrer and permissions policies.
func (h Headers) Secure(next http.Handler) http.Handler {
	origins := func(list []string) string {
		var out []string
		for _, o := range list {
			if u, err := url.Parse(o); err == nil && u.Host != "" {
				out = append(out, u.Scheme+"://"+u.Host)
			}
		}
		slices.Sort(out)
		return strings.Join(slices.Compact(out), " ")
	}
	frame, action := origins(h.FrameAncestors), origins(h.FormAction)
	base := "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
	if action != "" {
		base += " " + action
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		fa := "'none'"
		if frame != "" && slices.Contains(h.FramePath, r.URL.Path) {
			fa = frame
		} else {
			hd.Set("X-Frame-Options", "DENY")
		}
		hd.Set("Content-Security-Policy", base+"; frame-ancestors "+fa)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil || (h.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
			hd.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
