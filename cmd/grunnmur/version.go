package main

import (
	"flag"
	"fmt"
)

const versionUsage = `usage: grunnmur version

Prints the module version of this build and the VCS revision it was built
from, as the Go toolchain stamped them into the binary:
  grunnmur VERSION
  module   PATH
  revision REVISION [(modified)], committed TIME
  go       GOVERSION

A binary from 'go install github.com/grunnmur/grunnmur/cmd/grunnmur@VERSION'
carries VERSION but no revision; one built in a git checkout carries the
revision, unless it was built with -buildvcs=false. What is missing is said.
`

func runVersion(io stdio, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), versionUsage) }
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(io.err, "grunnmur version: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	info, ok := io.readBuildInfo()
	if !ok || info == nil {
		fmt.Fprintln(io.out, "grunnmur (unknown version: the binary carries no build information)")
		return exitOK
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	fmt.Fprintf(io.out, "grunnmur %s\n", version)
	if info.Main.Path != "" {
		fmt.Fprintf(io.out, "module   %s\n", info.Main.Path)
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		if t := settings["vcs.time"]; t != "" {
			rev += ", committed " + t
		}
		fmt.Fprintf(io.out, "revision %s\n", rev)
	} else {
		fmt.Fprintln(io.out, "revision unknown (not built in a git checkout, or built with -buildvcs=false)")
	}
	if info.GoVersion != "" {
		fmt.Fprintf(io.out, "go       %s\n", info.GoVersion)
	}
	return exitOK
}
