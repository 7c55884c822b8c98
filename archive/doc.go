// Package archive models Noark 5 records, writes complete Noark 5 v5.0 extracts
// (arkivuttrekk) by streaming, and verifies extracts with the Arkade 5 checks that
// can run in pure Go.
package archive
