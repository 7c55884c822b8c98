// Package svarut sends digital mail through KS SvarUT (REST v2) with a durable
// outbox that delivers each letter exactly once, and receives mail through SvarInn
// (poll, decrypt, verify, acknowledge).
package svarut
