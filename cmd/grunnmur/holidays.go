package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/i18n"
)

// holidays prints the Norwegian public holidays of a year.
func holidays(io stdio, args []string) int {
	fs := flag.NewFlagSet("holidays", flag.ContinueOnError)
	lang := fs.String("lang", "nb", "language of the names: nb, nn or en")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: grunnmur holidays [-lang nb|nn|en] [YEAR]")
		fmt.Fprintln(fs.Output())
		fmt.Fprintln(fs.Output(), "Prints the Norwegian public holidays of YEAR as YYYY-MM-DD<TAB>name, in date")
		fmt.Fprintln(fs.Output(), "order, one line per holiday (two lines when two fall on one date). Without")
		fmt.Fprintln(fs.Output(), "YEAR, the current year in Norway (Europe/Oslo). -lang also takes a regional")
		fmt.Fprintln(fs.Output(), "tag such as nb-NO or en-GB.")
		fmt.Fprintln(fs.Output())
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, io, args); !ok {
		return code
	}
	l, ok := i18n.Parse(*lang)
	if !ok {
		fmt.Fprintf(io.err, "grunnmur holidays: -lang %q: want nb, nn or en\n", *lang)
		return exitUsage
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return exitUsage
	}
	// "This year" is Norway's, whatever the machine's zone.
	year := io.clock().In(civil.Oslo).Year()
	if fs.NArg() == 1 {
		y, err := strconv.Atoi(fs.Arg(0))
		if err != nil || y < 1583 || y > 9999 {
			fmt.Fprintf(io.err, "grunnmur holidays: %q is not a Gregorian year (1583-9999)\n", fs.Arg(0))
			return exitFail
		}
		year = y
	}
	for _, h := range holiday.InYear(year) {
		fmt.Fprintf(io.out, "%s\t%s\n", h.Date, h.Name(l))
	}
	return exitOK
}
