// Package idporten is an OpenID Connect relying-party client for ID-porten and
// Ansattporten: discovery, the authorization code flow with PKCE, state and nonce,
// pushed authorization requests, private_key_jwt client authentication, id_token
// validation, the acr policy, userinfo, and RP-initiated and front-channel logout.
package idporten
