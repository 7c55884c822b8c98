// Package idportentest is a fake ID-porten, Ansattporten and Maskinporten server
// for tests, examples and local development, in the style of net/http/httptest.
// It can misbehave on purpose: bad signatures, rotated keys, expired requests.
//
//	fake := idportentest.New(idportentest.Config{}) // Interactive: true for a test-user picker
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	fake.SetBaseURL(srv.URL)
//	fake.RegisterClient(idportentest.Client{ID: "kommune", Secret: "s3cret",
//		RedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"}})
//	cfg := idporten.Config{Issuer: fake.Issuer(idportentest.IDPorten), ClientSecret: secret.New("s3cret"), ...}
//
// ID-porten is served at the root, Ansattporten under /ansattporten and
// Maskinporten under /maskinporten/, each with its own issuer and keys:
// discovery, jwks, authorize (with the picker page, or at once as the next
// user: LoginAs), par, token, userinfo and endsession; Maskinporten's token
// endpoint takes JWT-bearer grants with kid or x5c. The fake enforces PKCE
// S256, state, nonce, registered redirect URIs, single-use codes, the acr
// levels, single sign-on (30 min idle, 120 min in all) and front-channel
// logout (iss and sid), and Maskinporten's grant rules: aud the issuer,
// exp − iat ≤ 120 s, iat within 10 s, a jti used once.
//
// # Misbehaviour on purpose
//
// The Server embeds fake.Faults, grunnmur's one fault toolkit: Inject a
// fake.Fault (a status, a delay, a dropped connection, for the next Times
// requests matching a ServeMux pattern such as "POST /maskinporten/token"
// or "GET /jwks"), count requests with Requests, hold them with Hold.
// Config.Authorize refuses requests before the fake handles them. A login
// misbehaves with FailNextLogin (bad signature, alg none or HS256, no kid,
// wrong iss/aud/nonce, expired, iat in the future, lower acr, missing
// claims, userinfo sub, callback iss, or the person cancels); keys with
// RotateKey, AddKey and AddUnparseableKey; and SetDiscoveryIssuer and
// ExpirePARs do what they say.
//
// Other fakes guard their APIs with VerifyMaskinportenToken; their callers get
// a ready token source from MaskinportenSource.
//
// # Glossary
//
//   - ID-porten, Ansattporten, Maskinporten: Digdir's login services for
//     citizens and employees, and its OAuth server for machines.
//   - virksomhetssertifikat: a business certificate a Maskinporten client
//     may present as x5c.
//   - Tenor: the Norwegian register of synthetic test persons; DefaultUsers
//     are Tenor-style synthetic fødselsnummer (national identity numbers).
package idportentest
