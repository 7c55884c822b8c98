package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	goio "io"
	"os"
	"strings"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
)

const formsUsage = `usage: grunnmur forms validate [-lang nb|nn|en] [-json] FORM DATA
       grunnmur forms check FORM...

validate checks a submission (DATA, a JSON file, or - for standard input)
against a form definition (FORM) as the server does: hidden fields are not
validated. It prints one line per field error:
  POINTER<TAB>component-id<TAB>message
or, when the data are valid, DATA<TAB>ok<TAB>valid against FORM-ID version N.
With -json it prints a JSON array of {pointer, component, page, code,
message} instead, [] when valid.

check loads form definitions and prints FORM<TAB>ok<TAB>... for each that
loads, and the problems of the others on stderr, one per line.

Flags may come before or after the arguments; -- ends them.
Exit status: 0 valid, 1 invalid (data or definition), 2 bad usage.
`

func runForms(io stdio, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(io.err, formsUsage)
		return exitUsage
	}
	if isHelp(args[0]) {
		fmt.Fprint(io.out, formsUsage)
		return exitOK
	}
	switch args[0] {
	case "validate":
		return runFormsValidate(io, args[1:])
	case "check":
		return runFormsCheck(io, args[1:])
	}
	fmt.Fprintf(io.err, "grunnmur forms: unknown subcommand %q\n\n", args[0])
	fmt.Fprint(io.err, formsUsage)
	return exitUsage
}

func runFormsValidate(io stdio, args []string) int {
	fs := flag.NewFlagSet("forms validate", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), formsUsage) }
	lang := fs.String("lang", "nb", "language of the messages: nb, nn or en")
	asJSON := fs.Bool("json", false, "print the errors as a JSON array")
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	l, ok := i18n.Parse(*lang)
	if !ok {
		fmt.Fprintf(io.err, "grunnmur forms validate: -lang must be nb, nn or en, not %q\n", *lang)
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprintf(io.err, "grunnmur forms validate: want FORM and DATA, got %d arguments\n\n", fs.NArg())
		fmt.Fprint(io.err, formsUsage)
		return exitUsage
	}
	def, code := loadForm(io, fs.Arg(0))
	if def == nil {
		return code
	}
	var r goio.Reader
	if fs.Arg(1) == "-" {
		r = io.in
	} else {
		f, err := os.Open(fs.Arg(1))
		if err != nil {
			fmt.Fprintf(io.err, "grunnmur forms validate: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		r = f
	}
	data, err := def.ParseData(r)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur forms validate: %s: %v\n", fs.Arg(1), err)
		return exitFail
	}
	res := def.Validate(data, forms.Options{Lang: l})
	for _, e := range res.ExprErrors {
		fmt.Fprintf(io.err, "grunnmur forms validate: warning: %v\n", e)
	}
	if *asJSON {
		errs := res.Errors
		if errs == nil {
			errs = []forms.FieldError{}
		}
		enc := json.NewEncoder(io.out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(errs); err != nil {
			fmt.Fprintf(io.err, "grunnmur forms validate: %v\n", err)
			return exitFail
		}
	} else {
		for _, e := range res.Errors {
			fmt.Fprintf(io.out, "%s\t%s\t%s\n", e.Pointer, e.Component, oneLine(e.Message))
		}
		if res.Valid() {
			fmt.Fprintf(io.out, "%s\tok\tvalid against %s version %d\n", fs.Arg(1), def.ID, def.Version)
		}
	}
	if !res.Valid() {
		return exitFail
	}
	return exitOK
}

func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// loadForm loads a definition; a nil result comes with the exit code.
func loadForm(io stdio, path string) (*forms.Definition, int) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur forms: %v\n", err)
		return nil, exitUsage
	}
	def, err := forms.Parse(b)
	var de *forms.DefinitionError
	if errors.As(err, &de) {
		for _, p := range de.Problems {
			fmt.Fprintf(io.err, "%s: %s\n", path, oneLine(p))
		}
		return nil, exitFail
	}
	if err != nil {
		fmt.Fprintf(io.err, "%s: %v\n", path, err)
		return nil, exitFail
	}
	return def, exitOK
}

func runFormsCheck(io stdio, args []string) int {
	fs := flag.NewFlagSet("forms check", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), formsUsage) }
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprint(io.err, formsUsage)
		return exitUsage
	}
	code := exitOK
	for _, path := range fs.Args() {
		def, c := loadForm(io, path)
		if def == nil {
			code = max(code, c)
			continue
		}
		fmt.Fprintf(io.out, "%s\tok\t%s version %d, %d pages\n", path, def.ID, def.Version, len(def.Pages))
	}
	return code
}
