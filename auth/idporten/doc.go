// Package idporten is an OpenID Connect relying-party client for ID-porten and
// Ansattporten: discovery, the authorization code flow with PKCE, state and nonce,
// pushed authorization requests, private_key_jwt client authentication, id_token
// validation, the acr policy, userinfo, and RP-initiated and front-channel logout.
//
//	c, err := idporten.New(idporten.Config{
//		Issuer:      idporten.IssuerTest, // or AnsattportenTest for officers
//		ClientID:    os.Getenv("GRUNNMUR_IDPORTEN_CLIENT_ID"),
//		Key:         key, KeyID: "my-kid", // private_key_jwt; or ClientSecret
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
// session server-side and mounts the handlers.
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
package idporten
