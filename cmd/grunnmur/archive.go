package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

func archiveCommand() command {
	return command{summary: "write a synthetic Noark 5 extract, or verify one (Arkade-style)", run: runArchive}
}

const archiveUsage = `usage: grunnmur archive demo -out DIR [-cases N] [-docs-per-case M] [-seed S]
       grunnmur archive verify [-json] DIR

demo    writes a synthetic Noark 5 v5.0 extract (byggesak and skjenkebevilling
        cases, with parties, screened records and small PDF files) into DIR,
        which must be empty or not exist. The same -seed gives the same bytes.
verify  runs the Arkade 5 checks that a Go program can run and prints the
        report (-json: as JSON). Exit 1 when any check finds an error.
`

func runArchive(io stdio, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(io.err, archiveUsage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(io.out, archiveUsage)
		return exitOK
	case "demo":
		return runArchiveDemo(io, args[1:])
	case "verify":
		return runArchiveVerify(io, args[1:])
	}
	fmt.Fprintf(io.err, "grunnmur archive: unknown subcommand %q\n\n%s", args[0], archiveUsage)
	return exitUsage
}

// progressLine returns a progress printer for a terminal, or nil when w is
// not one (a pipe, a file, a test buffer).
func progressLine(w io.Writer, verb string) func(archive.Progress) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(p archive.Progress) {
		fmt.Fprintf(f, "\r%s %d cases, %d documents, %.1f MB, %.1f MB/s ", verb, p.Cases, p.Documents, float64(p.Bytes)/1e6, p.MBPerSecond())
		if p.Done {
			fmt.Fprintln(f)
		}
	}
}

func runArchiveDemo(io stdio, args []string) int {
	fs := flag.NewFlagSet("grunnmur archive demo", flag.ContinueOnError)
	out := fs.String("out", "", "the folder to write the extract into (empty or new)")
	cases := fs.Int("cases", 100, "number of cases")
	docs := fs.Int("docs-per-case", 1, "document files per case")
	seed := fs.Uint64("seed", 1, "seed for the synthetic data")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: grunnmur archive demo -out DIR [-cases N] [-docs-per-case M] [-seed S]")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if *out == "" || fs.NArg() > 0 || *cases < 1 || *docs < 0 {
		fmt.Fprintln(io.err, "grunnmur archive demo: need -out DIR, -cases >= 1, -docs-per-case >= 0 and no arguments")
		fs.Usage()
		return exitUsage
	}
	start := time.Now()
	sum, err := archive.Write(context.Background(), *out, archivetest.Extract(),
		archive.Options{NewID: archivetest.IDs(*seed ^ 0x1d5), Progress: progressLine(io.err, "wrote")},
		archivetest.Cases(archivetest.Config{Cases: *cases, DocsPerCase: *docs, Seed: *seed}))
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur archive demo: %v\n", err)
		return exitFail
	}
	el := time.Since(start)
	fmt.Fprintf(io.out, "%s: %d cases, %d registrations, %d document files, %d changes; %.1f MB in %s (%.1f MB/s)\n",
		sum.Dir, sum.Cases, sum.Records, sum.Documents, sum.Changes, float64(sum.Bytes)/1e6,
		el.Round(time.Millisecond), float64(sum.Bytes)/1e6/el.Seconds())
	return exitOK
}

func runArchiveVerify(io stdio, args []string) int {
	fs := flag.NewFlagSet("grunnmur archive verify", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	all := fs.Bool("all", false, "print every result, not the first 10 per test")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: grunnmur archive verify [-json] [-all] DIR")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(io.err, "grunnmur archive verify: need exactly one DIR")
		fs.Usage()
		return exitUsage
	}
	v := &archive.Verifier{Progress: progressLine(io.err, "verified")}
	rep, err := v.Verify(context.Background(), fs.Arg(0))
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur archive verify: %v\n", err)
		return exitFail
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(io.err, "grunnmur archive verify: %v\n", err)
			return exitFail
		}
	} else {
		perTest := 10
		if *all {
			perTest = 0
		}
		rep.WriteText(io.out, perTest)
	}
	if !rep.OK() {
		return exitFail
	}
	return exitOK
}
