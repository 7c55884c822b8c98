// Package maskinporten is a token source for Maskinporten's JWT-bearer grant,
// with cached tokens, single-flight refresh and an http.RoundTripper that adds the
// bearer token to outgoing requests.
package maskinporten
