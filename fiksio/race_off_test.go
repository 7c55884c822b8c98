//go:build !race

package fiksio_test

const raceEnabled = false
