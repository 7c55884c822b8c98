package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Exit codes shared by every subcommand.
const (
	exitOK    = 0 // success, or every input valid
	exitFail  = 1 // an invalid input or a failed check
	exitUsage = 2 // bad usage
)

// stdio is what a subcommand reads and writes, and the clock and build
// information it sees, so that tests run the CLI in-process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	// now is the clock; nil means time.Now.
	now func() time.Time
	// buildInfo is debug.ReadBuildInfo; nil means that.
	buildInfo func() (*debug.BuildInfo, bool)
}

func (io stdio) clock() time.Time { return defaults.Now(io.now) }

func (io stdio) readBuildInfo() (*debug.BuildInfo, bool) {
	if io.buildInfo != nil {
		return io.buildInfo()
	}
	return debug.ReadBuildInfo()
}

// command is one subcommand. run gets the arguments after the command's name.
type command struct {
	summary string
	run     func(io stdio, args []string) int
}

// commands is the table of subcommands; each lives in a file of its own name.
func commands() map[string]command {
	return map[string]command{
		"archive":  archiveCommand(),
		"dev":      devCommand(),
		"forms":    {summary: "validate a submission against a form definition; check definitions", run: runForms},
		"holidays": {summary: "print the Norwegian public holidays of a year", run: holidays},
		"ident":    {summary: "check fødselsnummer, orgnr, kontonummer and KID (the kind detected or given); make KIDs", run: runIdent},
		"version":  {summary: "print the module version and VCS revision of this build", run: runVersion},
	}
}

func main() {
	os.Exit(run(stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Args[1:]))
}

// run is the CLI's entry function.
func run(io stdio, args []string) int {
	cmds := commands()
	if len(args) == 0 {
		usage(io.err, cmds)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(io.out, cmds)
		return exitOK
	case "help":
		// "grunnmur help COMMAND" is "grunnmur COMMAND -h".
		if len(args) == 1 {
			usage(io.out, cmds)
			return exitOK
		}
		c, ok := cmds[args[1]]
		if !ok {
			fmt.Fprintf(io.err, "grunnmur help: unknown command %q\n\n", args[1])
			usage(io.err, cmds)
			return exitUsage
		}
		return c.run(io, []string{"-h"})
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.err, "grunnmur: unknown command %q\n\n", args[0])
		usage(io.err, cmds)
		return exitUsage
	}
	return c.run(io, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: grunnmur COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'grunnmur COMMAND -h' for a command's help.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 invalid input or failed check, 2 bad usage.")
}

// parseFlags parses a subcommand's flags with the shared conventions:
//   - flags may come before, between or after the positional arguments; "--"
//     ends the flags, and "-" alone is an argument (standard input);
//   - -h prints the help once, to stdout (exit 0);
//   - a bad flag prints the error and the help to stderr (exit 2).
//
// Afterwards fs.Args() holds the positional arguments, and fs's output is
// stderr for the caller's own usage errors. It returns ok=false with the exit
// code when the caller must stop.
func parseFlags(fs *flag.FlagSet, io stdio, args []string) (code int, ok bool) {
	// The flag package prints the help on -h as well as on an error, to one
	// writer: hold it back until it is known which.
	var held bytes.Buffer
	fs.SetOutput(&held)
	defer fs.SetOutput(io.err)
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(io.out)
			fs.Usage()
			return exitOK, false
		}
		if err != nil {
			io.err.Write(held.Bytes())
			return exitUsage, false
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(rest) == 0 || endedByDashDash(fs, consumed) {
			pos = append(pos, rest...)
			break
		}
		// Parse stopped at a positional argument: keep it, read on.
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Leave exactly the positional arguments in fs.Args().
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil {
		io.err.Write(held.Bytes())
		return exitUsage, false
	}
	return 0, true
}

// endedByDashDash reports whether Parse stopped because of a "--" that
// ends the flags, rather than one given as a flag's value ("-lang --").
func endedByDashDash(fs *flag.FlagSet, consumed []string) bool {
	n := len(consumed)
	if n == 0 || consumed[n-1] != "--" {
		return false
	}
	if n == 1 {
		return true
	}
	prev := strings.TrimLeft(consumed[n-2], "-")
	if !strings.HasPrefix(consumed[n-2], "-") || strings.Contains(prev, "=") {
		return true
	}
	f := fs.Lookup(prev)
	if f == nil {
		return true
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return isBool && b.IsBoolFlag()
}

// isHelp reports whether arg asks for help, for the commands that dispatch
// to subcommands before any flag set parses.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help", "help":
		return true
	}
	return false
}
