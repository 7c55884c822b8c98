// Package auth provides server-side login sessions for net/http: a session
// Store, middleware that requires a login at a given ID-porten level, the
// logged-in citizen in the request context, and CSRF protection for form posts.
//
// The OpenID Connect client lives in auth/idporten, machine-to-machine tokens in
// auth/maskinporten, and a fake ID-porten for tests in auth/idportentest.
package auth
