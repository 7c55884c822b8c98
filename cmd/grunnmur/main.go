package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// Exit codes shared by every subcommand.
const (
	exitOK    = 0 // success, or every input valid
	exitFail  = 1 // an invalid input or a failed check
	exitUsage = 2 // bad usage
)

// stdio is what a subcommand reads and writes, so tests run the CLI in-process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
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
		"ident":    {summary: "check fødselsnummer, orgnr, kontonummer and KID; make KIDs", run: runIdent},
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
	case "-h", "-help", "--help", "help":
		usage(io.out, cmds)
		return exitOK
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

// parseFlags parses a subcommand's flags with the shared conventions: -h prints
// the help to stdout (exit 0), a bad flag prints it to stderr (exit 2). It
// returns ok=false with the exit code when the caller must stop.
func parseFlags(fs *flag.FlagSet, io stdio, args []string) (code int, ok bool) {
	fs.SetOutput(io.err)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(io.out)
			fs.Usage()
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}
