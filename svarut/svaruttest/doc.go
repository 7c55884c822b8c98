// Package svaruttest is a fake KS SvarUT and SvarInn server that follows the v2
// specs, with status progression on command and fault injection.
package svaruttest
