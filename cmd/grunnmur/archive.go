package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

func archiveCommand() command {
	return command{summary: "write a synthetic Noark 5 extract, or verify one (Arkade-style)", run: runArchive}
}

const archiveUsage = `usage: grunnmur archive demo -out DIR [-cases N] [-docs-per-case M] [-seed S]
       grunnmur archive verify [-json] [-all] DIR|FILE.zip

demo    writes a synthetic Noark 5 v5.0 extract (byggesak and skjenkebevilling
        cases, with parties, screened records and small PDF files) into DIR,
        which must be empty or not exist. The same -seed gives the same bytes.
verify  runs the Arkade 5 checks that a Go program can run and prints the
        report (-json: as JSON). Exit 1 when any check finds an error.
        A .zip file (as the example service's download) is unpacked into a
        temporary folder first, and refused if a name leaves that folder,
        an entry is a link, or it unpacks to more than -max-unzipped bytes.

Flags may come before or after the arguments; -- ends them.
`

func runArchive(io stdio, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(io.err, archiveUsage)
		return exitUsage
	}
	if isHelp(args[0]) {
		fmt.Fprint(io.out, archiveUsage)
		return exitOK
	}
	switch args[0] {
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
	maxUnzipped := fs.Int64("max-unzipped", 64<<30, "for a .zip: the most bytes it may unpack to")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: grunnmur archive verify [-json] [-all] [-max-unzipped BYTES] DIR|FILE.zip")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(io.err, "grunnmur archive verify: need exactly one DIR or FILE.zip")
		fs.Usage()
		return exitUsage
	}
	dir := fs.Arg(0)
	if isZip(dir) {
		tmp, err := os.MkdirTemp("", "grunnmur-verify-")
		if err != nil {
			fmt.Fprintf(io.err, "grunnmur archive verify: %v\n", err)
			return exitFail
		}
		defer os.RemoveAll(tmp)
		if err := unzip(dir, tmp, zipLimits{Bytes: *maxUnzipped, Files: 10_000_000}); err != nil {
			fmt.Fprintf(io.err, "grunnmur archive verify: %s: %v\n", dir, err)
			return exitFail
		}
		dir = extractRoot(tmp)
	}
	v := &archive.Verifier{Progress: progressLine(io.err, "verified")}
	rep, err := v.Verify(context.Background(), dir)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur archive verify: %v\n", err)
		return exitFail
	}
	rep.Dir = fs.Arg(0) // the zip, not the temporary folder it was unpacked into
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

// isZip reports whether p is a file (not a folder) that starts as a zip file
// does.
func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return false
	}
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PK\x03\x04"
}

// extractRoot is the folder of the extract in an unpacked zip: the zip's
// root, or its one folder when the extract was zipped with its folder.
func extractRoot(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, archive.FileArkivstruktur)); err == nil {
		return dir
	}
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) == 1 && entries[0].IsDir() {
		return filepath.Join(dir, entries[0].Name())
	}
	return dir
}
