//go:build !race

package cms_test

const raceEnabled = false
