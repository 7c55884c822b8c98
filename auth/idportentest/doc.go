// Package idportentest is a fake ID-porten, Ansattporten and Maskinporten server
// for tests, examples and local development, in the style of net/http/httptest.
// It can misbehave on purpose: bad signatures, rotated keys, expired requests.
package idportentest
