package main

import (
	"testing"

	"github.com/grunnmur/grunnmur/site/sitetest"
)

// -h prints the usage to stdout and is no error: the command exits 0.
func TestHelpExitsZero(t *testing.T) { sitetest.Help(t, "hallbooking", run) }
