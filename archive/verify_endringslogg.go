package archive

import (
	"encoding/xml"
	"fmt"
)

// The checks of the change log, endringslogg.xml: its number of changes
// against ADDML (N5.61). Its references (N5.62) are collected here and
// resolved with the others in verify_ids.go.

// verifyEndringslogg scans the change log. Its references are collected only
// when arkivstruktur.xml could be read, since they are resolved against it.
func (v *verifier) verifyEndringslogg(sums map[string]string, structureOK bool) {
	var changes journalInfo
	scan := func(s *xmlScan) error { return v.scanEndringslogg(s, &changes, structureOK) }
	if !v.scanFile(FileEndringslogg, scan, sums) {
		v.notRun("endringslogg.xml could not be read", "N5.61", "N5.62")
		return
	}
	v.compareCount("N5.61", FileEndringslogg, "endring", changes.entries)
	v.add("N5.61", Info, FileEndringslogg, "%d changes logged", changes.entries)
}

func (v *verifier) scanEndringslogg(s *xmlScan, j *journalInfo, checkRefs bool) error {
	return s.walk(func(t xml.StartElement) error {
		switch s.depth() {
		case 0:
			if t.Name.Local != "endringslogg" {
				return fmt.Errorf("root element is <%s>, not <endringslogg>", t.Name.Local)
			}
		case 1:
			if t.Name.Local == "endring" {
				j.entries++
			}
		}
		return nil
	}, func(f frame, parent *frame) {
		if checkRefs && parent.name == "endring" && f.name == "referanseArkivenhet" {
			v.changeReference(s, f)
		}
	})
}
