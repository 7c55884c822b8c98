package main

import (
	"bufio"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

const identUsage = `usage: grunnmur ident fnr|orgnr|kontonr|kid VALUE...
       grunnmur ident kid -mod10|-mod11 BASE...

Checks Norwegian identifiers and prints one line per value:
  VALUE<TAB>valid<TAB>detail    or    VALUE<TAB>invalid<TAB>reason

  fnr      fødselsnummer, D-nummer, H-nummer and Tenor synthetic numbers;
           the detail names the kinds (fnr, dnr, hnr, tnr), the control-digit
           rule (1964, or 2032 for the extended first control digit) and the
           birth date
  orgnr    organisasjonsnummer (MOD11)
  kontonr  kontonummer (MOD11); the detail is the written form xxxx.xx.xxxxx
  kid      KID, valid under MOD10 or MOD11; the detail names which

A VALUE of - reads the values from standard input, one per line.

With -mod10 or -mod11, kid instead prints each BASE followed by its check digit.

Exit status: 0 all valid, 1 any invalid, 2 bad usage.
`

// identCheckers map each kind to a function that returns the detail for a
// valid value, or an error whose reason is printed.
var identCheckers = map[string]func(string) (string, error){
	"fnr": func(s string) (string, error) {
		f, err := ident.ParseFodselsnummer(s)
		if err != nil {
			return "", err
		}
		born, _ := f.BirthDate()
		return fmt.Sprintf("%s; %s rule; born %s", f.Kinds(), f.Rule(), born.Format(time.DateOnly)), nil
	},
	"orgnr": func(s string) (string, error) {
		_, err := ident.ParseOrgnr(s)
		return "MOD11", err
	},
	"kontonr": func(s string) (string, error) {
		k, err := ident.ParseKontonummer(s)
		return k.Format(), err
	},
	"kid": func(s string) (string, error) {
		_, alg, err := ident.ParseKID(s)
		return alg.String(), err
	},
}

func runIdent(io stdio, args []string) int {
	fs := flag.NewFlagSet("ident", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), identUsage) }
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprint(io.err, identUsage)
		return exitUsage
	}
	kind, rest := fs.Arg(0), fs.Args()[1:]
	if kind == "kid" && len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
		return runKIDGenerate(io, rest)
	}
	check, ok := identCheckers[kind]
	if !ok {
		fmt.Fprintf(io.err, "grunnmur ident: unknown kind %q (want fnr, orgnr, kontonr or kid)\n\n", kind)
		fmt.Fprint(io.err, identUsage)
		return exitUsage
	}
	values, err := identValues(io, rest)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur ident: %v\n", err)
		return exitUsage
	}
	if len(values) == 0 {
		fmt.Fprintf(io.err, "grunnmur ident %s: no VALUE given\n\n", kind)
		fmt.Fprint(io.err, identUsage)
		return exitUsage
	}
	code := exitOK
	for _, v := range values {
		if detail, err := check(v); err != nil {
			fmt.Fprintf(io.out, "%s\tinvalid\t%s\n", v, ident.Reason(err))
			code = exitFail
		} else {
			fmt.Fprintf(io.out, "%s\tvalid\t%s\n", v, detail)
		}
	}
	return code
}

// identValues expands a "-" argument into the lines of standard input.
func identValues(io stdio, args []string) ([]string, error) {
	var values []string
	for _, a := range args {
		if a != "-" {
			values = append(values, a)
			continue
		}
		sc := bufio.NewScanner(io.in)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				values = append(values, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
	}
	return values, nil
}

// runKIDGenerate is `grunnmur ident kid -mod10|-mod11 BASE...`.
func runKIDGenerate(io stdio, args []string) int {
	fs := flag.NewFlagSet("ident kid", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), identUsage) }
	m10 := fs.Bool("mod10", false, "append a MOD10 (Luhn) check digit")
	m11 := fs.Bool("mod11", false, "append a MOD11 check digit ('-' for remainder 1)")
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if *m10 == *m11 || fs.NArg() == 0 {
		fmt.Fprintln(io.err, "grunnmur ident kid: give exactly one of -mod10 and -mod11, then BASE...")
		fmt.Fprintln(io.err)
		fmt.Fprint(io.err, identUsage)
		return exitUsage
	}
	alg := ident.MOD10
	if *m11 {
		alg = ident.MOD11
	}
	code := exitOK
	for _, base := range fs.Args() {
		kid, err := ident.NewKID(base, alg)
		if err != nil {
			fmt.Fprintf(io.err, "%s\tinvalid\t%s\n", base, ident.Reason(err))
			code = exitFail
			continue
		}
		fmt.Fprintln(io.out, kid)
	}
	return code
}
