package archive

import (
	"encoding/xml"
	"fmt"
	"strconv"

	"github.com/grunnmur/grunnmur/civil"
)

// The checks of the two journals, loependeJournal.xml and
// offentligJournal.xml: their journal post counts against each other, the
// structure and ADDML (N5.59), and their periods against the registrations
// and the archival period (N5.60).

// journalInfo is what the journal and change-log scans collect.
type journalInfo struct {
	start, end civil.Date
	count      int // antallJournalposter
	hasHead    bool
	entries    int // journalregistrering or endring elements
}

// verifyJournals takes the scans of both journals and runs their checks.
func (v *verifier) verifyJournals(ljScan, ojScan *besideScan, sums map[string]string, structureOK bool) {
	ljOK := v.join(ljScan, sums)
	ojOK := v.join(ojScan, sums)
	lj, oj := &ljScan.info, &ojScan.info
	if ljOK {
		v.compareCount("N5.59", FileLoependeJournal, "journalregistrering", lj.entries)
	}
	if ojOK {
		v.compareCount("N5.59", FileOffentligJournal, "journalregistrering", oj.entries)
	}
	if ljOK && ojOK && structureOK {
		v.journalCounts(lj, oj)
		v.journalDates(lj, oj)
	} else {
		v.notRun("a journal or arkivstruktur.xml could not be read", "N5.59", "N5.60")
	}
}

func (v *verifier) scanJournal(s *xmlScan, j *journalInfo) error {
	return s.walk(func(t xml.StartElement) error {
		switch s.depth() {
		case 0:
			if t.Name.Local != "loependeJournal" && t.Name.Local != "offentligJournal" {
				return fmt.Errorf("root element is <%s>, not a journal", t.Name.Local)
			}
		case 1:
			if t.Name.Local == "journalregistrering" {
				j.entries++
			}
		}
		return nil
	}, func(f, parent *frame) {
		if parent.name == "journalhode" {
			v.journalHead(s, f, j)
		}
	})
}

// journalHead reads the period and the count of the journalhode.
func (v *verifier) journalHead(s *xmlScan, f *frame, j *journalInfo) {
	switch f.name {
	case "journalStartDato", "journalSluttDato":
		dt, err := parseXSDate(s.leafText())
		switch {
		case err != nil:
			v.add("N5.60", Error, s.loc(f.line), "%s %q is not a date", f.name, clip(s.leafText()))
		case f.name == "journalStartDato":
			j.start = dt
		default:
			j.end = dt
		}
	case "antallJournalposter":
		n, err := strconv.Atoi(s.leafText())
		if err != nil {
			v.add("N5.59", Error, s.loc(f.line), "antallJournalposter %q is not a number", clip(s.leafText()))
		}
		j.count = n
		j.hasHead = true
	}
}

// sharpPeriod reports whether the archival period's boundaries are sharp:
// then every registration must fall inside it.
func (v *verifier) sharpPeriod() bool { return v.addml == nil || v.addml.sharp }

// journalCounts is N5.59: the journal post counts.
func (v *verifier) journalCounts(lj, oj *journalInfo) {
	jp := v.structure.counts["journalpost"]
	v.add("N5.59", Info, FileArkivstruktur, "%d journal posts", jp)
	for _, j := range []struct {
		file string
		info *journalInfo
	}{{FileLoependeJournal, lj}, {FileOffentligJournal, oj}} {
		if !j.info.hasHead {
			v.add("N5.59", Error, j.file, "no antallJournalposter in journalhode")
			continue
		}
		v.add("N5.59", Info, j.file, "antallJournalposter %d", j.info.count)
		if j.info.count != j.info.entries {
			v.add("N5.59", Error, j.file, "antallJournalposter says %d, the journal holds %d", j.info.count, j.info.entries)
		}
		if v.sharpPeriod() && j.info.count != jp {
			v.add("N5.59", Error, j.file, "antallJournalposter says %d, arkivstruktur.xml holds %d journal posts", j.info.count, jp)
		}
	}
	if lj.count != oj.count {
		v.add("N5.59", Error, "", "the running journal has %d journal posts, the public one %d", lj.count, oj.count)
	}
}

// journalDates is N5.60: the journals' periods agree with each other, with
// the registrations' creation dates and with the archival period.
func (v *verifier) journalDates(lj, oj *journalInfo) {
	st := &v.structure
	sharp := v.sharpPeriod()
	ljStart, ljEnd := shownDate(lj.start), shownDate(lj.end)
	if lj.start != oj.start || lj.end != oj.end {
		v.add("N5.60", Error, "", "the journals' periods differ: loependeJournal %s to %s, offentligJournal %s to %s",
			ljStart, ljEnd, shownDate(oj.start), shownDate(oj.end))
	}
	v.add("N5.60", Info, FileLoependeJournal, "journal period %s to %s", ljStart, ljEnd)
	if st.regDates > 0 {
		first, last := civil.DateOf(st.regMin), civil.DateOf(st.regMax)
		v.add("N5.60", Info, FileArkivstruktur, "registrations created %s to %s", first, last)
		sev := Error
		if !sharp {
			sev = Warning
		}
		if first.Before(lj.start) || last.After(lj.end) {
			v.add("N5.60", sev, FileArkivstruktur, "registrations created %s to %s fall outside the journal period %s to %s",
				first, last, ljStart, ljEnd)
		}
	}
	if !st.partStart.IsZero() && !st.partEnd.IsZero() {
		v.add("N5.60", Info, FileArkivstruktur, "archival period %s to %s", st.partStart, st.partEnd)
		if sharp && (st.partStart != lj.start || st.partEnd != lj.end) {
			v.add("N5.60", Error, FileArkivstruktur, "archival period %s to %s differs from the journal period %s to %s",
				st.partStart, st.partEnd, ljStart, ljEnd)
		}
	}
	if lj.end.Before(lj.start) {
		v.add("N5.60", Error, FileLoependeJournal, "journalSluttDato %s is before journalStartDato %s", ljEnd, ljStart)
	}
}
