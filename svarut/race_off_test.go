//go:build !race

package svarut_test

const raceEnabled = false
