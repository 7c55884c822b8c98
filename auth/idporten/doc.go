// Package idporten is an OpenID Connect relying-party client for ID-porten and
// Ansattporten: discovery, the authorization code flow with PKCE, state and nonce,
// pushed authorization requests, private_key_jwt client authentication, id_token
// validation, the acr policy, userinfo, and RP-initiated and front-channel logout.
//
//	c, err := idporten.New(idporten.Config{
//		// Issuer empty: TestIssuer. ProductionIssuer, AnsattportenTestIssuer or
//		// AnsattportenProductionIssuer for the others.
//		ClientID:    os.Getenv("GRUNNMUR_IDPORTEN_CLIENT_ID"),
//		Key:         key, KeyID: "my-kid", // private_key_jwt; or ClientSecret: secret.New(...)
//		RedirectURI: "https://kommune.example/auth/callback",
//		PostLogoutRedirectURI: "https://kommune.example/auth/logged-out",
//	})
//	authURL, pending, err := c.Start(ctx, idporten.AuthOptions{ACR: idporten.High, UILocales: []string{"nn"}})
//	// keep pending server-side, tied to the browser; redirect to authURL
//	...
//	login, err := c.Callback(ctx, r.URL.Query(), pending) // in the callback handler
//	login.IDToken.PID // ident.Fodselsnummer; redacts itself
//
// Most services use package auth, which keeps the pending login and the
// session server-side and mounts the handlers. ConfigFromEnv reads a Config
// from GRUNNMUR_IDPORTEN_* (or GRUNNMUR_ANSATTPORTEN_*) variables, and
// reports config.ErrUnset when none is set.
//
// # Environments
//
// An empty Config.Issuer means ID-porten's test environment (TestIssuer).
// Production is reached only by setting Issuer, to ProductionIssuer (or
// AnsattportenProductionIssuer), so that no service reaches it by accident.
//
// # Errors
//
// The provider's error answers, from the callback and from the token, PAR
// and userinfo endpoints, and a request that got no answer, are
// *oauth.Error (package auth/oauth): errors.Is(err, oauth.ErrAccessDenied)
// when the person cancels, Temporary() for 429, 5xx and no answer. A failed
// id_token check is a *ValidationError that names the check. Secrets (the
// client secret, the access token, the raw id_token and the PKCE verifier)
// are secret.Value and print redacted.
//
// # What is checked
//
// The callback's state (constant time) and iss (RFC 9207); the code is
// exchanged with the PKCE verifier; the id_token's signature by the key its
// kid names in the provider's JWKS, with an algorithm from an allow-list that
// never holds none or HS*; iss, aud, azp, exp and iat (with Skew, default
// 10 s), nonce; an acr at or above the level asked for (high satisfies
// substantial; Level3 and Level4 are mapped); and a pid.
//
// A token without kid is verified only when exactly one key in the set fits
// its algorithm. An unknown kid refetches the JWKS at most once per
// JWKSMinRefresh, so that rotation is followed and forged kids cannot flood
// the provider. A key in the set that does not parse is skipped, not fatal.
//
// # Glossary
//
//   - ID-porten: the national login service for citizens, run by Digdir
//     (the Norwegian Digitalisation Agency).
//   - Ansattporten: Digdir's login service for employees acting for an
//     organisation.
//   - pid: the claim holding the person's fødselsnummer (national identity
//     number) or D-nummer.
//   - acr levels: idporten-loa-substantial and idporten-loa-high (the older
//     Level3 and Level4), the eIDAS assurance levels of the login.
//   - Avbryt: "cancel", the button that ends a login with access_denied.
package idporten
