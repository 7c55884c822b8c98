//go:build race

package fiksio_test

// raceEnabled: the race detector makes deflate, AES and RSA many times
// slower, so the large-payload tests move less under it.
const raceEnabled = true
