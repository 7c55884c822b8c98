// Package maskinporten is a token source for Maskinporten's JWT-bearer grant,
// with cached tokens, single-flight refresh and an http.RoundTripper that adds the
// bearer token to outgoing requests.
//
//	ts, err := maskinporten.New(maskinporten.Config{
//		Issuer:   maskinporten.IssuerTest,
//		ClientID: os.Getenv("GRUNNMUR_MASKINPORTEN_CLIENT_ID"),
//		Key:      key, KeyID: "my-kid", // or Certificates: chain (sent as x5c)
//		Scopes:   []string{"ks:fiks"},
//	})
//	svarutClient := ts.Client(nil) // every request carries "Authorization: Bearer ..."
//	tok, err := ts.Token(ctx)      // or ask yourself; tok never prints its value
//
// Each grant has aud = the issuer (trailing slash included), iss = the
// client id, exp − iat of Lifetime (at most 120 s) and a fresh jti, with kid
// or x5c in its header. Tokens are cached per (scopes, resource,
// consumer_org, pid) until RefreshBefore their expiry; concurrent callers
// share one grant. A 5xx or a dropped connection is retried with a new grant
// (never the same jti twice). Maskinporten's errors come back as *Error,
// which unwraps to ErrInvalidGrant, ErrInvalidScope, ErrInvalidClient or
// ErrServer, with any MP-nnn code in MPCode.
package maskinporten
