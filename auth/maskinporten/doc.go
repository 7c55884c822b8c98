// Package maskinporten is a token source for Maskinporten's JWT-bearer grant,
// with cached tokens, single-flight refresh and an http.RoundTripper that adds the
// bearer token to outgoing requests.
//
//	cfg, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN_", os.Getenv)
//	// or by hand:
//	ts, err := maskinporten.New(maskinporten.Config{
//		// Issuer empty: TestIssuer; set ProductionIssuer for production.
//		ClientID: os.Getenv("GRUNNMUR_MASKINPORTEN_CLIENT_ID"),
//		Key:      key, KeyID: "my-kid", // or Certificates: chain (sent as x5c)
//		Scopes:   []string{"ks:fiks"},
//	})
//	svarutClient := ts.Client(nil) // every request carries "Authorization: Bearer ..."
//	tok, err := ts.Token(ctx)      // or ask yourself: tok.AccessToken is a secret.Value
//
// # Environments
//
// An empty Config.Issuer means Maskinporten's test environment
// (TestIssuer). Production is reached only by setting Issuer to
// ProductionIssuer, so that no service reaches it by accident.
// ConfigFromEnv reports config.ErrUnset when none of its variables is set.
//
// # Grants and errors
//
// Each grant has aud = the issuer (trailing slash included), iss = the
// client id, exp − iat of Lifetime (at most 120 s) and a fresh jti, with kid
// or x5c in its header. Tokens are cached per (scopes, resource,
// consumer_org, pid) until RefreshBefore their expiry; concurrent callers
// share one grant. A 5xx or a request without an answer is retried with a
// new grant (never the same jti twice). Maskinporten's answers, and a grant
// that got none, come back as *oauth.Error (package auth/oauth), which
// unwraps to oauth.ErrInvalidGrant, oauth.ErrInvalidScope,
// oauth.ErrInvalidClient or oauth.ErrServer, with any MP-nnn code in
// MPCode. A Token prints its access token redacted under every verb, in
// slog and in JSON: the token is read only through AccessToken.Reveal().
//
// # Glossary
//
//   - Maskinporten: Digdir's OAuth server for machine-to-machine access to
//     public APIs.
//   - virksomhetssertifikat: a business certificate (an X.509 certificate
//     that names an organisation), sent as x5c.
//   - consumer_org: the organisation a client acts for, which delegated the
//     access to it in Altinn.
//   - MP-nnn: Maskinporten's own error numbers.
package maskinporten
