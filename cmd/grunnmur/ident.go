package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/grunnmur/grunnmur/ident"
)

const identUsage = `usage: grunnmur ident [fnr|orgnr|kontonr|kid] VALUE...
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

Without a kind, each VALUE's kind is detected and the detail starts with it
("fnr: ...", "orgnr: ...", "kontonr: ...", "kid: ..."). A value valid as
several kinds is reported as the first of fnr, orgnr, kontonr, kid. The
MOD11 weights coincide, so every valid fnr is also a valid 11-digit kontonr
and MOD11 KID, and every valid orgnr a valid 9-digit MOD11 KID: give the
kind to check a value as one of the later kinds.

A VALUE of - reads the values from standard input, one per line.

With -mod10 or -mod11, kid instead prints each BASE followed by its check digit.

Flags may come before or after the arguments; -- ends them.
Exit status: 0 all valid, 1 any invalid, 2 bad usage.
`

// identKinds are the kinds in the order detection tries them.
var identKinds = []string{"fnr", "orgnr", "kontonr", "kid"}

// identCheckers map each kind to a function that returns the detail for a
// valid value, or an error whose reason is printed.
var identCheckers = map[string]func(string) (string, error){
	"fnr": func(s string) (string, error) {
		f, err := ident.ParseFodselsnummer(s)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s; %s rule; born %s", f.Kinds(), f.Rule(), f.BirthDate()), nil
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

// detectIdent checks s as each kind in turn and returns the first that fits,
// with its detail prefixed by the kind. When none fits, the error lists the
// reasons of the kinds whose shape (length, digits) s has.
func detectIdent(s string) (string, error) {
	var reasons []string
	for _, kind := range identKinds {
		detail, err := identCheckers[kind](s)
		if err == nil {
			return kind + ": " + detail, nil
		}
		if errors.Is(err, ident.ErrControlDigit) || errors.Is(err, ident.ErrDate) {
			reasons = append(reasons, kind+": "+ident.Reason(err))
		}
	}
	if len(reasons) == 0 {
		return "", errors.New("no kind fits (want 11 digits for fnr or kontonr, 9 for orgnr, 2-25 for kid)")
	}
	return "", errors.New("no kind fits: " + strings.Join(reasons, "; "))
}

func runIdent(io stdio, args []string) int {
	fs := flag.NewFlagSet("ident", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), identUsage) }
	m10 := fs.Bool("mod10", false, "with kid: append a MOD10 (Luhn) check digit to each BASE")
	m11 := fs.Bool("mod11", false, "with kid: append a MOD11 check digit ('-' for remainder 1) to each BASE")
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprint(io.err, identUsage)
		return exitUsage
	}
	kind, rest := fs.Arg(0), fs.Args()[1:]
	check, ok := identCheckers[kind]
	if !ok {
		kind, rest, check = "", fs.Args(), detectIdent
	}
	if *m10 || *m11 {
		if kind != "kid" {
			fmt.Fprintln(io.err, "grunnmur ident: -mod10 and -mod11 make KIDs: use them as grunnmur ident kid -mod10|-mod11 BASE...")
			return exitUsage
		}
		return makeKIDs(io, *m10, *m11, rest)
	}
	values, err := identValues(io, rest)
	if err != nil {
		fmt.Fprintf(io.err, "grunnmur ident: %v\n", err)
		return exitUsage
	}
	if len(values) == 0 {
		fmt.Fprintf(io.err, "%s: no VALUE given\n\n", strings.TrimSpace("grunnmur ident "+kind))
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

// makeKIDs is `grunnmur ident kid -mod10|-mod11 BASE...`.
func makeKIDs(io stdio, m10, m11 bool, bases []string) int {
	if m10 == m11 || len(bases) == 0 {
		fmt.Fprintln(io.err, "grunnmur ident kid: give exactly one of -mod10 and -mod11, then BASE...")
		fmt.Fprintln(io.err)
		fmt.Fprint(io.err, identUsage)
		return exitUsage
	}
	alg := ident.MOD10
	if m11 {
		alg = ident.MOD11
	}
	code := exitOK
	for _, base := range bases {
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
