//go:build race

package asice_test

const raceEnabled = true
